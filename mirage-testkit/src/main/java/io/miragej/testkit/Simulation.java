package io.miragej.testkit;

import io.miragej.device.EventLoop;
import io.miragej.device.MonotonicClock;
import io.miragej.device.Random;
import io.miragej.device.Time;
import io.miragej.device.Timer;
import io.miragej.device.WallClock;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A deterministic world on virtual time: an {@link EventLoop} whose events run in (time, order of
 * scheduling) order on the thread that drives it, a {@link MonotonicClock} and {@link WallClock}
 * that read virtual time, {@link Time} whose sleeps and timers pass instantly, and a {@link
 * Random} stream from a seed. The same seed and the same code give the same run, event for event.
 *
 * <p>Nothing happens until a test drives the simulation with {@link #step()}, {@link #runFor} or
 * {@link #runUntil}. Code written in blocking style (an application's {@code start}, which sleeps)
 * runs on a <em>simulated thread</em> started with {@link #spawn}: simulated threads and the
 * driver take turns, exactly one running at a time, and {@link #sleep} hands the turn back until
 * virtual time has advanced. A simulated thread must wait only through this simulation (its
 * {@code sleep}, {@link #waitUntil}); blocking on anything else is reported as an error after 30
 * seconds of real time instead of hanging the test.
 *
 * <p>Virtual time starts at 0; the wall clock reads {@link #EPOCH_NANOS} plus virtual time.
 */
public final class Simulation implements EventLoop, MonotonicClock, WallClock, Time, Random {
    /** 2026-01-01T00:00:00Z, the wall-clock time at virtual time 0. */
    public static final long EPOCH_NANOS = 1_767_225_600L * 1_000_000_000L;
    /** Bound on pending events; a runaway producer fails instead of exhausting memory. */
    public static final int MAX_PENDING_EVENTS = 1_000_000;

    private final long seed;
    private final SplittableRandom random;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Semaphore driverTurn = new Semaphore(0);
    private final ThreadLocal<SimThread> simThread = new ThreadLocal<>();
    private final java.util.Map<Thread, SimThread> simThreads = new java.util.concurrent.ConcurrentHashMap<>();
    private long now;
    private long sequence;
    private Thread driver;
    private long steps;

    public Simulation(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    // ---- clocks ----

    @Override
    public long nanos() {
        return now;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public long epochNanos() {
        return EPOCH_NANOS + now;
    }

    /** Number of events run so far. */
    public long steps() {
        return steps;
    }

    // ---- event loop ----

    @Override
    public void execute(Runnable task) {
        schedule(0, task);
    }

    @Override
    public Timer schedule(long delayNanos, Runnable task) {
        synchronized (events) {
            if (events.size() >= MAX_PENDING_EVENTS) {
                throw new RejectedExecutionException("simulation has " + MAX_PENDING_EVENTS
                        + " pending events; something schedules without bound");
            }
            Event e = new Event(now + Math.max(0, delayNanos), sequence++, task);
            events.add(e);
            return e;
        }
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        return schedule(delay.toNanos(), task);
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == driver;
    }

    /** Runs the next event, advancing virtual time to it. False when no event is pending. */
    public boolean step() {
        Event e;
        synchronized (events) {
            do {
                e = events.poll();
            } while (e != null && e.cancelled);
            if (e == null) {
                return false;
            }
            now = Math.max(now, e.time);
        }
        Thread previous = driver;
        driver = Thread.currentThread();
        try {
            steps++;
            e.done = true;
            e.task.run();
        } finally {
            driver = previous;
        }
        return true;
    }

    /** Virtual time of the next pending event, or {@link Long#MAX_VALUE}. */
    public long nextEventTime() {
        synchronized (events) {
            while (!events.isEmpty() && events.peek().cancelled) {
                events.poll();
            }
            return events.isEmpty() ? Long.MAX_VALUE : events.peek().time;
        }
    }

    /** Runs every event due within {@code duration}, then sets the clock to its end. */
    public void runFor(Duration duration) {
        long end = now + duration.toNanos();
        while (nextEventTime() <= end) {
            step();
        }
        now = Math.max(now, end);
    }

    /**
     * Runs events until {@code done} holds or {@code limit} of virtual time has passed.
     *
     * @return whether {@code done} holds
     */
    public boolean runUntil(BooleanSupplier done, Duration limit) {
        long end = now + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (nextEventTime() > end) {
                now = Math.max(now, end);
                return done.getAsBoolean();
            }
            step();
        }
        return true;
    }

    /** Runs until no event is pending; fails after {@code maxSteps} (a timer that re-arms forever). */
    public void runUntilIdle(long maxSteps) {
        long limit = steps + maxSteps;
        while (step()) {
            if (steps > limit) {
                throw new IllegalStateException("simulation still busy after " + maxSteps + " steps");
            }
        }
    }

    // ---- simulated threads ----

    /**
     * Starts {@code body} as a simulated thread: it first runs once the driver reaches the current
     * virtual time, and takes turns with the driver from then on. An exception thrown by the body
     * is rethrown by the driver.
     */
    public Thread spawn(String name, Runnable body) {
        SimThread st = new SimThread(name);
        Thread t = Thread.ofVirtual().name(name).unstarted(() -> {
            simThread.set(st);
            st.turn.acquireUninterruptibly();
            try {
                body.run();
            } catch (Throwable x) {
                st.failure = x;
            } finally {
                st.finished = true;
                simThreads.remove(Thread.currentThread());
                driverTurn.release();
            }
        });
        st.thread = t;
        simThreads.put(t, st);
        t.start();
        execute(() -> resume(st));
        return t;
    }

    private void resume(SimThread st) {
        st.turn.release();
        try {
            if (!driverTurn.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("simulated thread '" + st.name + "' has been blocked for 30 s"
                        + " of real time outside the simulation; it must wait only through the"
                        + " simulation's sleep or waitUntil");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while simulated thread '" + st.name + "' ran", e);
        }
        if (st.failure != null) {
            Throwable f = st.failure;
            st.failure = null;
            if (f instanceof RuntimeException r) {
                throw r;
            }
            if (f instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("simulated thread '" + st.name + "' failed", f);
        }
    }

    /** True when {@code t}, started by {@link #spawn}, has finished. */
    public boolean isFinished(Thread t) {
        return !t.isAlive();
    }

    /**
     * Parks the calling simulated thread for {@code duration} of virtual time.
     *
     * @throws IllegalStateException when called from a thread not started with {@link #spawn}
     */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        SimThread st = simThread.get();
        if (st == null) {
            throw new IllegalStateException("sleep on virtual time is only possible on a thread started with"
                    + " Simulation.spawn; the driver advances time with runFor or runUntil instead");
        }
        schedule(duration.toNanos(), () -> resume(st));
        driverTurn.release();
        st.turn.acquire();
    }

    /**
     * Parks the calling simulated thread until another part of the simulation {@link #unpark}s it,
     * or until {@code timeout} of virtual time has passed (null: no timeout). Like {@link
     * java.util.concurrent.locks.LockSupport}, an unpark that comes first is remembered (one
     * permit), and callers re-check their condition after waking.
     */
    public void park(Duration timeout) throws InterruptedException {
        SimThread st = simThread.get();
        if (st == null) {
            throw new IllegalStateException("park on virtual time is only possible on a thread started with"
                    + " Simulation.spawn");
        }
        long epoch;
        synchronized (st) {
            if (st.permit) {
                st.permit = false;
                return;
            }
            st.parked = true;
            epoch = ++st.epoch;
        }
        if (timeout != null) {
            schedule(timeout.toNanos(), () -> resumeParked(st, epoch));
        }
        driverTurn.release();
        st.turn.acquire();
    }

    /** Wakes {@code thread} from {@link #park}, or lets its next park return at once. Any thread. */
    public void unpark(Thread thread) {
        SimThread st = simThreads.get(thread);
        if (st == null) {
            return;
        }
        synchronized (st) {
            if (!st.parked) {
                st.permit = true;
                return;
            }
            long epoch = st.epoch;
            execute(() -> resumeParked(st, epoch));
        }
    }

    private void resumeParked(SimThread st, long epoch) {
        synchronized (st) {
            if (!st.parked || st.epoch != epoch) {
                return; // woken already (by the other of unpark and timeout)
            }
            st.parked = false;
            st.epoch++;
        }
        resume(st);
    }

    /** Parks the calling simulated thread until {@code ready} holds, checking every {@code every}. */
    public void waitUntil(BooleanSupplier ready, Duration every) throws InterruptedException {
        while (!ready.getAsBoolean()) {
            sleep(every);
        }
    }

    // ---- random ----

    @Override
    public void nextBytes(byte[] bytes, int offset, int length) {
        synchronized (random) {
            for (int i = 0; i < length; i++) {
                bytes[offset + i] = (byte) random.nextInt(256);
            }
        }
    }

    @Override
    public long nextLong() {
        synchronized (random) {
            return random.nextLong();
        }
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        synchronized (random) {
            return random.nextDouble();
        }
    }

    /**
     * An independent random stream for one component, derived from the seed and {@code name}, so
     * adding randomness in one place does not shift every other component's stream.
     */
    public SplittableRandom random(String name) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
    }

    private static final class Event implements Timer, Comparable<Event> {
        final long time;
        final long order;
        final Runnable task;
        volatile boolean cancelled;
        volatile boolean done;

        Event(long time, long order, Runnable task) {
            this.time = time;
            this.order = order;
            this.task = task;
        }

        @Override
        public boolean cancel() {
            if (cancelled || done) {
                return false;
            }
            cancelled = true;
            return true;
        }

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private static final class SimThread {
        final String name;
        final Semaphore turn = new Semaphore(0);
        Thread thread;
        volatile Throwable failure;
        volatile boolean finished;
        boolean parked;
        boolean permit;
        long epoch;

        SimThread(String name) {
            this.name = name;
        }
    }
}
