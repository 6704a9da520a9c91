package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import io.miragej.stack.Datagram;
import io.miragej.stack.Flow;
import io.miragej.stack.Listener;
import io.miragej.stack.UdpSocket;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class SocketStackTest {

    private static byte[] readAll(Flow f) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int n;
        while ((n = f.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void tcpEchoesTenMegabytesOverBothFamilies(String address) throws Exception {
        try (SocketStack stack = new SocketStack()) {
            Listener l = stack.tcp().listen(0, flow -> flow.transferTo(flow));
            byte[] data = new byte[10 * 1024 * 1024];
            new Random(1).nextBytes(data);
            Flow c = stack.tcp().connect(new Endpoint(IpAddress.parse(address), l.local().port()), Duration.ofSeconds(5));
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int off = 0; off < data.length; off += 100_000) {
                        c.write(data, off, Math.min(100_000, data.length - off));
                    }
                    c.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] back = readAll(c);
            writer.join();
            c.close();
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data),
                    MessageDigest.getInstance("SHA-256").digest(back));
            assertEquals(IpAddress.parse(address), c.remoteEndpoint().address());
            l.close();
        }
    }

    @Test
    void halfCloseLetsTheServerAnswerAfterEndOfStream() throws Exception {
        try (SocketStack stack = new SocketStack()) {
            Listener l = stack.tcp().listen(new Endpoint(Ipv4Address.LOOPBACK, 0), flow -> {
                byte[] got = readAll(flow);
                flow.write(("got " + got.length).getBytes());
            });
            Flow c = stack.tcp().connect(l.local(), Duration.ofSeconds(5));
            c.write("hello".getBytes());
            c.shutdownOutput();
            assertEquals("got 5", new String(readAll(c)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void udpListenersAnswerFromTheirPort(String address) throws Exception {
        try (SocketStack stack = new SocketStack()) {
            Listener l = stack.udp().listen(0, (socket, from, payload) -> socket.send(from, payload));
            IpAddress ip = IpAddress.parse(address);
            try (UdpSocket client = stack.udp().bind(new Endpoint(ip, 0))) {
                for (int size : new int[] {0, 1, 1400, 9000, 65507}) {
                    byte[] msg = new byte[size];
                    new Random(size).nextBytes(msg);
                    client.send(new Endpoint(ip, l.local().port()), msg);
                    Datagram d = client.receive(Duration.ofSeconds(5)).orElseThrow(() -> new AssertionError(
                            "no echo of " + size + " bytes: " + stack.counters().report()));
                    assertArrayEquals(msg, d.payload());
                    assertEquals(l.local().port(), d.from().port());
                }
                assertEquals(Optional.empty(), client.receive(Duration.ofMillis(50)));
                assertThrows(IOException.class, () -> client.send(new Endpoint(ip, 9), new byte[65508]));
            }
            assertEquals(10, stack.counters().get("udp.datagrams.in"), "five at the listener, five back");
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAndCounted() throws Exception {
        Counters counters = new Counters();
        try (SocketStack stack = new SocketStack(counters, 2)) {
            CountDownLatch release = new CountDownLatch(1);
            Listener l = stack.tcp().listen(new Endpoint(Ipv6Address.LOOPBACK, 0), flow -> {
                flow.write(new byte[] {1});
                release.await();
            });
            Flow a = stack.tcp().connect(l.local(), Duration.ofSeconds(5));
            Flow b = stack.tcp().connect(l.local(), Duration.ofSeconds(5));
            assertEquals(1, a.read(new byte[1], 0, 1));
            assertEquals(1, b.read(new byte[1], 0, 1));
            Flow third = stack.tcp().connect(l.local(), Duration.ofSeconds(5));
            assertEquals(-1, third.read(new byte[1], 0, 1), "the third connection is closed at once");
            assertEquals(1, counters.get("tcp.refused.limit"));
            release.countDown();
            // once a slot frees up, the listener serves again
            a.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean served = false;
            while (!served && System.nanoTime() < deadline) {
                Flow again = stack.tcp().connect(l.local(), Duration.ofSeconds(5));
                served = again.read(new byte[1], 0, 1) == 1;
                again.close();
            }
            assertTrue(served);
        }
    }

    @Test
    void aPortInUseIsNamed() throws Exception {
        try (SocketStack stack = new SocketStack()) {
            Listener l = stack.tcp().listen(new Endpoint(Ipv4Address.LOOPBACK, 0), flow -> {});
            IOException e = assertThrows(IOException.class,
                    () -> stack.tcp().listen(new Endpoint(Ipv4Address.LOOPBACK, l.local().port()), flow -> {}));
            assertTrue(e.getMessage().contains("cannot listen on TCP 127.0.0.1:" + l.local().port()), e.getMessage());
            // A port bound but not listening stays ours and refuses connections.
            try (java.net.Socket reserved = new java.net.Socket()) {
                reserved.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
                assertThrows(java.net.ConnectException.class, () -> stack.tcp().connect(
                        new Endpoint(Ipv4Address.LOOPBACK, reserved.getLocalPort()), Duration.ofSeconds(2)));
            }
        }
    }


    @Test
    void retainedDatagramsStayIntactAndTheBuffersBoundThem() throws Exception {
        try (SocketStack stack = new SocketStack()) {
            List<io.miragej.buffer.PacketBuffer> kept = new java.util.concurrent.CopyOnWriteArrayList<>();
            Listener l = stack.udp().listen(new Endpoint(Ipv4Address.LOOPBACK, 0), (s, f, p) -> kept.add(p.retain()));
            try (UdpSocket client = stack.udp().bind(new Endpoint(Ipv4Address.LOOPBACK, 0))) {
                // Keep every datagram until the listener runs out of buffers and drops (counted).
                int sent = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (stack.counters().get("udp.drop.no-buffer") == 0 && System.nanoTime() < deadline) {
                    client.send(l.local(), ("datagram " + sent++).getBytes());
                    Thread.sleep(2);
                }
                assertTrue(stack.counters().get("udp.drop.no-buffer") > 0, "the buffers are a bound");
                assertTrue(kept.size() >= SocketStack.UDP_BUFFERS / 2 && kept.size() <= SocketStack.UDP_BUFFERS,
                        "held " + kept.size());
                for (int i = 0; i < kept.size(); i++) {
                    assertEquals("datagram " + i, new String(kept.get(i).toByteArray()), "kept datagrams are intact");
                }
                List<io.miragej.buffer.PacketBuffer> held = List.copyOf(kept);
                kept.clear();
                held.forEach(io.miragej.buffer.PacketBuffer::release);
                // Once the handler lets go, datagrams are delivered again.
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (kept.isEmpty() && System.nanoTime() < deadline) {
                    client.send(l.local(), "after".getBytes());
                    Thread.sleep(20);
                }
                assertEquals("after", new String(kept.getFirst().toByteArray()), "buffers came back");
            }
        }
    }

    /** Both socket families: an IPv4 listener and a dual-stack one fill their sockaddr slots differently. */
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::"})
    void aBurstIsAnsweredInBatchesWithoutLoss(String bindTo) throws Exception {
        try (SocketStack stack = new SocketStack()) {
            Listener l = stack.udp().listen(new Endpoint(IpAddress.parse(bindTo), 0),
                    (socket, from, payload) -> socket.send(from, payload));
            try (java.nio.channels.DatagramChannel client = java.nio.channels.DatagramChannel.open()) {
                client.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
                java.net.InetSocketAddress server = new java.net.InetSocketAddress("127.0.0.1", l.local().port());
                int burst = 2000;
                for (int i = 0; i < burst; i++) {
                    client.send(java.nio.ByteBuffer.wrap(Integer.toString(i).getBytes()), server);
                }
                // The burst outruns the server; the enlarged kernel buffer holds it, so every query
                // is received and answered (the client's own small buffer may drop answers).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (stack.counters().get("udp.datagrams.out") < burst && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(burst, stack.counters().get("udp.datagrams.in"));
                assertEquals(burst, stack.counters().get("udp.datagrams.out"));
                assertEquals(0, stack.counters().get("app.handler.failures"), stack.counters().report());
            }
        }
    }

    @Test
    void aParallelListenerSpreadsSendersOverItsHandlersAndAnswersEveryOne() throws Exception {
        try (SocketStack stack = new SocketStack()) {
            java.util.concurrent.atomic.AtomicIntegerArray perHandler = new java.util.concurrent.atomic.AtomicIntegerArray(2);
            java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
            Listener l = stack.udp().listen(Endpoint.of("127.0.0.1", 0), 2, () -> {
                int id = made.getAndIncrement();
                return (socket, from, payload) -> {
                    perHandler.incrementAndGet(id);
                    socket.send(from, payload);
                };
            });
            assertEquals(2, made.get(), "one handler per socket");
            int port = l.local().port();
            assertTrue(port > 0);
            int senders = 64;
            for (int i = 0; i < senders; i++) {
                try (java.net.DatagramSocket c = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
                    c.setSoTimeout(5000);
                    byte[] msg = ("sender " + i).getBytes();
                    c.send(new java.net.DatagramPacket(msg, msg.length, java.net.InetAddress.getLoopbackAddress(), port));
                    java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[64], 64);
                    c.receive(p);
                    assertEquals("sender " + i, new String(p.getData(), 0, p.getLength()));
                    assertEquals(port, p.getPort(), "answers come from the listening port");
                }
            }
            // 64 senders on random ports all hashed to one socket: odds 2^-63.
            assertTrue(perHandler.get(0) > 0 && perHandler.get(1) > 0, "both handlers served: " + perHandler);
            assertEquals(senders, perHandler.get(0) + perHandler.get(1));
            l.close();
            // Closed means every socket of the group: the port is free for a plain listener again.
            stack.udp().listen(Endpoint.of("127.0.0.1", port), (socket, from, payload) -> {}).close();
        }
    }

    @Test
    void aParallelismOutsideItsBoundIsRefused() throws Exception {
        try (SocketStack stack = new SocketStack()) {
            for (int bad : new int[] {0, -1, io.miragej.stack.Udp.MAX_PARALLELISM + 1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> stack.udp().listen(Endpoint.of("127.0.0.1", 0), bad, () -> (socket, from, payload) -> {}));
                assertTrue(e.getMessage().contains("1 to 256"), e.getMessage());
            }
        }
    }
}
