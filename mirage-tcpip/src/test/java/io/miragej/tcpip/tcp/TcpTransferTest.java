package io.miragej.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.tcpip.core.IpContext;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Two TCP cores moving megabytes both ways through a channel on virtual time, byte-exact,
 * reproducibly from a seed.
 */
class TcpTransferTest {
    static final int PORT = 80;

    record Result(TcpPair pair, TcpPair.App client, TcpPair.App server, long virtualNanos) {}

    static Result transfer(long seed, TcpPair.Channel channel, TcpConfig config, long upBytes, long downBytes,
            Duration limit) {
        return transfer(seed, channel, config, upBytes, downBytes, limit, p -> {});
    }

    /** As above, with {@code setup} applied to the pair before the connection opens. */
    static Result transfer(long seed, TcpPair.Channel channel, TcpConfig config, long upBytes, long downBytes,
            Duration limit, java.util.function.Consumer<TcpPair> setup) {
        TcpPair p = new TcpPair(seed, channel, config);
        setup.accept(p);
        long upSeed = seed * 31 + 1;
        long downSeed = seed * 31 + 2;
        TcpPair.App server = p.new App(p.b, downSeed, downBytes, upSeed, upBytes);
        assertTrue(p.b.tcp.listen(PORT, server::attach));
        TcpConnection c = p.a.tcp.connect(0, IpContext.mapped(TcpPair.B_ADDR), PORT, 0);
        TcpPair.App client = p.new App(p.a, upSeed, upBytes, downSeed, downBytes);
        client.attach(c);
        p.a.reschedule();
        p.b.reschedule();
        boolean done = p.sim.runUntil(() -> client.done() && server.done()
                || client.mismatch != null || server.mismatch != null
                || c.state() == TcpConnection.State.CLOSED && !client.done(), limit);
        long elapsed = p.sim.nanoTime();
        String where = " (seed " + seed + ", client " + c + ", counters a=" + p.a.counters.report().replace('\n', ' ')
                + " b=" + p.b.counters.report().replace('\n', ' ') + ")";
        assertNull(client.mismatch, client.mismatch + where);
        assertNull(server.mismatch, server.mismatch + where);
        assertTrue(done, "transfer did not finish in " + limit + where);
        assertEquals(downBytes, client.received, "client received" + where);
        assertEquals(upBytes, server.received, "server received" + where);
        // Both ends close: the client ends in TIME-WAIT or CLOSED, the server CLOSED.
        assertTrue(p.sim.runUntil(() -> p.b.tcp.connections() == 0, Duration.ofSeconds(300)),
                "server connection never closed" + where);
        assertTrue(p.sim.runUntil(() -> p.a.tcp.connections() == 0, Duration.ofSeconds(300)),
                "client connection never left TIME-WAIT" + where);
        return new Result(p, client, server, elapsed);
    }

