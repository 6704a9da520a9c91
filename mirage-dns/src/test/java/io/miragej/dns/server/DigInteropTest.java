package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.net.Endpoint;
import io.miragej.net.IpPrefix;
import io.miragej.stats.Counters;
import io.miragej.testkit.Interop;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** dig and kdig against the server on the host's sockets, over UDP and TCP. */
class DigInteropTest {
    private static final Duration T = Duration.ofSeconds(20);
    private Counters counters;
    private SocketStack stack;
    private HostTime time;
    private DnsService service;
    private String port;

    @BeforeEach
    void start() throws Exception {
        counters = new Counters();
        stack = new SocketStack(counters, 1000);
        time = new HostTime();
        AuthoritativeServer server = new AuthoritativeServer(counters,
                AuthoritativeServer.Options.defaults().withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8"))));
        server.load(List.of(Zones.example()));
        service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time, System::nanoTime, counters,
                new DnsService.Options(Duration.ofMillis(400), 3));
        port = Integer.toString(service.local().port());
    }

    @AfterEach
    void stop() {
        service.close();
        stack.close();
        time.close();
    }

    private String dig(String... args) throws Exception {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "dig";
        cmd[1] = "@127.0.0.1";
        cmd[2] = "-p";
        cmd[3] = port;
        System.arraycopy(args, 0, cmd, 4, args.length);
        return Proc.ok(T, cmd);
    }

    private String kdig(String... args) throws Exception {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "kdig";
        cmd[1] = "@127.0.0.1";
        cmd[2] = "-p";
        cmd[3] = port;
        System.arraycopy(args, 0, cmd, 4, args.length);
        return Proc.ok(T, cmd);
    }

    @Test
    void digOverUdpAndTcp() throws Exception {
        Interop.requireCommands("dnsutils", "dig");
        for (String transport : new String[] {"+notcp", "+tcp"}) {
            String out = dig(transport, "+norec", "www.example.com", "A");
            assertTrue(out.contains("status: NOERROR"), out);
            assertTrue(out.contains("flags: qr aa;"), out);
            assertTrue(out.matches("(?s).*www\\.example\\.com\\.\\s+3600\\s+IN\\s+CNAME\\s+web\\.example\\.com\\..*"), out);
            assertTrue(out.matches("(?s).*host\\.example\\.com\\.\\s+3600\\s+IN\\s+A\\s+192\\.0\\.2\\.80.*"), out);
            assertTrue(out.contains("; EDNS: version: 0, flags:; udp: 1232"), out);
            String nx = dig(transport, "nope.example.com", "AAAA");
            assertTrue(nx.contains("status: NXDOMAIN"), nx);
            assertTrue(nx.matches("(?s).*AUTHORITY SECTION:\\s+example\\.com\\.\\s+300\\s+IN\\s+SOA.*"), nx);
        }
        String refused = dig("example.org", "A");
        assertTrue(refused.contains("status: REFUSED"), refused);
        String big = dig("+ignore", "+noedns", "big.example.com", "TXT");
        assertTrue(big.contains("flags: qr aa tc rd;"), big);
        String retried = dig("big.example.com", "TXT", "+noedns");
        assertEquals(5, retried.lines().filter(l -> l.startsWith("big.example.com.")).count(), "dig retries over TCP: " + retried);
    }

    @Test
    void kdigOverUdpAndTcpWithSeveralQueriesOnOneConnection() throws Exception {
        Interop.requireCommands("knot-dnsutils", "kdig");
        String udp = kdig("x.wild.example.com", "MX");
        assertTrue(udp.contains("status: NOERROR"), udp);
        assertTrue(udp.matches("(?s).*x\\.wild\\.example\\.com\\.\\s+3600\\s+IN\\s+MX\\s+10 mail\\.example\\.com\\..*"), udp);
        assertTrue(udp.matches("(?s).*mail\\.example\\.com\\.\\s+3600\\s+IN\\s+AAAA\\s+2001:db8::25.*"), udp);
        long before = counters.get("tcp.accepted");
        String tcp = kdig("+tcp", "+keepopen", "host.example.com", "A", "Www.Sub.example.com", "A", "sub.example.com", "DS");
        assertEquals(3, tcp.split("status: NOERROR", -1).length - 1, tcp);
        assertTrue(tcp.matches("(?s).*sub\\.example\\.com\\.\\s+3600\\s+IN\\s+NS\\s+ns\\.sub\\.example\\.com\\..*"), tcp);
        assertEquals(1, counters.get("tcp.accepted") - before, "three queries, one connection (RFC 7766)");
    }

    @Test
    void kdigReceivesTheWholeZoneByAxfr() throws Exception {
        Interop.requireCommands("knot-dnsutils", "kdig");
        String out = kdig("example.com", "AXFR");
        long soas = out.lines().filter(l -> l.matches("example\\.com\\.\\s+3600\\s+IN\\s+SOA.*")).count();
        assertEquals(2, soas, out);
        long records = out.lines().filter(l -> !l.startsWith(";") && !l.isBlank()).count();
        assertEquals(Zones.example().records().size() + 1, records, out);
        String ixfr = kdig("EXAMPLE.com", "IXFR=0");
        assertEquals(2, ixfr.lines().filter(l -> l.matches("(?i)example\\.com\\.\\s+3600\\s+IN\\s+SOA.*")).count(),
                "IXFR is answered with the whole zone (RFC 1995 §4): " + ixfr);
        String udp = Proc.run(T, "kdig", "@127.0.0.1", "-p", port, "+notcp", "example.com", "AXFR").out();
        assertFalse(udp.contains("IN\tSOA"), "no transfer over UDP: " + udp);
    }

    @Test
    void idleConnectionsAreClosedAndConnectionsAreBounded() throws Exception {
        try (Socket idle = new Socket()) {
            idle.connect(new InetSocketAddress("127.0.0.1", service.local().port()));
            idle.setSoTimeout(5000);
            long t0 = System.nanoTime();
            assertEquals(-1, idle.getInputStream().read(), "the server closes an idle connection");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 300 && ms < 3000, "closed after " + ms + " ms");
        }
        assertTrue(counters.get("dns.tcp.closed.idle") >= 1);
        // Connections of other tests may still be closing, so count from here on.
        long refusedBefore = counters.get("dns.tcp.refused.limit");
        Socket[] held = new Socket[3];
        try {
            for (int i = 0; i < 3; i++) {
                held[i] = new Socket("127.0.0.1", service.local().port());
            }
            try (Socket extra = new Socket("127.0.0.1", service.local().port())) {
                extra.setSoTimeout(5000);
                InputStream in = extra.getInputStream();
                assertEquals(-1, in.read());
            }
            // Refused for the limit, not closed for idling (timing would not tell them apart on a busy machine).
            assertTrue(counters.get("dns.tcp.refused.limit") > refusedBefore, "the refusal is counted");
        } finally {
            for (Socket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
