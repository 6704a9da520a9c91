package io.miragej.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * CUBIC's window (RFC 9438) driven by an idealised ACK clock: every round trip, one ACK per
 * segment of the window.
 */
class CubicTest {
    static final int MSS = 1000;
    static final long MS = 1_000_000L;

    /** Runs {@code rounds} round trips of {@code rtt} from {@code start}; returns the window after each. */
    static int[] run(CongestionControl cc, int cwnd, int ssthresh, long start, long rtt, int rounds) {
        int[] after = new int[rounds];
        long now = start;
        for (int r = 0; r < rounds; r++) {
            int segments = cwnd / MSS;
            for (int i = 0; i < segments; i++) {
                cwnd = cc.onAck(cwnd, ssthresh, MSS, MSS, now + rtt * i / segments, rtt);
            }
            now += rtt;
            after[r] = cwnd / MSS;
        }
        return after;
    }

    @Test
    void afterALossTheWindowIsCutBy30PercentAndReturnsToWmaxAfterK() {
        Cubic cubic = new Cubic();
        int ssthresh = cubic.onCongestion(100 * MSS, 100 * MSS, MSS, 0);
        assertEquals(70 * MSS, ssthresh, "β = 0.7");
        // K = cbrt(W_max (1 − β) / C) = cbrt(100 · 0.3 / 0.4) = 4.22 s; with 100 ms rounds, round 42.
        int[] w = run(cubic, ssthresh, ssthresh, 0, 100 * MS, 80);
        assertEquals(Math.cbrt(75), cubic.k(), 1e-9);
        assertTrue(Math.abs(w[41] - 100) <= 2, "at K the window is back at W_max: " + w[41]);
        // Concave before K: more growth in the first second than in the second.
        int firstSecond = w[9] - 70;
        int secondSecond = w[19] - w[9];
        assertTrue(firstSecond > secondSecond, firstSecond + " then " + secondSecond);
        // Plateau around W_max, then convex: growth speeds up again after K.
        int aroundK = w[46] - w[36];
        int later = w[79] - w[69];
        assertTrue(later > 3 * aroundK, "around K " + aroundK + ", a few seconds later " + later);
    }

    @Test
    void onShortRoundTripsItGrowsLikeRenoNotLikeTheCubic() {
        Cubic cubic = new Cubic();
        NewReno reno = new NewReno();
        int cubicStart = cubic.onCongestion(20 * MSS, 20 * MSS, MSS, 0);
        int renoStart = reno.onCongestion(20 * MSS, 20 * MSS, MSS, 0);
        int[] c = run(cubic, cubicStart, cubicStart, 0, MS, 200);
        int[] r = run(reno, renoStart, renoStart, 0, MS, 200);
        // 200 ms after the loss the cubic alone would still be below W_max = 20 (K = 2.5 s).
        assertTrue(cubic.wCubic(0.2) < 20);
        assertTrue(c[199] >= 0.95 * r[199], "Reno-friendly region: CUBIC " + c[199] + " segments, Reno " + r[199]);
    }

    @Test
    void fastConvergenceLowersWmaxWhenCongestionComesBeforeItWasReached() {
        Cubic cubic = new Cubic();
        cubic.onCongestion(100 * MSS, 100 * MSS, MSS, 0);
        assertEquals(100, cubic.wMax(), 1e-9);
        cubic.onCongestion(80 * MSS, 80 * MSS, MSS, 0);
        assertEquals(80 * 1.7 / 2, cubic.wMax(), 1e-9, "W_max = cwnd (1 + β) / 2");
        cubic.onCongestion(90 * MSS, 90 * MSS, MSS, 0);
        assertEquals(90, cubic.wMax(), 1e-9, "above the last W_max: no reduction");
    }

    @Test
    void afterATimeoutTheEpochStartsFromTheCurrentWindow() {
        Cubic cubic = new Cubic();
        int ssthresh = cubic.onCongestion(100 * MSS, 100 * MSS, MSS, 0);
        cubic.onTimeout();
        // Slow start back up to ssthresh, then the first avoidance epoch has K = 0 (RFC 9438 4.8).
        int[] w = run(cubic, ssthresh, ssthresh, 0, 100 * MS, 20);
        assertEquals(0, cubic.k(), 1e-9);
        assertTrue(w[19] > 70, "grows from where it is: " + w[19]);
    }

    @Test
    void slowStartIsTheSameForBoth() {
        assertEquals(12 * MSS, new Cubic().onAck(10 * MSS, Integer.MAX_VALUE, 5 * MSS, MSS, 0, MS),
                "at most two segments per ACK (RFC 3465, L = 2)");
        assertEquals(12 * MSS, new NewReno().onAck(10 * MSS, Integer.MAX_VALUE, 5 * MSS, MSS, 0, MS));
    }
}
