package io.miragej.tcpip.tcp;

/**
 * RACK, the time-based loss detection of RFC 8985 section 6: a segment is lost once a segment
 * sent sufficiently later (by the reordering window) has been delivered. Works on a {@link
 * SentLog}; the connection feeds it every newly delivered segment, asks it for the reordering
 * window and lets it mark losses. Times in nanoseconds; sans-IO like the rest of the core.
 */
final class Rack {
    /** RFC 8985 6.2 step 4: the multiplier falls back to 1 after this many recoveries without D-SACK. */
    static final int REO_WND_PERSIST = 16;
    /** How long an RTT sample stays the minimum (Linux's tcp_min_rtt_wlen). */
    static final long MIN_RTT_WINDOW = 300_000_000_000L;

    /**
     * RACK.xmit_ts, and the transmission's number where RFC 8985 breaks ties with RACK.end_seq:
     * the most recently sent segment that was delivered. (Numbering transmissions also orders a
     * retransmission after the segments sent before it in the same clock tick.)
     */
    private boolean delivered;
    private long xmitTs;
    private int xmitOrder;
    /** RACK.rtt: the RTT of that segment. */
    private long rtt;
    private long minRtt = Long.MAX_VALUE;
    /** The newest unambiguous RTT sample since {@link #takeSample}, or -1. */
    private long latestSample = -1;
    private long minRttAt;
    /** RACK.fack: the highest sequence number delivered. */
    private boolean fackSet;
    private int fack;
    private boolean reorderingSeen;
    private int reoWndMult = 1;
    private int reoWndPersist;
    private boolean dsackRoundSet;
    private int dsackRound;

    /** True when transmission {@code t1, order1} went out after {@code t2, order2} (RACK_sent_after). */
    static boolean sentAfter(long t1, int order1, long t2, int order2) {
        return t1 > t2 || (t1 == t2 && order1 - order2 > 0);
    }

    boolean reorderingSeen() {
        return reorderingSeen;
    }

    long minRtt() {
        return minRtt;
    }

    long rtt() {
        return rtt;
    }

    /** The newest RTT sample taken from delivered segments since the last call, or -1. */
    long takeSample() {
        long s = latestSample;
        latestSample = -1;
        return s;
    }

    int reorderingWindowMultiplier() {
        return reoWndMult;
    }

    /** An RTT measured by other means (the handshake, timestamps), for the minimum RTT. */
    void rttSample(long sample, long now) {
        if (sample >= 0 && (sample <= minRtt || now - minRttAt > MIN_RTT_WINDOW)) {
            minRtt = sample;
            minRttAt = now;
        }
    }

    /**
     * Steps 2 and 3 for one segment newly acknowledged or SACKed: sent at {@code sentAt}, ending at
     * {@code end}, transmission number {@code order}. {@code echoedBefore}: the ACK's timestamp echo predates the last send, so it
     * acknowledges an earlier transmission.
     */
    void delivered(long sentAt, int order, int end, boolean retransmitted, boolean echoedBefore, long now) {
        if (!fackSet || Seq.gt(end, fack)) {
            fack = end;
            fackSet = true;
        } else if (Seq.lt(end, fack) && !retransmitted) {
            reorderingSeen = true; // delivered below data delivered before, and never resent
        }
        long sample = now - sentAt;
        if (retransmitted && (echoedBefore || sample < minRtt)) {
            return; // may acknowledge the original transmission: no sample
        }
        rttSample(sample, now);
        latestSample = sample;
        if (!delivered || sentAfter(sentAt, order, xmitTs, xmitOrder)) {
            delivered = true;
            xmitTs = sentAt;
            xmitOrder = order;
            rtt = sample;
        }
    }

    /** Step 4, D-SACK part: widens the reordering window once per round trip that brings a D-SACK. */
    void acknowledged(boolean dsack, int sndUna, int sndNxt) {
        if (dsackRoundSet && Seq.ge(sndUna, dsackRound)) {
            dsackRoundSet = false;
        }
        if (dsack && !dsackRoundSet) {
            dsackRoundSet = true;
            dsackRound = sndNxt;
            reoWndMult++;
            reoWndPersist = REO_WND_PERSIST;
        }
    }

    /** Step 4, after fast or timeout recovery ended. */
    void recoveryEnded() {
        if (reoWndPersist > 0 && --reoWndPersist == 0) {
            reoWndMult = 1;
        }
    }

    /**
     * Step 4: the reordering window. Until reordering is seen it is zero in recovery or once
     * {@code DupThresh} segments are SACKed (so RACK acts at least as fast as duplicate ACKs);
     * otherwise a quarter of the minimum RTT per multiplier, at most the smoothed RTT.
     */
    long reorderingWindow(boolean inRecovery, int segmentsSacked, long srtt) {
        if (!reorderingSeen && (inRecovery || segmentsSacked >= TcpConnection.DUP_THRESHOLD)) {
            return 0;
        }
        if (minRtt == Long.MAX_VALUE) {
            return 0;
        }
        long w = reoWndMult * (minRtt / 4);
        return srtt > 0 ? Math.min(w, srtt) : w;
    }

    /**
     * Step 5: marks lost in {@code log} every segment sent a reordering window and an RTT before
     * the most recently sent delivered one. Returns how long until the next segment could be
     * declared lost (for the reordering timer), or 0.
     */
    long detectLoss(SentLog log, long reoWnd, long now) {
        if (!delivered) {
            return 0;
        }
        long timeout = 0;
        for (int i = 0; i < log.size(); i++) {
            if (log.is(i, SentLog.SACKED | SentLog.LOST)) {
                continue;
            }
            long sent = log.sentAt(i);
            if (sentAfter(xmitTs, xmitOrder, sent, log.order(i))) {
                long remaining = sent + rtt + reoWnd - now;
                if (remaining <= 0) {
                    log.markLost(i);
                } else {
                    timeout = Math.max(timeout, remaining);
                }
            }
        }
        return timeout;
    }
}
