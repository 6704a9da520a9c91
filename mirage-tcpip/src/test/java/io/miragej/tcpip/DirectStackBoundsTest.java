package io.miragej.tcpip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.Endpoint;
import io.miragej.stack.Flow;
import io.miragej.stack.UdpSocket;
import io.miragej.tcpip.tcp.TcpConfig;
import io.miragej.testkit.LinkProfile;
import io.miragej.testkit.SimNetwork;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bounds of the assembled stack: each one hit, and the stack still serves afterwards. */
@Timeout(120)
class DirectStackBoundsTest {
    final SimHosts hosts = new SimHosts(3, LinkProfile.perfect());
    final DirectStack server = hosts.host("server", "10.0.0.1/24", TcpConfig.defaults().withLimits(16, 256, 64));
    final DirectStack client = hosts.host("client", "10.0.0.2/24");

    interface Body {
        void run() throws Exception;
    }

    void run(Body body) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean[] done = {false};
        hosts.sim.spawn("test", () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done[0] = true;
            }
        });
        assertTrue(hosts.sim.runUntil(() -> done[0], Duration.ofSeconds(3600)), "the test body never finished");
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void aSocketQueuesAtMostItsBoundOfDatagrams() {
        run(() -> {
            UdpSocket sink = server.udp().bind(Endpoint.any(53));
            try (UdpSocket s = client.udp().bind(Endpoint.any(0))) {
                for (int i = 0; i < DirectStack.UDP_QUEUE + 44; i++) {
                    s.send(Endpoint.of("10.0.0.1", 53), new byte[] {(byte) i});
                    hosts.sim.sleep(Duration.ofMillis(1));
                }
            }
            assertEquals(44, server.counters().get("udp.drop.socket-queue-full"));
            for (int i = 0; i < DirectStack.UDP_QUEUE; i++) {
                assertEquals((byte) i, sink.receive(Duration.ofSeconds(1)).orElseThrow().payload()[0]);
            }
            try (UdpSocket s = client.udp().bind(Endpoint.any(0))) {
                s.send(Endpoint.of("10.0.0.1", 53), new byte[] {9});
            }
            assertEquals(9, sink.receive(Duration.ofSeconds(1)).orElseThrow().payload()[0], "still serves");
        });
    }

    @Test
    void aWriterToAPeerThatDoesNotReadIsHeldBackThenFinishes() {
        boolean[] reading = {false};
        AtomicLong written = new AtomicLong();
        AtomicLong read = new AtomicLong();
        long total = 8L << 20;
        run(() -> {
            server.tcp().listen(9, flow -> {
                hosts.sim.waitUntil(() -> reading[0], Duration.ofMillis(10));
                byte[] b = new byte[32 * 1024];
                int n;
                while ((n = flow.read(b, 0, b.length)) >= 0) {
                    read.addAndGet(n);
                }
            });
            Flow f = client.tcp().connect(Endpoint.of("10.0.0.1", 9), Duration.ofSeconds(5));
            boolean[] writerDone = {false};
            hosts.sim.spawn("writer", () -> {
                try {
                    byte[] chunk = new byte[16 * 1024];
                    while (written.get() < total) {
                        f.write(chunk, 0, chunk.length);
                        written.addAndGet(chunk.length);
                    }
                    f.close();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                } finally {
                    writerDone[0] = true;
                }
            });
            hosts.sim.sleep(Duration.ofSeconds(5));
            long held = written.get();
            // Both send buffers, both receive buffers and the flows' rings: about a megabyte, not 8.
            assertTrue(held < (3L << 20), "the writer got " + held + " bytes out while nobody read");
            assertTrue(held > 256 * 1024, "buffers filled before the writer waited: " + held);
            reading[0] = true;
            hosts.sim.waitUntil(() -> writerDone[0] && read.get() == total, Duration.ofMillis(10));
            assertEquals(total, read.get());
        });
        assertTrue(client.counters().get("tcp.window-probes") > 0, "the closed window was probed");
    }

    @Test
    void aSynFloodFillsTheBacklogAndARealClientStillGetsIn() {
        SimNetwork attacker = hosts.medium.attach("attacker");
        attacker.listen(hosts.sim, f -> {});
        run(() -> {
            server.tcp().listen(80, flow -> flow.write("welcome".getBytes()));
            // 500 SYNs from spoofed addresses on the local network, none of which will ever answer.
            for (int i = 0; i < 500; i++) {
                int src = 0x0a00_0000 | (10 + i % 200);
                byte[] syn = synFrame(src, 1024 + i);
                PacketBuffer b = attacker.allocate();
                b.extend(syn.length).setBytes(0, syn);
                attacker.send(b);
            }
            hosts.sim.sleep(Duration.ofMillis(100));
            assertEquals(500 - 16, server.counters().get("tcp.syn.backlog-evicted"));
            Flow f = client.tcp().connect(Endpoint.of("10.0.0.1", 80), Duration.ofSeconds(10));
            assertEquals("welcome", new String(f.inputStream().readAllBytes()));
        });
    }

    static byte[] synFrame(int src, int port) {
        int dst = 0x0a00_0001;
        byte[] tcp = new byte[20];
        tcp[0] = (byte) (port >>> 8);
        tcp[1] = (byte) port;
        tcp[3] = 80;
        Packets.putInt(tcp, 4, 12345);
        tcp[12] = 0x50;
        tcp[13] = 0x02;
        tcp[14] = (byte) 0xff;
        tcp[15] = (byte) 0xff;
        long pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + 20;
        int cs = Packets.checksum(tcp, 0, 20, pseudo);
        tcp[16] = (byte) (cs >>> 8);
        tcp[17] = (byte) cs;
        // to the server's MAC (port 1 of the switch), from a made-up MAC
        return Packets.ethernet(0x02_00_00_00_00_01L, 0x02_00_00_00_77_00L | (src & 0xff), 0x0800,
                Packets.ipv4(src, dst, 6, tcp));
    }
}
