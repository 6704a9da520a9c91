package io.miragej.testkit;

import java.time.Duration;

/**
 * How a simulated medium treats each frame it carries: probabilities (0..1) of loss, duplication,
 * reordering (an extra delay that lets later frames overtake) and corruption (one flipped bit),
 * a latency with uniform jitter, and a bandwidth with a bounded queue per port (tail drop when
 * full). Zero bandwidth means unlimited.
 */
public record LinkProfile(
        double loss, double duplicate, double reorder, double corrupt,
        Duration latency, Duration jitter, long bitsPerSecond, int queueLimit) {

    public LinkProfile {
        for (double p : new double[] {loss, duplicate, reorder, corrupt}) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probabilities are 0..1, got " + p);
            }
        }
        if (latency.isNegative() || jitter.isNegative() || bitsPerSecond < 0 || queueLimit <= 0) {
            throw new IllegalArgumentException("latency and jitter must be non-negative, bandwidth"
                    + " non-negative and the queue limit positive");
        }
    }

    /** Delivers every frame once, in order, after 100 µs, at unlimited speed. */
    public static LinkProfile perfect() {
        return new LinkProfile(0, 0, 0, 0, Duration.ofNanos(100_000), Duration.ZERO, 0, 1024);
    }

    public LinkProfile withLoss(double p) {
        return new LinkProfile(p, duplicate, reorder, corrupt, latency, jitter, bitsPerSecond, queueLimit);
    }

    public LinkProfile withDuplicate(double p) {
        return new LinkProfile(loss, p, reorder, corrupt, latency, jitter, bitsPerSecond, queueLimit);
    }

    public LinkProfile withReorder(double p) {
        return new LinkProfile(loss, duplicate, p, corrupt, latency, jitter, bitsPerSecond, queueLimit);
    }

    public LinkProfile withCorrupt(double p) {
        return new LinkProfile(loss, duplicate, reorder, p, latency, jitter, bitsPerSecond, queueLimit);
    }

    public LinkProfile withLatency(Duration latency, Duration jitter) {
        return new LinkProfile(loss, duplicate, reorder, corrupt, latency, jitter, bitsPerSecond, queueLimit);
    }

    public LinkProfile withBandwidth(long bitsPerSecond, int queueLimit) {
        return new LinkProfile(loss, duplicate, reorder, corrupt, latency, jitter, bitsPerSecond, queueLimit);
    }
}
