package io.miragej.unix;

import io.miragej.device.Time;
import io.miragej.device.Timer;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real time: sleeps park the calling (virtual) thread; timers run on one daemon thread. */
public final class HostTime implements Time, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostTime.class);
    private final ScheduledThreadPoolExecutor timers;

    public HostTime() {
        timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mirage-timers");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration);
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = timers.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("timer task failed", e);
            }
        }, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
