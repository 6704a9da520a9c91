package io.miragej.tcpip.tcp;

/**
 * How a connection's congestion window grows with acknowledgments and shrinks on congestion: the
 * part of congestion control that differs between algorithms. Slow start, fast recovery and the
 * loss window after a timeout are the connection's (RFC 5681, RFC 6675, RFC 8985); this says how
 * much to grow per acknowledged byte and where the slow-start threshold goes on a congestion
 * event. One instance per connection, on the loop; nothing is allocated per segment.
 */
public abstract sealed class CongestionControl permits NewReno, Cubic {
    /** The algorithms to choose from in {@link TcpConfig}. */
    public enum Kind {
        /** RFC 5681 with byte counting (RFC 3465) and RFC 6582's recovery. */
        NEW_RENO,
        /** RFC 9438: cubic window growth in time since the last congestion event, Reno-friendly. */
        CUBIC;

        CongestionControl create() {
            return this == NEW_RENO ? new NewReno() : new Cubic();
        }
    }

    CongestionControl() {}

    /**
     * The window after {@code acked} bytes were newly acknowledged outside recovery: slow start
     * below {@code ssthresh} (RFC 5681 with L = 2, RFC 3465), the algorithm's growth above it.
     */
    final int onAck(int cwnd, int ssthresh, int acked, int smss, long now, long srtt) {
        if (cwnd < ssthresh) {
            return Math.min(cwnd + Math.min(acked, 2 * smss), 1 << 30);
        }
        return Math.min(Math.max(congestionAvoidance(cwnd, acked, smss, now, srtt), cwnd), 1 << 30);
    }

    /** Growth in congestion avoidance. */
    abstract int congestionAvoidance(int cwnd, int acked, int smss, long now, long srtt);

    /**
     * A congestion event (entering fast recovery, a loss repaired by a tail loss probe, or a
     * retransmission timeout) with the window and the data in flight: the new slow-start threshold.
     */
    abstract int onCongestion(int cwnd, int flight, int smss, long now);

    /** The last congestion event was a false alarm (reordering): return to the state before it. */
    void undo() {}

    /** A retransmission timeout, after {@link #onCongestion}: the window restarts from one segment. */
    void onTimeout() {}

    /** The window was cut back to the restart window after idle (RFC 5681 4.1). */
    void onIdleRestart() {}
}
