package io.miragej.device;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One thread that owns protocol state: it runs submitted tasks in the order they were submitted,
 * timers when they fall due, and device receive callbacks registered with it. A stack's cores are
 * only ever touched from its loop, so they need no locks. In a simulation the loop is the
 * deterministic scheduler and its clock is virtual.
 *
 * <p>The loop's task queue is bounded; {@link #execute} refuses work with a {@link
 * RejectedExecutionException} when it is full or the loop is closed.
 */
public interface EventLoop extends Executor {
    /** Runs {@code task} on the loop thread, after the tasks submitted before it. Any thread. */
    @Override
    void execute(Runnable task);

    /** Runs {@code task} on the loop thread once {@code delayNanos} have passed. Any thread. */
    Timer schedule(long delayNanos, Runnable task);

    /** The loop's monotonic time in nanoseconds (virtual in simulations). */
    long nanoTime();

    /** True when called from the loop's own thread. */
    boolean inLoop();
}
