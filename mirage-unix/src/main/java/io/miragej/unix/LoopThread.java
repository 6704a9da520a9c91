package io.miragej.unix;

import io.miragej.device.EventLoop;
import io.miragej.device.Timer;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventLoop} on one platform thread: tasks in submission order, timers on {@link
 * System#nanoTime()}. A task that throws is logged and the loop goes on.
 */
public final class LoopThread implements EventLoop, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopThread.class);
    /** Bound on queued tasks; beyond it {@link #execute} refuses work. */
    public static final int MAX_TASKS = 65_536;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final PriorityQueue<Scheduled> timers = new PriorityQueue<>();
    private final ArrayDeque<Runnable> batch = new ArrayDeque<>();
    private final Thread thread;
    private long order;
    private volatile boolean closed;

    public LoopThread(String name) {
        thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        thread.start();
    }

    @Override
    public void execute(Runnable task) {
        lock.lock();
        try {
            if (closed) {
                throw new RejectedExecutionException(thread.getName() + " is closed");
            }
            if (tasks.size() >= MAX_TASKS) {
                throw new RejectedExecutionException(thread.getName() + " has " + MAX_TASKS + " tasks queued");
            }
            tasks.add(task);
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Timer schedule(long delayNanos, Runnable task) {
        Scheduled s = new Scheduled(System.nanoTime() + Math.max(0, delayNanos), task);
        lock.lock();
        try {
            if (closed) {
                throw new RejectedExecutionException(thread.getName() + " is closed");
            }
            s.order = order++;
            timers.add(s);
            if (timers.peek() == s) {
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
        return s;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    private void run() {
        while (true) {
            lock.lock();
            try {
                while (!closed && tasks.isEmpty() && !timerDue()) {
                    Scheduled next = timers.peek();
                    if (next == null) {
                        wake.await();
                    } else {
                        wake.awaitNanos(next.deadline - System.nanoTime());
                    }
                }
                if (closed) {
                    return;
                }
                batch.addAll(tasks);
                tasks.clear();
                long now = System.nanoTime();
                while (!timers.isEmpty() && timers.peek().deadline - now <= 0) {
                    Scheduled s = timers.poll();
                    if (!s.cancelled) {
                        s.fired = true;
                        batch.add(s.task);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Runnable r;
            while ((r = batch.poll()) != null) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("task on {} failed", thread.getName(), e);
                }
            }
        }
    }

    private boolean timerDue() {
        Scheduled next = timers.peek();
        return next != null && next.deadline - System.nanoTime() <= 0;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
        if (!inLoop()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Scheduled implements Timer, Comparable<Scheduled> {
        final long deadline;
        final Runnable task;
        long order;
        volatile boolean cancelled;
        volatile boolean fired;

        Scheduled(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        @Override
        public boolean cancel() {
            lock.lock();
            try {
                if (cancelled || fired) {
                    return false;
                }
                cancelled = true;
                timers.remove(this);
                return true;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int compareTo(Scheduled o) {
            int c = Long.compare(deadline - o.deadline, 0);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }
}
