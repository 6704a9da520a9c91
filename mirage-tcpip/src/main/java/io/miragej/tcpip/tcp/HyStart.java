package io.miragej.tcpip.tcp;

/**
 * HyStart++ (RFC 9406): leaves the initial slow start before it overflows a queue. Per round trip
 * it keeps the smallest RTT sample; once a round's minimum rises by a threshold (an eighth of the
 * last round's, between 4 and 16 ms) over the previous round's, the window grows a quarter as
 * fast (conservative slow start) for up to five rounds, then congestion avoidance begins. A round
 * whose minimum falls back below where the rise was seen resumes slow start. Only the first slow
 * start of a connection, as the RFC recommends; a congestion event ends it.
 */
final class HyStart {
    static final long MIN_RTT_THRESH = 4_000_000L;
    static final long MAX_RTT_THRESH = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;

    private boolean active = true;
    private boolean started;
    private int windowEnd;
    private long lastRoundMin = Long.MAX_VALUE;
    private long currentRoundMin = Long.MAX_VALUE;
    private int samples;
    private boolean conservative;
    private long cssBaseline = Long.MAX_VALUE;
    private int cssRounds;

    boolean active() {
        return active;
    }

    boolean conservative() {
        return conservative;
    }

    /** A congestion event or a timeout: back to the standard algorithms for good. */
    void end() {
        active = false;
        conservative = false;
    }

    /**
     * An ACK in slow start that acknowledged up to {@code ack} with an RTT sample ({@code < 0}:
     * none); {@code sndNxt} ends the round that starts now. Returns true when slow start is over
     * (the caller sets ssthresh to the window).
     */
    boolean onAck(int ack, int sndNxt, long sample) {
        if (!active) {
            return false;
        }
        if (!started || Seq.ge(ack, windowEnd)) {
            // A new round.
            if (started && conservative && ++cssRounds >= CSS_ROUNDS) {
                end();
                return true;
            }
            started = true;
            lastRoundMin = currentRoundMin;
            currentRoundMin = Long.MAX_VALUE;
            samples = 0;
            windowEnd = sndNxt;
        }
        if (sample >= 0) {
            currentRoundMin = Math.min(currentRoundMin, sample);
            samples++;
        }
        if (samples >= N_RTT_SAMPLE && currentRoundMin != Long.MAX_VALUE && lastRoundMin != Long.MAX_VALUE) {
            if (!conservative) {
                long threshold = Math.clamp(lastRoundMin / MIN_RTT_DIVISOR, MIN_RTT_THRESH, MAX_RTT_THRESH);
                if (currentRoundMin >= lastRoundMin + threshold) {
                    conservative = true;
                    cssBaseline = currentRoundMin;
                    cssRounds = 0;
                }
            } else if (currentRoundMin < cssBaseline) {
                conservative = false; // the rise was spurious: slow start again
                cssBaseline = Long.MAX_VALUE;
            }
        }
        return false;
    }
}
