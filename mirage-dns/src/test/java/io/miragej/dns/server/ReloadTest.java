package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.zone.Zone;
import io.miragej.net.Endpoint;
import io.miragej.stats.Counters;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reloading zones while queries arrive drops none of them and never mixes two versions. */
class ReloadTest {
    static Zone version(long serial) {
        // Every name's address carries the serial, so a response mixing versions would show.
        StringBuilder z = new StringBuilder("$ORIGIN r.test.\n$TTL 60\n@ SOA ns hm " + serial + " 1 1 1 1\n NS ns\n");
        z.append("ns A 192.0.2.1\n");
        for (int i = 0; i < 200; i++) {
            z.append("h").append(i).append(" A 10.").append(serial % 200).append(".0.").append(i).append('\n');
        }
        z.append("multi A 10.").append(serial % 200).append(".1.1\nmulti A 10.").append(serial % 200).append(".1.2\n");
        return Zones.parse(z.toString());
    }

    @Test
    void reloadsUnderLoadDropNothing() throws Exception {
        Counters counters = new Counters();
        AuthoritativeServer server = new AuthoritativeServer(counters);
        server.load(List.of(version(1)));
        try (SocketStack stack = new SocketStack(counters, 10); HostTime time = new HostTime();
                DnsService service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time,
                        System::nanoTime, counters, DnsService.Options.defaults());
                DatagramSocket client = new DatagramSocket()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger reloads = new AtomicInteger();
            Thread reloader = Thread.ofPlatform().start(() -> {
                long serial = 2;
                while (!stop.get()) {
                    server.load(List.of(version(serial++)));
                    reloads.incrementAndGet();
                }
            });
            client.setSoTimeout(2000);
            int port = service.local().port();
            int answered = 0;
            try {
                for (int i = 0; i < 3000; i++) {
                    String name = i % 2 == 0 ? "multi.r.test." : "h" + (i % 200) + ".r.test.";
                    byte[] q = Message.query(i & 0xffff, Name.of(name), RrType.A).encode();
                    client.send(new DatagramPacket(q, q.length, new InetSocketAddress("127.0.0.1", port)));
                    byte[] buf = new byte[1500];
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        client.receive(p);
                    } catch (SocketTimeoutException e) {
                        fail("query " + i + " got no answer during reloads");
                    }
                    Message m = Message.decode(Arrays.copyOf(buf, p.getLength()));
                    assertEquals(0, m.rcode());
                    assertEquals(i & 0xffff, m.id());
                    long v = -1;
                    for (Record r : m.answers()) {
                        long second = r.rdata().toWire()[1] & 0xff;
                        assertTrue(v < 0 || v == second, "one response, one version: " + m);
                        v = second;
                    }
                    answered++;
                }
            } finally {
                stop.set(true);
                reloader.join();
            }
            assertEquals(3000, answered);
            assertTrue(reloads.get() > 10, "reloads happened meanwhile: " + reloads.get());
        }
    }
}
