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
        TcpPair p = new TcpPair(seed, channel, config);
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
