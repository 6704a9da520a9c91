package io.miragej.dns.resolver;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.RrType;
import io.miragej.dns.server.AuthoritativeServer;
import io.miragej.dns.server.DnsService;
import io.miragej.dns.zone.ZoneFile;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.stats.Counters;
import io.miragej.unix.HostRandom;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.io.IOException;
import java.net.DatagramSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The resolver against the server, both on the host's sockets. */
class StubResolverTest {
    private SocketStack stack;
    private HostTime time;
    private DnsService service;
    private Counters counters;

    @BeforeEach
    void start() throws Exception {
        counters = new Counters();
        stack = new SocketStack(counters, 100);
        time = new HostTime();
        AuthoritativeServer server = new AuthoritativeServer(counters);
        server.load(List.of(ZoneFile.parse(zone(), "r.zone", null)));
        service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time, System::nanoTime, counters,
                DnsService.Options.defaults());
    }

    /** r.test: www with A and AAAA, and a TXT RRset too big for UDP. */
    static String zone() {
        StringBuilder z = new StringBuilder("$ORIGIN r.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n NS ns\nns A 192.0.2.1\n");
        z.append("www A 192.0.2.80\nwww AAAA 2001:db8::80\n");
        for (int i = 0; i < 20; i++) {
            z.append("big TXT \"").append("x".repeat(150)).append(i).append("\"\n");
        }
        return z.toString();
    }

    @AfterEach
    void stop() {
        service.close();
        stack.close();
        time.close();
    }

    private StubResolver resolver(List<Endpoint> servers, Duration timeout) {
        return new StubResolver(stack, servers, new HostRandom(), System::nanoTime, time,
                new StubResolver.Options(timeout, 3, false, 1232));
    }

    @Test
    void resolvesOverUdp() throws Exception {
        StubResolver r = resolver(List.of(service.local()), Duration.ofSeconds(2));
        List<IpAddress> a = r.addresses(Name.of("www.r.test."));
        assertEquals(List.of(IpAddress.parse("192.0.2.80"), IpAddress.parse("2001:db8::80")), a);
        assertEquals(Rcode.NXDOMAIN, r.query(Name.of("nope.r.test."), RrType.A).rcode());
    }

    @Test
    void fallsBackToTcpWhenTruncated() throws Exception {
        StubResolver r = resolver(List.of(service.local()), Duration.ofSeconds(2));
        long tcpBefore = counters.get("tcp.accepted");
        Message m = r.query(Name.of("big.r.test."), RrType.TXT);
        assertEquals(20, m.answers().size());
        assertFalse(m.tc());
        assertEquals(1, counters.get("tcp.accepted") - tcpBefore);
        assertEquals(1, counters.get("dns.responses.truncated"));
    }

    @Test
    void silentServersAreRetriedThenSkipped() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            Endpoint dead = Endpoint.of("127.0.0.1", silent.getLocalPort());
            StubResolver r = resolver(List.of(dead, service.local()), Duration.ofMillis(200));
            long t0 = System.nanoTime();
            Message m = r.query(Name.of("www.r.test."), RrType.A);
            assertEquals(1, m.answers().size());
            assertTrue(System.nanoTime() - t0 >= 150_000_000L, "waited for the silent server first");
            StubResolver none = resolver(List.of(dead), Duration.ofMillis(100));
            IOException e = assertThrows(IOException.class, () -> none.query(Name.of("www.r.test."), RrType.A));
            assertTrue(e.getMessage().contains("3 attempts"), e.getMessage());
        }
    }
}
