package io.miragej.tcpip;

import io.miragej.device.MonotonicClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How application threads of a {@link DirectStack} wait for its loop and how the stack starts the
 * thread of each accepted connection. {@link #threads()} is what applications use: virtual
 * threads, woken by the loop the moment data or space arrives. {@link #simulated(MonotonicClock,
 * Park, Consumer, Executor)} serves deterministic simulations, whose threads may only wait through the
 * simulation (parked on virtual time, unparked by the loop).
 */
public abstract sealed class Blocking permits Blocking.Threads, Blocking.Simulated {
    Blocking() {}

    /** Virtual threads; waits park on a condition the loop signals. */
    public static Blocking threads() {
        return new Threads();
    }

    /**
     * Parks the calling simulated thread until unparked or until {@code timeout} of virtual time
     * passed (null: no timeout); an unpark that came first lets it return at once. The test kit's
     * {@code Simulation::park} is one.
     */
    @FunctionalInterface
    public interface Park {
        void park(Duration timeout) throws InterruptedException;
    }

    /**
     * For a simulation: waiting threads {@code park} on virtual time and the loop {@code unpark}s
     * exactly those waiting for what changed (like {@link java.util.concurrent.locks.LockSupport}),
     * so a wake-up costs one simulation event and no polling. Deadlines are read on {@code clock};
     * connection handlers start through {@code spawner} (the simulation's way of starting a
     * simulated thread). With the test kit: {@code simulated(sim, sim::park, sim::unpark, r ->
     * sim.spawn("conn", r))}.
     */
    public static Blocking simulated(MonotonicClock clock, Park park, Consumer<Thread> unpark, Executor spawner) {
        return new Simulated(clock, park, unpark, spawner);
    }

    /** Starts {@code body} on a thread of its own, named for debugging. */
    abstract void start(String name, Runnable body);

    /** The clock deadlines are measured on. */
    abstract long now();

    /** True when application calls run on the calling thread instead of being handed to the loop. */
    boolean runsOnCaller() {
        return false;
    }

    /** A new thing to wait for, guarded by {@code lock}. */
    abstract Signal newSignal(ReentrantLock lock);

    /** Something application threads wait for and the loop signals; both hold the lock. */
    abstract static class Signal {
        /**
         * Waits, holding the lock on entry and exit, until signalled, until {@code deadline} (on
         * {@link Blocking#now()}; {@link Long#MAX_VALUE} for none), or spuriously. Callers
         * re-check their condition.
         */
        abstract void await(long deadline) throws InterruptedException;

        /** Wakes every thread waiting now. */
        abstract void signalAll();
    }

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
        Signal newSignal(ReentrantLock lock) {
            Condition condition = lock.newCondition();
            return new Signal() {
                @Override
                void await(long deadline) throws InterruptedException {
                    if (deadline == Long.MAX_VALUE) {
                        condition.await();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left > 0) {
                            condition.await(left, TimeUnit.NANOSECONDS);
                        }
                    }
                }

                @Override
                void signalAll() {
                    condition.signalAll();
                }
            };
        }
    }

    static final class Simulated extends Blocking {
        private final MonotonicClock clock;
        private final Park park;
        private final Consumer<Thread> unpark;
        private final Executor spawner;

        Simulated(MonotonicClock clock, Park park, Consumer<Thread> unpark, Executor spawner) {
            this.clock = clock;
            this.park = park;
            this.unpark = unpark;
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
        boolean runsOnCaller() {
            return true; // one simulated thread runs at a time, the loop included
        }

        @Override
        Signal newSignal(ReentrantLock lock) {
            List<Thread> waiters = new ArrayList<>(2);
            return new Signal() {
                @Override
                void await(long deadline) throws InterruptedException {
                    Duration timeout = null;
                    if (deadline != Long.MAX_VALUE) {
                        long left = deadline - clock.nanos();
                        if (left <= 0) {
                            return;
                        }
                        timeout = Duration.ofNanos(left);
                    }
                    Thread me = Thread.currentThread();
                    waiters.add(me);
                    lock.unlock();
                    try {
                        park.park(timeout);
                    } finally {
                        lock.lock();
                        waiters.remove(me);
                    }
                }

                @Override
                void signalAll() {
                    for (int i = 0; i < waiters.size(); i++) {
                        unpark.accept(waiters.get(i));
                    }
                    waiters.clear();
                }
            };
        }
    }
}
