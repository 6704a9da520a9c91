package io.miragej.tcpip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.net.Endpoint;
import io.miragej.net.IpPrefix;
import io.miragej.stack.Datagram;
import io.miragej.stack.Flow;
import io.miragej.stack.Listener;
import io.miragej.stack.UdpSocket;
import io.miragej.testkit.LinkProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Stack signature on DirectStacks joined by a simulated link, applications on simulated threads. */
@Timeout(120)
class DirectStackTest {
    final SimHosts hosts = new SimHosts(42, LinkProfile.perfect());
    final DirectStack server = hosts.host("server", "10.0.0.1/24");
    final DirectStack client = hosts.host("client", "10.0.0.2/24");
    static final Endpoint SERVER = Endpoint.of("10.0.0.1", 7);

    /** Runs {@code body} on a simulated thread and the simulation until it finished. */
    void run(ThrowingRunnable body) {
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
        assertTrue(hosts.sim.runUntil(() -> done[0], Duration.ofSeconds(600)), "the test body never finished");
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void echoesAMegabyteOverTcp() {
        byte[] data = new byte[1 << 20];
        new Random(1).nextBytes(data);
        run(() -> {
            server.tcp().listen(7, flow -> flow.transferTo(flow));
            Flow f = client.tcp().connect(SERVER, Duration.ofSeconds(5));
            assertEquals(SERVER, f.remoteEndpoint());
            hosts.sim.spawn("writer", () -> {
                try {
                    f.write(data);
                    f.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = f.read(buf, 0, buf.length)) >= 0) {
                back.write(buf, 0, n);
            }
            f.close();
            assertArrayEquals(data, back.toByteArray());
        });
    }

    @Test
    void echoesUdpDatagramsThroughAHandler() {
        run(() -> {
            server.udp().listen(7, (socket, from, payload) -> socket.send(from, payload));
            try (UdpSocket s = client.udp().bind(Endpoint.any(0))) {
                for (int i = 0; i < 5; i++) {
                    byte[] msg = ("ping " + i).getBytes();
                    s.send(SERVER, msg);
                    Optional<Datagram> d = s.receive(Duration.ofSeconds(1));
                    assertTrue(d.isPresent());
                    assertArrayEquals(msg, d.get().payload());
                    assertEquals(SERVER, d.get().from());
                }
                assertTrue(s.receive(Duration.ofMillis(100)).isEmpty(), "times out when nothing comes");
            }
        });
    }

    @Test
    void largeDatagramsAreFragmentedAndReassembled() {
        byte[] big = new byte[20_000];
        new Random(2).nextBytes(big);
        run(() -> {
            server.udp().listen(7, (socket, from, payload) -> socket.send(from, payload));
            try (UdpSocket s = client.udp().bind(Endpoint.any(0))) {
                s.send(SERVER, big);
                assertArrayEquals(big, s.receive(Duration.ofSeconds(1)).orElseThrow().payload());
            }
        });
        assertTrue(client.counters().get("ipv4.tx.fragments") >= 14);
    }

    @Test
    void aClosedPortRefusesTheConnection() {
        run(() -> {
            ConnectException e = assertThrows(ConnectException.class,
                    () -> client.tcp().connect(Endpoint.of("10.0.0.1", 9), Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("refused"), e.getMessage());
        });
    }

    @Test
    void aSilentHostTimesTheConnectOut() {
        run(() -> assertThrows(SocketTimeoutException.class,
                () -> client.tcp().connect(Endpoint.of("10.0.0.99", 80), Duration.ofSeconds(2))));
    }

    @Test
    void destinationsWithoutARouteAreRefusedWithAnExplanation() {
        run(() -> {
            IOException e = assertThrows(IOException.class,
                    () -> client.tcp().connect(Endpoint.of("192.0.2.1", 80), Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("--ipv4-gateway"), e.getMessage());
            try (UdpSocket s = client.udp().bind(Endpoint.any(0))) {
                assertThrows(IOException.class, () -> s.send(Endpoint.of("192.0.2.1", 53), new byte[1]));
            }
        });
    }

    @Test
    void listenersReportTheirPortAndPortsAreExclusive() {
        run(() -> {
            Listener l = server.tcp().listen(0, flow -> {});
            assertTrue(l.local().port() >= 49152);
            server.tcp().listen(80, flow -> {});
            assertThrows(IOException.class, () -> server.tcp().listen(80, flow -> {}));
            l.close();
            server.udp().listen(53, (s, f, p) -> {});
            assertThrows(IOException.class, () -> server.udp().bind(Endpoint.any(53)));
            assertThrows(IOException.class, () -> server.tcp().listen(Endpoint.of("10.0.0.9", 81), flow -> {}));
        });
    }

    @Test
    void manyConnectionsAtOnce() {
        run(() -> {
            server.tcp().listen(7, flow -> flow.transferTo(flow));
            List<Flow> flows = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                flows.add(client.tcp().connect(SERVER, Duration.ofSeconds(5)));
            }
            for (int i = 0; i < flows.size(); i++) {
                Flow f = flows.get(i);
                f.write(("hello " + i).getBytes());
                f.shutdownOutput();
            }
            for (int i = 0; i < flows.size(); i++) {
                byte[] got = flows.get(i).inputStream().readAllBytes();
                assertEquals("hello " + i, new String(got));
            }
        });
    }

    @Test
    void blockingCallsFromTheLoopAreRefusedWithAnExplanation() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        run(() -> {
            server.udp().listen(7, (socket, from, payload) -> {
                try {
                    server.tcp().connect(Endpoint.of("10.0.0.2", 9), Duration.ofSeconds(1));
                } catch (Throwable t) {
                    seen.set(t);
                }
            });
            try (UdpSocket s = client.udp().bind(Endpoint.any(0))) {
                s.send(SERVER, new byte[1]);
                hosts.sim.sleep(Duration.ofMillis(50));
            }
        });
        assertTrue(seen.get() instanceof IllegalStateException, String.valueOf(seen.get()));
        assertTrue(seen.get().getMessage().contains("virtual thread"), seen.get().getMessage());
    }

    @Test
    void theIpFaceShowsTheAddressAndMtu() {
        assertEquals(List.of(IpPrefix.parse("10.0.0.1/24")), server.ip().addresses());
        assertEquals(1500, server.ip().mtu());
        assertEquals("direct", server.mode());
    }

    @Test
    void closingTheStackResetsItsConnectionsAndWakesReaders() {
        run(() -> {
            server.tcp().listen(7, flow -> flow.transferTo(flow));
            Flow f = client.tcp().connect(SERVER, Duration.ofSeconds(5));
            client.close();
            assertThrows(IOException.class, () -> f.read(new byte[10], 0, 10));
        });
    }
}