    @Test
    void movesMegabytesBothWaysOverAPerfectLink() {
        Result r = transfer(1, TcpPair.Channel.perfect(), TcpConfig.defaults(), 4 << 20, 3 << 20,
                Duration.ofSeconds(60));
        assertEquals(0, r.pair().a.counters.get("tcp.tx.retransmits"));
        assertEquals(0, r.pair().b.counters.get("tcp.tx.retransmits"));
        // 1 ms each way and 256 KiB windows: well above 100 MB/s of virtual time is no claim,
        // but a transfer that crawled would show a window or ACK clocking bug.
        assertTrue(r.virtualNanos() < 2_000_000_000L, "took " + r.virtualNanos() / 1_000_000 + " ms of virtual time");
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14})
    void survivesLossDuplicationReorderingAndCorruption(long seed) {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(2_000_000L, 500_000L).lossy(0.05, 0.02, 0.05, 0.01);
        Result r = transfer(seed, ch, TcpConfig.defaults(), 2 << 20, 2 << 20, Duration.ofSeconds(600));
        assertTrue(r.pair().a.counters.get("tcp.tx.retransmits") > 0, "the channel did lose segments");
        assertTrue(r.pair().a.counters.get("tcp.fast-retransmits") + r.pair().b.counters.get("tcp.fast-retransmits") > 0,
                "loss was recovered by fast retransmit, not only timeouts");
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22})
    void newRenoWithoutSackOrTimestampsSurvivesTheSameChannel(long seed) {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(2_000_000L, 500_000L).lossy(0.05, 0.02, 0.05, 0.01);
        TcpConfig plain = TcpConfig.defaults().withOptions(false, false, false);
        transfer(seed, ch, plain, 1 << 20, 1 << 20, Duration.ofSeconds(900));
    }

    @ParameterizedTest
    @ValueSource(longs = {15, 16})
    void cubicSurvivesTheSameChannel(long seed) {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(2_000_000L, 500_000L).lossy(0.05, 0.02, 0.05, 0.01);
        transfer(seed, ch, TcpConfig.defaults().withCongestion(CongestionControl.Kind.CUBIC), 2 << 20, 2 << 20,
                Duration.ofSeconds(600));
    }

    /** Bulk transfers with 5 % loss, and many short ones, with and without RACK-TLP: RTOs and time. */
    record LossOutcome(long timeouts, long probes, long virtualNanos) {}

    static LossOutcome lossyRuns(boolean rack, long firstSeed, int runs, long bytes) {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(2_000_000L, 500_000L).lossy(0.05, 0.02, 0.05, 0.01);
        long timeouts = 0;
        long probes = 0;
        long time = 0;
        for (long seed = firstSeed; seed < firstSeed + runs; seed++) {
            Result r = transfer(seed, ch, TcpConfig.defaults().withRack(rack), bytes, bytes, Duration.ofSeconds(900));
            for (TcpPair.Side side : new TcpPair.Side[] {r.pair().a, r.pair().b}) {
                timeouts += side.counters.get("tcp.rto");
                probes += side.counters.get("tcp.tlp.probes");
            }
            time += r.virtualNanos();
        }
        return new LossOutcome(timeouts, probes, time);
    }

    @Test
    void rackTlpRecoversBulkLossesWithoutTimeoutsAndFaster() {
        LossOutcome without = lossyRuns(false, 11, 4, 2 << 20);
        LossOutcome with = lossyRuns(true, 11, 4, 2 << 20);
        assertTrue(with.timeouts() * 10 < without.timeouts(), "timeouts with " + with + ", without " + without);
        assertTrue(with.virtualNanos() * 2 < without.virtualNanos(), "time with " + with + ", without " + without);
    }

    @Test
    void tailLossProbesSpareShortTransfersTimeouts() {
        LossOutcome without = lossyRuns(false, 100, 60, 6000);
        LossOutcome with = lossyRuns(true, 100, 60, 6000);
        assertTrue(with.probes() > 0, with.toString());
        assertTrue(with.timeouts() < without.timeouts(), "timeouts with " + with + ", without " + without);
        assertTrue(with.virtualNanos() < without.virtualNanos(), "time with " + with + ", without " + without);
    }

    @Test
    void cubicOutpacesNewRenoOnALongFatLinkWithRandomLoss() {
        // 200 Mbit/s, 100 ms RTT, 1 loss in 2,000 segments: loss-bound (Mathis: ~6 Mbit/s for Reno).
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(50_000_000L, 0).withBandwidth(200_000_000L, 2000)
                .lossy(0.0005, 0, 0, 0);
        TcpConfig big = TcpConfig.defaults().withBuffers(16 << 20, 16 << 20);
        long reno = transfer(5, ch, big, 30 << 20, 0, Duration.ofSeconds(600)).virtualNanos();
        long cubic = transfer(5, ch, big.withCongestion(CongestionControl.Kind.CUBIC), 30 << 20, 0,
                Duration.ofSeconds(600)).virtualNanos();
        assertTrue(cubic * 5 < reno * 4, "CUBIC " + cubic / 1_000_000 + " ms, NewReno " + reno / 1_000_000 + " ms");
    }

    @Test
    void hyStartLeavesSlowStartBeforeADeepQueueOverflows() {
        // 200 Mbit/s, 100 ms RTT, a queue of over two bandwidth-delay products: slow start without
        // HyStart++ doubles the window until thousands of segments are lost in one round trip.
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(50_000_000L, 0).withBandwidth(200_000_000L, 6000);
        TcpConfig big = TcpConfig.defaults().withBuffers(16 << 20, 16 << 20);
        Result without = transfer(5, ch, big.withHyStart(false), 30 << 20, 0, Duration.ofSeconds(600));
        Result with = transfer(5, ch, big, 30 << 20, 0, Duration.ofSeconds(600));
        long rtxWithout = without.pair().a.counters.get("tcp.tx.retransmits");
        long rtxWith = with.pair().a.counters.get("tcp.tx.retransmits");
        String report = "with HyStart++ " + with.virtualNanos() / 1_000_000 + " ms, " + rtxWith + " resent, "
                + with.pair().a.counters.get("tcp.rto") + " RTOs; without " + without.virtualNanos() / 1_000_000
                + " ms, " + rtxWithout + " resent, " + without.pair().a.counters.get("tcp.rto") + " RTOs";
        assertEquals(0, with.pair().a.counters.get("tcp.rto"), report);
        assertTrue(rtxWith * 10 < rtxWithout, report);
        assertTrue(with.virtualNanos() * 4 < without.virtualNanos() * 3, report);
    }

    @Test
    void aSlowReaderClosesTheWindowAndTheSenderProbesIt() {
        TcpConfig small = TcpConfig.defaults().withBuffers(64 * 1024, 8 * 1024);
        TcpPair p = new TcpPair(5, TcpPair.Channel.perfect(), small);
        TcpPair.App server = p.new App(p.b, 1, 0, 2, 60_000);
        server.readChunk = 4000;
        server.readDelay = 1_000_000_000L; // 4000 bytes a second: the window stays shut for long
        assertTrue(p.b.tcp.listen(PORT, server::attach));
        TcpPair.App client = p.new App(p.a, 2, 60_000, 1, 0);
        client.attach(p.a.tcp.connect(0, IpContext.mapped(TcpPair.B_ADDR), PORT, 0));
        assertTrue(p.sim.runUntil(() -> server.sawEnd, Duration.ofSeconds(60)), () -> "received " + server.received
                + " a=" + p.a.counters.report().replace('\n', ' ') + " b=" + p.b.counters.report().replace('\n', ' ')
                + " client " + client.connection + " wnd " + client.connection.sendWindow() + " unsent "
                + client.connection.unsent() + " server " + server.connection);
        assertNull(server.mismatch);
        assertEquals(60_000, server.received);
        assertTrue(p.a.counters.get("tcp.window-probes") > 0, "zero-window probes were sent");
    }

    @Test
    void sharesABottleneckLinkWithoutCollapse() {
        // 10 Mbit/s, 20 ms RTT, a 30-packet queue: slow start overflows it, recovery must cope.
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(10_000_000L, 0).withBandwidth(10_000_000L, 30);
        Result r = transfer(31, ch, TcpConfig.defaults(), 3 << 20, 64 * 1024, Duration.ofSeconds(120));
        double seconds = r.virtualNanos() / 1e9;
        double mbps = (3 << 20) * 8 / seconds / 1e6;
        assertTrue(mbps > 5, "goodput " + mbps + " Mbit/s of 10");
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(2_000_000L, 500_000L).lossy(0.05, 0.02, 0.05, 0.01);
        Result r1 = transfer(77, ch, TcpConfig.defaults(), 300_000, 300_000, Duration.ofSeconds(300));
        Result r2 = transfer(77, ch, TcpConfig.defaults(), 300_000, 300_000, Duration.ofSeconds(300));
        assertEquals(r1.virtualNanos(), r2.virtualNanos());
        assertEquals(r1.pair().segmentsCarried, r2.pair().segmentsCarried);
        assertEquals(r1.pair().a.counters.snapshot(), r2.pair().a.counters.snapshot());
    }
}
