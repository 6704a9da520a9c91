package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.RrType;
import io.miragej.net.Endpoint;
import io.miragej.stats.Counters;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Queries sent back to back, as dnsperf and busy resolvers do, are all answered. */
class UdpBurstTest {
    @Test
    void everyQueryOfABurstIsAnswered() throws Exception {
        Counters counters = new Counters();
        AuthoritativeServer server = new AuthoritativeServer(counters);
        server.load(List.of(Zones.example()));
        try (SocketStack stack = new SocketStack(counters, 10); HostTime time = new HostTime();
                DnsService service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time,
                        System::nanoTime, counters, DnsService.Options.defaults());
                DatagramSocket client = new DatagramSocket()) {
            client.setSoTimeout(2000);
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", service.local().port());
            for (int round = 0; round < 20; round++) {
                int n = 64;
                for (int i = 0; i < n; i++) {
                    byte[] q = Message.query(round * n + i, Name.of("host.example.com."), RrType.A).encode();
                    client.send(new DatagramPacket(q, q.length, to));
                }
                BitSet seen = new BitSet();
                for (int i = 0; i < n; i++) {
                    byte[] buf = new byte[512];
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        client.receive(p);
                    } catch (SocketTimeoutException e) {
                        fail("round " + round + ": " + seen.cardinality() + " of " + n + " answered; "
                                + counters.report());
                    }
                    Message m = Message.decode(Arrays.copyOf(buf, p.getLength()));
                    assertEquals(1, m.answers().size());
                    seen.set(m.id() - round * n);
                }
                assertEquals(n, seen.cardinality());
            }
        }
    }

    /** With several UDP threads, each socket of the group answers with its own responder. */
    @Test
    void severalUdpThreadsAnswerManySenders() throws Exception {
        Counters counters = new Counters();
        AuthoritativeServer server = new AuthoritativeServer(counters);
        server.load(List.of(Zones.example()));
        try (SocketStack stack = new SocketStack(counters, 10); HostTime time = new HostTime();
                DnsService service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time,
                        System::nanoTime, counters, DnsService.Options.defaults().withUdpThreads(2))) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", service.local().port());
            int senders = 32;
            for (int s = 0; s < senders; s++) {
                try (DatagramSocket client = new DatagramSocket()) {
                    client.setSoTimeout(2000);
                    for (int i = 0; i < 8; i++) {
                        byte[] q = Message.query(s * 8 + i, Name.of("host.example.com."), RrType.A).encode();
                        client.send(new DatagramPacket(q, q.length, to));
                    }
                    for (int i = 0; i < 8; i++) {
                        byte[] buf = new byte[512];
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        client.receive(p);
                        Message m = Message.decode(Arrays.copyOf(buf, p.getLength()));
                        assertEquals(1, m.answers().size());
                        assertEquals(s * 8, m.id() - m.id() % 8, "the answer to one of this sender's queries");
                    }
                }
            }
            assertEquals(senders * 8, counters.get("dns.queries.in"), counters.report());
            // One reader thread per socket of the group (SocketStackTest shows the kernel uses both).
            long threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("udp-127.0.0.1:" + service.local().port() + "#")).count();
            assertEquals(2, threads);
        }
    }
}
