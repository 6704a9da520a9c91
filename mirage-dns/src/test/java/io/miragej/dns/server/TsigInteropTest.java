package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Name;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.zone.ZoneFile;
import io.miragej.net.Endpoint;
import io.miragej.net.IpPrefix;
import io.miragej.stats.Counters;
import io.miragej.testkit.Interop;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** kdig with TSIG keys (RFC 8945) against the server on the host's sockets: kdig checks every MAC. */
class TsigInteropTest {
    private static final Duration T = Duration.ofSeconds(20);
    static final String SECRET = Base64.getEncoder().encodeToString("kdig and MirageJ share this secret".getBytes());
    static final String OTHER_SECRET = Base64.getEncoder().encodeToString("a guess".getBytes());
    /** Enough records for several 16 KB transfer messages, each signed and chained. */
    static final int HOSTS = 3000;
    private Counters counters;
    private SocketStack stack;
    private HostTime time;
    private DnsService service;
    private String port;

    static String bigZone() {
        StringBuilder sb = new StringBuilder(Zones.EXAMPLE);
        for (int i = 0; i < HOSTS; i++) {
            sb.append("h").append(i).append(" A 198.51.").append(i / 250).append('.').append(i % 250).append('\n');
        }
        return sb.toString();
    }

    @BeforeEach
    void start() throws Exception {
        counters = new Counters();
        stack = new SocketStack(counters, 1000);
        time = new HostTime();
        TsigKey key = TsigKey.parse("xfr.example.:hmac-sha256:" + SECRET);
        TsigKey sha1 = TsigKey.parse("old.example.:hmac-sha1:" + SECRET);
        TsigKey sha512 = TsigKey.parse("long.example.:hmac-sha512:" + SECRET);
        AuthoritativeServer server = new AuthoritativeServer(counters, AuthoritativeServer.Options.defaults()
                .withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8")))
                .withTsigKeys(List.of(key, sha1, sha512))
                .withTransferKeys(List.of(key.name(), sha1.name(), sha512.name())), () -> System.currentTimeMillis() * 1_000_000L);
        server.load(List.of(ZoneFile.parse(bigZone(), "big.zone", null)));
        service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time, System::nanoTime, counters,
                DnsService.Options.defaults());
        port = Integer.toString(service.local().port());
    }

    @AfterEach
    void stop() {
        service.close();
        stack.close();
        time.close();
    }

    private Proc.Result kdig(String... args) throws Exception {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "kdig";
        cmd[1] = "@127.0.0.1";
        cmd[2] = "-p";
        cmd[3] = port;
        System.arraycopy(args, 0, cmd, 4, args.length);
        return Proc.run(T, cmd);
    }

    @Test
    void kdigTransfersTheWholeZoneSignedAndVerifiesEveryMessage() throws Exception {
        Interop.requireCommands("knot-dnsutils", "kdig");
        for (String y : new String[] {"hmac-sha256:xfr.example.:" + SECRET, "hmac-sha1:old.example.:" + SECRET}) {
            Proc.Result r = kdig("-y", y, "example.com", "AXFR");
            assertEquals(0, r.exit(), r.err() + r.out());
            assertFalse(r.err().contains("ERROR") || r.err().contains("WARNING"), r.err());
            // the zone's records, the closing SOA, and one TSIG record per message
            long tsigs = r.out().lines().filter(l -> l.matches("xfr\\.example\\.\\s+0\\s+ANY\\s+TSIG.*")
                    || l.matches("old\\.example\\.\\s+0\\s+ANY\\s+TSIG.*")).count();
            var summary = java.util.regex.Pattern.compile("Received \\d+ B \\((\\d+) messages, (\\d+) records\\)")
                    .matcher(r.out());
            assertTrue(summary.find(), r.out());
            int messages = Integer.parseInt(summary.group(1));
            assertTrue(messages > 1, "a transfer of several messages: " + messages);
            assertEquals(messages, tsigs, "every message carries a TSIG record");
            assertTrue(r.out().contains("h2999.example.com."), "the last host arrived");
        }
        assertTrue(counters.get("dns.tsig.in.ok") >= 2);
    }

    /** BIND's dig as a second, independent verifier: it reports a MAC it cannot verify. */
    @Test
    void digTransfersTheZoneSignedWithSha512AndVerifiesIt() throws Exception {
        Interop.requireCommands("dnsutils", "dig");
        Proc.Result r = Proc.run(T, "dig", "@127.0.0.1", "-p", port, "-y", "hmac-sha512:long.example.:" + SECRET,
                "example.com", "AXFR");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertFalse(r.out().contains("Couldn't verify") || r.out().contains("failed") || r.out().contains("Transfer failed"),
                r.out());
        assertTrue(r.out().contains("h2999.example.com."), "the last host arrived");
        assertTrue(r.out().matches("(?s).*XFR size: \\d+ records \\(messages [2-9]\\d*.*"), r.out().lines()
                .filter(l -> l.startsWith(";;")).toList().toString());
        Proc.Result wrong = Proc.run(T, "dig", "@127.0.0.1", "-p", port, "-y", "hmac-sha512:long.example.:" + OTHER_SECRET,
                "example.com", "AXFR");
        assertTrue(wrong.out().contains("BADSIG") || wrong.err().contains("BADSIG"), wrong.out() + wrong.err());
        assertFalse(wrong.out().contains("h2999.example.com."));
    }

    @Test
    void kdigWithAWrongSecretIsAnsweredBadsigAnUnknownKeyBadkeyNoKeyRefused() throws Exception {
        Interop.requireCommands("knot-dnsutils", "kdig");
        Proc.Result bad = kdig("-y", "hmac-sha256:xfr.example.:" + OTHER_SECRET, "example.com", "AXFR");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("BADSIG"), bad.err() + bad.out());
        assertFalse(bad.out().contains("h2999.example.com."), bad.out());
        Proc.Result unknown = kdig("-y", "hmac-sha256:stranger.example.:" + SECRET, "example.com", "AXFR");
        assertNotEquals(0, unknown.exit());
        assertTrue(unknown.err().contains("BADKEY"), unknown.err() + unknown.out());
        Proc.Result unsigned = kdig("+tcp", "example.com", "AXFR");
        assertNotEquals(0, unsigned.exit());
        assertTrue(unsigned.err().contains("REFUSED"), unsigned.err() + unsigned.out());
        assertEquals(1, counters.get("dns.tsig.in.badsig"));
        assertEquals(1, counters.get("dns.tsig.in.badkey"));
        assertEquals(0, counters.get("dns.axfr.out"));
    }

    @Test
    void kdigSignedQueriesOverUdpAndTcpAreAnsweredSigned() throws Exception {
        Interop.requireCommands("knot-dnsutils", "kdig");
        for (String transport : new String[] {"+notcp", "+tcp"}) {
            Proc.Result r = kdig(transport, "-y", "hmac-sha256:xfr.example.:" + SECRET, "host.example.com", "A");
            assertEquals(0, r.exit(), r.err() + r.out());
            assertTrue(r.out().contains("status: NOERROR"), r.out());
            assertTrue(r.out().contains("TSIG PSEUDOSECTION"), r.out());
            assertTrue(r.out().matches("(?s).*xfr\\.example\\.\\s+0\\s+ANY\\s+TSIG\\s+hmac-sha256\\..*NOERROR.*"), r.out());
            assertFalse(r.err().contains("ERROR"), r.err());
        }
    }
    /** nsupdate with a key: MirageJ does not take updates, and says so (NOTIMP) in a signed answer. */
    @Test
    void nsupdateWithAKeyGetsASignedNotimp(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Interop.requireCommands("dnsutils", "nsupdate");
        java.nio.file.Path commands = dir.resolve("update.txt");
        java.nio.file.Files.writeString(commands, "server 127.0.0.1 " + port
                + "\nzone example.com\nupdate add new.example.com 300 A 192.0.2.7\nsend\n");
        Proc.Result r = Proc.run(T, "nsupdate", "-y", "hmac-sha256:xfr.example.:" + SECRET, commands.toString());
        String all = r.out() + r.err();
        assertTrue(all.contains("NOTIMP"), all);
        assertFalse(all.toLowerCase(java.util.Locale.ROOT).contains("tsig"), "no complaint about the signature: " + all);
    }
}
