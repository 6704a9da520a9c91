package io.miragej.tcpip;

import io.miragej.device.MonotonicClock;
import io.miragej.device.Time;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How application threads of a {@link DirectStack} wait for its loop and how the stack starts the
 * thread of each accepted connection. {@link #threads()} is what applications use: virtual
 * threads, woken by the loop the moment data or space arrives. {@link #simulated} serves
 * deterministic simulations, whose threads may only wait through the simulation's {@link Time}.
 */
public abstract sealed class Blocking permits Blocking.Threads, Blocking.Simulated {
    Blocking() {}

    /** Virtual threads; waits park on a condition the loop signals. */
    public static Blocking threads() {
        return new Threads();
    }

    /**
     * For a simulation: waits sleep on {@code time} in steps of {@code poll} (virtual time, so a
     * step costs nothing real), deadlines are read on {@code clock}, and connection handlers
     * start through {@code spawner} (the simulation's way of starting a simulated thread).
     */
    public static Blocking simulated(Time time, MonotonicClock clock, Duration poll, Executor spawner) {
        return new Simulated(time, clock, poll.toNanos(), spawner);
    }

    /** Starts {@code body} on a thread of its own, named for debugging. */
    abstract void start(String name, Runnable body);

    /** The clock deadlines are measured on. */
    abstract long now();

    /**
     * Waits, holding {@code lock} on entry and exit, until signalled through {@code condition},
     * until {@code deadline} (on {@link #now()}), or spuriously. Callers re-check their condition.
     */
    abstract void await(ReentrantLock lock, Condition condition, long deadline) throws InterruptedException;

    static final class Threads extends Blocking {
        @Override
        void start(String name, Runnable body) {
            Thread.ofVirtual().name(name).start(body);
        }

        @Override
        long now() {
            return System.nanoTime();
        }

        @Override
        void await(ReentrantLock lock, Condition condition, long deadline) throws InterruptedException {
            if (deadline == Long.MAX_VALUE) {
                condition.await();
            } else {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    condition.await(left, TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    static final class Simulated extends Blocking {
        private final Time time;
        private final MonotonicClock clock;
        private final long poll;
        private final Executor spawner;

        Simulated(Time time, MonotonicClock clock, long poll, Executor spawner) {
            this.time = time;
            this.clock = clock;
            this.poll = Math.max(1, poll);
            this.spawner = spawner;
        }

        @Override
        void start(String name, Runnable body) {
            spawner.execute(body);
        }

        @Override
        long now() {
            return clock.nanos();
        }

        @Override
        void await(ReentrantLock lock, Condition condition, long deadline) throws InterruptedException {
            long step = Math.min(poll, Math.max(1, deadline - clock.nanos()));
            lock.unlock();
            try {
                time.sleep(Duration.ofNanos(step));
            } finally {
                lock.lock();
            }
        }
    }
}
