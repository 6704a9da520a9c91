package io.miragej.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-segment record of what is in flight: splits, marks, byte totals and its bound. */
class SentLogTest {
    final SentLog log = new SentLog();

    @Test
    void newDataIsAppendedAndAcknowledgmentsTrimIt() {
        int base = -1500; // sequence numbers wrap around zero here
        for (int i = 0; i < 5; i++) {
            log.sent(base + 1000 * i, base + 1000 * (i + 1), 10 + i);
        }
        assertEquals(5, log.size());
        assertEquals(2, log.find(base + 2500));
        log.acknowledge(base + 1500);
        assertEquals(4, log.size());
        assertEquals(base + 1500, log.start(0), "a partly acknowledged segment is trimmed");
        assertEquals(11, log.sentAt(0));
        log.acknowledge(base + 5000);
        assertTrue(log.isEmpty());
    }

    @Test
    void aRetransmissionOfPartOfASegmentSplitsItAndStampsOnlyThatPart() {
        log.sent(0, 3000, 1);
        log.markLost(0);
        assertEquals(3000, log.lostBytes());
        log.sent(1000, 2000, 50);
        assertEquals(3, log.size());
        assertEquals(2000, log.lostBytes(), "the resent part is no longer lost");
        assertTrue(log.is(1, SentLog.RETRANSMITTED));
        assertEquals(50, log.sentAt(1));
        assertTrue(log.is(0, SentLog.LOST) && log.is(2, SentLog.LOST));
        assertTrue(log.order(1) > log.order(0), "transmissions are numbered in order");
    }

    @Test
    void sackedBytesAndSegmentsAreCountedThroughSplitsAndAcknowledgments() {
        log.sent(0, 4000, 1);
        log.splitAt(1000);
        log.splitAt(3000);
        log.markSacked(1);
        assertEquals(2000, log.sackedBytes());
        assertEquals(1, log.sackedSegments());
        log.splitAt(2000);
        assertEquals(2, log.sackedSegments());
        assertEquals(2000, log.sackedBytes());
        log.acknowledge(2500);
        assertEquals(500, log.sackedBytes());
        assertEquals(1, log.sackedSegments());
        log.markLost(0);
        assertEquals(0, log.lostBytes(), "SACKed data is never lost");
    }

    @Test
    void growsByDoublingUpToItsBoundThenMergesNewDataIntoTheNewestRecord() {
        int n = SentLog.MAX_CAPACITY + 100;
        for (int i = 0; i < n; i++) {
            log.sent(100 * i, 100 * (i + 1), i);
        }
        assertEquals(SentLog.MAX_CAPACITY, log.size(), "bounded");
        int last = log.size() - 1;
        assertEquals(100 * n, log.end(last), "no byte is forgotten");
        assertEquals(n - 1, log.sentAt(last), "the merged record carries the newest time");
        assertEquals(0, log.start(0));
        log.markLost(3);
        log.sent(300, 350, 9999); // a split at the bound is not possible: the whole record is stamped
        assertFalse(log.is(3, SentLog.LOST));
        assertEquals(SentLog.MAX_CAPACITY, log.size());
        log.acknowledge(100 * n);
        assertTrue(log.isEmpty());
        assertEquals(0, log.lostBytes());
        assertEquals(0, log.sackedBytes());
    }

    @Test
    void aTimeoutMarksEverythingNotSackedLost() {
        for (int i = 0; i < 4; i++) {
            log.sent(1000 * i, 1000 * (i + 1), i);
        }
        log.markSacked(2);
        log.markAllLost();
        assertEquals(3000, log.lostBytes());
        assertEquals(0, log.firstLost());
        log.forgetSacks();
        assertEquals(0, log.sackedBytes());
    }
}
