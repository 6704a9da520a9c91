package io.miragej.device;

import java.time.Duration;

/**
 * Waiting: parking a thread for a while, and running a task later. Measured on the platform's
 * {@link MonotonicClock}, so a simulation runs it on virtual time.
 */
public interface Time {
    /** Parks the calling thread for at least {@code duration}. */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * Runs {@code task} once, no earlier than {@code delay} from now, on a platform thread of the
     * platform's choosing (never the caller's). The task should be short; long work belongs on
     * a virtual thread it starts.
     */
    Timer schedule(Duration delay, Runnable task);
}
