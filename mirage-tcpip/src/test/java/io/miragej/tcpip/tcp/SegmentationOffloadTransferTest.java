package io.miragej.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Transfers between two TCP cores whose "devices" do segmentation offload: large segments cut as
 * Linux cuts them (checked in {@link TcpPair.Side#sendSegmented}: new data only, partial checksum
 * right), every segment then through the same lossy channel. Byte-exact, and loss recovery as
 * without the offload.
 */
class SegmentationOffloadTransferTest {
    static final int LARGEST = 65_535 - 20;

    static void offloadBoth(TcpPair p) {
        p.a.segmentationOffload = LARGEST;
        p.b.segmentationOffload = LARGEST;
    }

    @Test
    void movesMegabytesBothWaysInLargeSegmentsOverAPerfectLink() {
        TcpTransferTest.Result r = TcpTransferTest.transfer(1, TcpPair.Channel.perfect(), TcpConfig.defaults(),
                4 << 20, 3 << 20, Duration.ofSeconds(60), SegmentationOffloadTransferTest::offloadBoth);
        for (TcpPair.Side s : new TcpPair.Side[] {r.pair().a, r.pair().b}) {
            assertEquals(0, s.counters.get("tcp.tx.retransmits"), s.name);
            assertTrue(s.largeSegments > 20, s.name + " sent " + s.largeSegments + " large segments");
            assertEquals(s.largeSegments, s.counters.get("tcp.tx.offloaded"));
            // 45 segments of 1,448 bytes (timestamps on) and a 32-byte header: the most that fits.
            assertEquals(45 * 1448 + 32, s.largestSegment, s.name);
        }
        assertTrue(r.virtualNanos() < 2_000_000_000L, "took " + r.virtualNanos() / 1_000_000 + " ms of virtual time");
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void survivesLossDuplicationReorderingAndCorruption(long seed) {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(2_000_000L, 500_000L).lossy(0.05, 0.02, 0.05, 0.01);
        TcpTransferTest.Result r = TcpTransferTest.transfer(seed, ch, TcpConfig.defaults(), 2 << 20, 2 << 20,
                Duration.ofSeconds(600), SegmentationOffloadTransferTest::offloadBoth);
        TcpPair.Side a = r.pair().a;
        assertTrue(a.largeSegments > 0, "large segments went out");
        assertTrue(a.counters.get("tcp.tx.retransmits") > 0, "the channel did lose segments");
        assertTrue(a.counters.get("tcp.fast-retransmits") + r.pair().b.counters.get("tcp.fast-retransmits") > 0,
                "loss was recovered by fast retransmit, not only timeouts");
    }

    @Test
    void newRenoWithoutSackOrTimestampsSurvivesTheSameChannel() {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(2_000_000L, 500_000L).lossy(0.05, 0.02, 0.05, 0.01);
        TcpTransferTest.Result r = TcpTransferTest.transfer(21, ch, TcpConfig.defaults().withOptions(false, false, false),
                1 << 20, 1 << 20, Duration.ofSeconds(900), SegmentationOffloadTransferTest::offloadBoth);
        assertTrue(r.pair().a.largeSegments > 0);
    }

    @Test
    void cubicSurvivesTheSameChannel() {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(2_000_000L, 500_000L).lossy(0.05, 0.02, 0.05, 0.01);
        TcpTransferTest.Result r = TcpTransferTest.transfer(15, ch,
                TcpConfig.defaults().withCongestion(CongestionControl.Kind.CUBIC), 2 << 20, 2 << 20,
                Duration.ofSeconds(600), SegmentationOffloadTransferTest::offloadBoth);
        assertTrue(r.pair().a.largeSegments > 0);
    }

    /**
     * On a long fat link with random loss, RACK-TLP and the window behave as without the offload:
     * the same data, no more timeouts, about the same time.
     */
    @Test
    void lossRecoveryIsNoWorseThanWithoutTheOffload() {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(10_000_000L, 1_000_000L).lossy(0.01, 0, 0.01, 0);
        long[] timeouts = new long[2];
        long[] time = new long[2];
        for (int offload = 0; offload < 2; offload++) {
            for (long seed = 31; seed < 35; seed++) {
                TcpTransferTest.Result r = TcpTransferTest.transfer(seed, ch, TcpConfig.defaults(), 4 << 20, 0,
                        Duration.ofSeconds(900), offload == 1 ? SegmentationOffloadTransferTest::offloadBoth : p -> {});
                timeouts[offload] += r.pair().a.counters.get("tcp.rto");
                time[offload] += r.virtualNanos();
            }
        }
        assertTrue(timeouts[1] <= timeouts[0] + 1, "timeouts without " + timeouts[0] + ", with " + timeouts[1]);
        assertTrue(time[1] < time[0] * 1.3, "time without " + time[0] / 1_000_000 + " ms, with " + time[1] / 1_000_000);
    }
}
