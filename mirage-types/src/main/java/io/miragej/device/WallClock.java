package io.miragej.device;

import java.time.Instant;

/**
 * Calendar time (POSIX time, nanoseconds since 1970-01-01T00:00:00Z). It may jump when the host's
 * clock is set; use it for timestamps, never for measuring intervals.
 */
@FunctionalInterface
public interface WallClock {
    long epochNanos();

    default Instant now() {
        long n = epochNanos();
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }
}
