package io.miragej.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RACK's rules (RFC 8985 section 6) on a sent log, time in milliseconds-as-nanoseconds. */
class RackTest {
    static final long MS = 1_000_000L;
    final SentLog log = new SentLog();
    final Rack rack = new Rack();

    void deliver(int i, long now) {
        rack.delivered(log.sentAt(i), log.order(i), log.end(i), log.is(i, SentLog.RETRANSMITTED), false, now);
    }

    @Test
    void aSegmentIsLostOnceOneSentLaterIsDeliveredAndTheReorderingWindowPassed() {
        for (int i = 0; i < 4; i++) {
            log.sent(1000 * i, 1000 * (i + 1), i * MS);
        }
        deliver(2, 42 * MS); // RTT 40 ms
        log.markSacked(2);
        long window = rack.reorderingWindow(false, 1, 40 * MS);
        assertEquals(10 * MS, window, "a quarter of the minimum RTT");
        // Segment 0 was sent 2 ms before segment 2: lost at 0 + 40 + 10 = 50 ms; segment 1 at 51 ms.
        assertEquals(9 * MS, rack.detectLoss(log, window, 42 * MS));
        assertEquals(0, log.lostBytes());
        assertEquals(1 * MS, rack.detectLoss(log, window, 50 * MS));
        assertTrue(log.is(0, SentLog.LOST));
        assertFalse(log.is(1, SentLog.LOST));
        assertEquals(0, rack.detectLoss(log, window, 51 * MS));
        assertTrue(log.is(1, SentLog.LOST));
        assertFalse(log.is(3, SentLog.LOST), "sent after the delivered one: not judged");
    }

    @Test
    void withoutReorderingTheWindowIsZeroInRecoveryOrAfterThreeSackedSegments() {
        log.sent(0, 1000, 0);
        deliver(0, 20 * MS);
        assertEquals(5 * MS, rack.reorderingWindow(false, 2, 20 * MS));
        assertEquals(0, rack.reorderingWindow(false, 3, 20 * MS));
        assertEquals(0, rack.reorderingWindow(true, 0, 20 * MS));
    }

    @Test
    void dataDeliveredBelowWhatWasDeliveredBeforeIsReordering() {
        for (int i = 0; i < 3; i++) {
            log.sent(1000 * i, 1000 * (i + 1), 0);
        }
        deliver(2, 20 * MS);
        assertFalse(rack.reorderingSeen());
        deliver(0, 21 * MS);
        assertTrue(rack.reorderingSeen(), "segment 0 came after segment 2 and was never resent");
        assertEquals(5 * MS, rack.reorderingWindow(true, 5, 20 * MS), "now tolerated even in recovery");
    }

    @Test
    void aRetransmissionDeliveredBelowIsNotReordering() {
        for (int i = 0; i < 3; i++) {
            log.sent(1000 * i, 1000 * (i + 1), 0);
        }
        deliver(2, 20 * MS);
        log.sent(0, 1000, 25 * MS);
        deliver(0, 45 * MS);
        assertFalse(rack.reorderingSeen());
    }

    @Test
    void dsackWidensTheWindowOncePerRoundAndItFallsBackAfterSixteenRecoveries() {
        log.sent(0, 1000, 0);
        deliver(0, 40 * MS);
        rack.acknowledged(true, 1000, 5000);
        rack.acknowledged(true, 2000, 6000); // same round (until 5000 is acknowledged): no change
        assertEquals(2, rack.reorderingWindowMultiplier());
        rack.acknowledged(true, 5000, 9000);
        assertEquals(3, rack.reorderingWindowMultiplier());
        assertEquals(30 * MS, rack.reorderingWindow(false, 1, 100 * MS));
        assertEquals(25 * MS, rack.reorderingWindow(false, 1, 25 * MS), "at most the smoothed RTT");
        for (int i = 0; i < Rack.REO_WND_PERSIST - 1; i++) {
            rack.recoveryEnded();
        }
        assertEquals(3, rack.reorderingWindowMultiplier());
        rack.recoveryEnded();
        assertEquals(1, rack.reorderingWindowMultiplier());
    }

    @Test
    void ambiguousAcknowledgmentsOfRetransmissionsGiveNoRttSample() {
        log.sent(0, 1000, 0);
        log.sent(1000, 2000, 0);
        deliver(1, 40 * MS); // min RTT 40 ms
        log.sent(0, 1000, 100 * MS);
        deliver(0, 110 * MS); // 10 ms after the resend: the original's ACK
        assertEquals(40 * MS, rack.rtt());
        assertEquals(40 * MS, rack.minRtt());
    }
}
