package io.miragej.tcpip.core;

import java.util.function.IntPredicate;

/**
 * Picks local ports for clients from the dynamic range 49152-65535 (RFC 6335), starting at a
 * random point each time and probing upwards (RFC 6056 section 3.3.1, "simple port
 * randomization").
 */
public final class EphemeralPorts {
    public static final int FIRST = 49152;
    public static final int LAST = 65535;
    private long state;

    public EphemeralPorts(long seed) {
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    /** A port for which {@code free} holds, or -1 when every port of the range is taken. */
    public int pick(IntPredicate free) {
        int n = LAST - FIRST + 1;
        int start = (int) Long.remainderUnsigned(next(), n);
        for (int i = 0; i < n; i++) {
            int p = FIRST + (start + i) % n;
            if (free.test(p)) {
                return p;
            }
        }
        return -1;
    }

    private long next() {
        // xorshift64*: no cryptographic claim; RFC 6056 asks for unpredictability against
        // off-path guessing, which the seed (from the platform's strong Random) provides.
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        return state * 0x2545F4914F6CDD1DL;
    }
}
