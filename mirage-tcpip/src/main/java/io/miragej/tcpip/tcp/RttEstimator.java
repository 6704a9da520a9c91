package io.miragej.tcpip.tcp;

/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from samples, RTO = SRTT + max(G,
 * 4 RTTVAR) bounded by [{@link #MIN_RTO}, {@link #MAX_RTO}], doubled on every timeout (back-off) and
 * kept until a new sample arrives. Times in nanoseconds.
 */
final class RttEstimator {
    /** Linux's minimum, well below RFC 6298's conservative 1 s (allowed by its section 2.4). */
    static final long MIN_RTO = 200_000_000L;
    static final long MAX_RTO = 60_000_000_000L;
    static final long INITIAL_RTO = 1_000_000_000L;
    /** RFC 6298 5.7: after the SYN timed out, data starts from 3 s. */
    static final long RTO_AFTER_SYN_LOSS = 3_000_000_000L;
    private static final long GRANULARITY = 1_000_000L;

    private long srtt = -1;
    private long rttvar;
    private long rto = INITIAL_RTO;
    private int backoff;

    void sample(long rtt) {
        if (rtt < 0) {
            return;
        }
        if (srtt < 0) {
            srtt = rtt;
            rttvar = rtt / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
            srtt = (7 * srtt + rtt) / 8;
        }
        backoff = 0;
        rto = Math.clamp(srtt + Math.max(GRANULARITY, 4 * rttvar), MIN_RTO, MAX_RTO);
    }

    /** The timeout to arm now, back-off included. */
    long rto() {
        return Math.min(MAX_RTO, rto << Math.min(backoff, 20));
    }

    void backOff() {
        if (rto() < MAX_RTO) {
            backoff++;
        }
    }

    int backoffCount() {
        return backoff;
    }

    boolean hasSample() {
        return srtt >= 0;
    }

    long srtt() {
        return srtt;
    }

    long rttvar() {
        return rttvar;
    }

    /** For a connection whose SYN had to be retransmitted (RFC 6298 5.7). */
    void synWasRetransmitted() {
        if (srtt < 0) {
            rto = RTO_AFTER_SYN_LOSS;
        }
        backoff = 0;
    }
}
