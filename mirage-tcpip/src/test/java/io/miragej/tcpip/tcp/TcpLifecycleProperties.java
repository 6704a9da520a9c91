package io.miragej.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.tcpip.core.IpContext;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Whatever the channel does and whenever the applications close or reset, two TCP cores never
 * throw, never deliver a wrong byte, and clean up: both connection tables end empty. (With
 * keep-alive on: TCP alone cannot learn that a peer whose RST was lost is gone while it only
 * waits for that peer's data.)
 */
class TcpLifecycleProperties {
    @Property(tries = 300)
    void connectionsAlwaysEndCleanly(@ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @DoubleRange(max = 0.3) double loss, @ForAll @DoubleRange(max = 0.2) double duplicate,
            @ForAll @DoubleRange(max = 0.3) double reorder, @ForAll @DoubleRange(max = 0.05) double corrupt,
            @ForAll @IntRange(max = 200_000) int upBytes, @ForAll @IntRange(max = 200_000) int downBytes,
            @ForAll @IntRange(max = 3) int ending, @ForAll @LongRange(max = 3_000) long endAfterMillis,
            @ForAll boolean sackAndTimestamps) {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(1_000_000L, 500_000L)
                .lossy(loss, duplicate, reorder, corrupt);
        TcpConfig config = TcpConfig.defaults().withOptions(sackAndTimestamps, sackAndTimestamps, true)
                .withRetries(4, 6).withTimeWait(2_000_000_000L)
                .withKeepAlive(20_000_000_000L, 1_000_000_000L, 3); // a peer whose reset was lost is found out
        TcpPair p = new TcpPair(seed, ch, config);
        TcpPair.App server = p.new App(p.b, 2, downBytes, 1, upBytes);
        p.b.tcp.listen(80, server::attach);
        TcpConnection c = p.a.tcp.connect(0, IpContext.mapped(TcpPair.B_ADDR), 80, 0);
        TcpPair.App client = p.new App(p.a, 1, upBytes, 2, downBytes);
        client.attach(c);
        p.a.reschedule();
        p.b.reschedule();
        // At a random moment one side ends abruptly (or nobody does: ending 0).
        p.sim.schedule(endAfterMillis * 1_000_000L, () -> {
            long now = p.sim.nanoTime();
            switch (ending) {
                case 1 -> c.abort(now);
                case 2 -> c.close(now);
                case 3 -> {
                    if (server.connection != null) {
                        server.connection.abort(now);
                    }
                }
                default -> {}
            }
            p.a.reschedule();
            p.b.reschedule();
        });
        boolean clean = p.sim.runUntil(() -> p.a.tcp.connections() == 0 && p.b.tcp.connections() == 0
                && p.a.tcp.nextDeadline() == Long.MAX_VALUE && p.b.tcp.nextDeadline() == Long.MAX_VALUE,
                Duration.ofSeconds(3600));
        assertNull(client.mismatch);
        assertNull(server.mismatch);
        assertTrue(clean, "connections left: a=" + p.a.tcp.connections() + " b=" + p.b.tcp.connections()
                + " client " + c + " server " + server.connection);
        if (ending == 0 && c.failure() == TcpConnection.Failure.NONE && server.connection != null
                && server.connection.failure() == TcpConnection.Failure.NONE) {
            assertEquals(downBytes, client.received, "an orderly end delivers everything");
            assertEquals(upBytes, server.received);
        }
    }

    /**
     * A sample the property found: both sides time out and send from SND.UNA again while each has
     * received more than the other saw acknowledged; pure ACKs numbered SND.NXT were then below the
     * peer's RCV.NXT, each side answered the other's with its own, and the two stormed for ever.
     */
    @org.junit.jupiter.api.Test
    void bothSidesAfterTimeoutsDoNotStormEachOtherWithAcks() {
        TcpPair.Channel ch = TcpPair.Channel.perfect().withLatency(1_000_000L, 500_000L).lossy(0.04, 0.09, 0.08, 0.03);
        TcpConfig config = TcpConfig.defaults().withOptions(false, false, true)
                .withRetries(4, 6).withTimeWait(2_000_000_000L)
                .withKeepAlive(20_000_000_000L, 1_000_000_000L, 3);
        TcpPair p = new TcpPair(78229, ch, config);
        p.trace = new java.util.ArrayDeque<>();
        TcpPair.App server = p.new App(p.b, 2, 126006, 1, 200000);
        p.b.tcp.listen(80, server::attach);
        TcpConnection c = p.a.tcp.connect(0, IpContext.mapped(TcpPair.B_ADDR), 80, 0);
        TcpPair.App client = p.new App(p.a, 1, 200000, 2, 126006);
        client.attach(c);
        p.a.reschedule();
        p.b.reschedule();
        p.sim.schedule(836 * 1_000_000L, () -> {
            c.close(p.sim.nanoTime());
            p.a.reschedule();
            p.b.reschedule();
        });
        boolean clean = p.sim.runUntil(() -> p.a.tcp.connections() == 0 && p.b.tcp.connections() == 0
                && p.a.tcp.nextDeadline() == Long.MAX_VALUE && p.b.tcp.nextDeadline() == Long.MAX_VALUE,
                Duration.ofSeconds(3600));
        assertTrue(clean, () -> "client " + c + " server " + server.connection + ", last segments:\n"
                + String.join("\n", p.trace));
        assertTrue(p.segmentsCarried < 100_000, p.segmentsCarried + " segments");
    }
}
