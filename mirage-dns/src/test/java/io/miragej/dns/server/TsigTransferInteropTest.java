package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.device.WallClock;
import io.miragej.dns.Name;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.zone.ZoneFile;
import io.miragej.net.Endpoint;
import io.miragej.net.IpPrefix;
import io.miragej.stats.Counters;
import io.miragej.testkit.Interop;
import io.miragej.unix.HostRandom;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zone transfers and NOTIFY signed with TSIG keys (RFC 8945) both ways between MirageJ and NSD, and
 * between two MirageJ servers; wrong keys fail and are counted.
 */
class TsigTransferInteropTest {
    static final String SECRET = Base64.getEncoder().encodeToString("primary and secondary share it".getBytes());
    static final TsigKey KEY = TsigKey.parse("xfr.example.:hmac-sha256:" + SECRET);
    static final TsigKey WRONG = TsigKey.parse("xfr.example.:hmac-sha256:" + Base64.getEncoder().encodeToString(
            "not the secret".getBytes()));
    static final WallClock WALL = () -> System.currentTimeMillis() * 1_000_000L;

    static final int NSD_HOSTS = 20_000;

    static String hosts(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("h").append(i).append(" A 198.51.").append(i / 250).append('.').append(i % 250).append('\n');
        }
        return sb.toString();
    }

    @TempDir
    Path dir;
    private Counters counters;
    private SocketStack stack;
    private HostTime time;

    @BeforeEach
    void start() {
        counters = new Counters();
        stack = new SocketStack(counters, 100);
        time = new HostTime();
    }

    @AfterEach
    void stop() {
        stack.close();
        time.close();
    }

    private DnsService serve(AuthoritativeServer server) throws Exception {
        return DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time, System::nanoTime, counters,
                DnsService.Options.defaults());
    }

    private AuthoritativeServer primaryRequiringTheKey() {
        return new AuthoritativeServer(counters, AuthoritativeServer.Options.defaults()
                .withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8")))
                .withTsigKeys(List.of(KEY)).withTransferKeys(List.of(KEY.name())), WALL);
    }

    private AuthoritativeServer secondaryKnowing(TsigKey key) {
        return new AuthoritativeServer(counters, AuthoritativeServer.Options.defaults().withTsigKeys(List.of(key)), WALL);
    }

    static String nsdKey() {
        return """
                key:
                  name: xfr.example.
                  algorithm: hmac-sha256
                  secret: "%s"
                """.formatted(SECRET);
    }

    @Test
    void nsdIsSecondaryOfMirageJWithTsig() throws Exception {
        Interop.requireCommands("nsd", "nsd");
        AuthoritativeServer server = primaryRequiringTheKey();
        server.load(List.of(ZoneFile.parse(TransferInteropTest.zoneText(1, ""), "p.zone", null)));
        int nsdPort = DifferentialTest.freePort();
        try (DnsService service = serve(server)) {
            int ours = service.local().port();
            String secondary = """
                  request-xfr: 127.0.0.1@%d xfr.example.
                  allow-notify: 127.0.0.1 xfr.example.
                """.formatted(ours) + nsdKey();
            Path copy = dir.resolve("copy.zone");
            try (Proc.Daemon nsd = DifferentialTest.startNsd(dir, "example.com", copy, nsdPort, secondary)) {
                TransferInteropTest.await("NSD has serial 1 from MirageJ over TSIG (" + nsd.log() + ")",
                        () -> TransferInteropTest.soaSerial(nsdPort, "example.com.") == 1);
                assertTrue(TransferInteropTest.has(nsdPort, "host.example.com."));
                server.load(List.of(ZoneFile.parse(TransferInteropTest.zoneText(2, "added A 192.0.2.222\n"), "p.zone", null)));
                Notifier notifier = new Notifier(stack, new HostRandom(), System::nanoTime, WALL, counters);
                List<Endpoint> nsdEndpoint = List.of(Endpoint.of("127.0.0.1", nsdPort));
                var zone = server.authority().zone(Name.of("example.com."));
                assertEquals(List.of(), notifier.notify(zone, nsdEndpoint, WRONG, 2, Duration.ofMillis(500)),
                        "NSD does not acknowledge a NOTIFY signed with the wrong secret");
                assertEquals(List.of(), notifier.notify(zone, nsdEndpoint, null, 2, Duration.ofMillis(500)),
                        "nor an unsigned one");
                assertEquals(2, TransferInteropTest.soaSerial(nsdPort, "example.com.") == 2 ? 0 : 2,
                        "NSD has not moved to serial 2 yet");
                assertEquals(nsdEndpoint, notifier.notify(zone, nsdEndpoint, KEY, 5, Duration.ofSeconds(1)),
                        "NSD acknowledges the signed NOTIFY, its answer verified");
                TransferInteropTest.await("NSD transfers serial 2 after the signed NOTIFY",
                        () -> TransferInteropTest.soaSerial(nsdPort, "example.com.") == 2);
                assertTrue(TransferInteropTest.has(nsdPort, "added.example.com."));
                assertTrue(counters.get("dns.axfr.out") >= 2);
                assertTrue(counters.get("dns.tsig.in.ok") >= 2, "NSD's requests were signed and verified");
                assertTrue(counters.get("dns.notify.out.tsig.failures") >= 1, "NSD's BADSIG answer counted");
            }
        }
    }

    @Test
    void mirageJIsSecondaryOfNsdWithTsig() throws Exception {
        Interop.requireCommands("nsd", "nsd");
        AuthoritativeServer server = secondaryKnowing(KEY);
        try (DnsService service = serve(server)) {
            int ours = service.local().port();
            int nsdPort = DifferentialTest.freePort();
            Path zoneFile = dir.resolve("primary.zone");
            // big enough for NSD to send the transfer in several messages, each MAC chained
            Files.writeString(zoneFile, TransferInteropTest.zoneText(10, hosts(NSD_HOSTS)));
            String provide = """
                  provide-xfr: 127.0.0.1 xfr.example.
                  notify: 127.0.0.1@%d xfr.example.
                """.formatted(ours) + nsdKey();
            try (Proc.Daemon nsd = DifferentialTest.startNsd(dir, "example.com", zoneFile, nsdPort, provide);
                    SecondaryService secondaries = new SecondaryService(stack, server, time, System::nanoTime, WALL,
                            new HostRandom(), counters, Duration.ofSeconds(3))) {
                DifferentialTest.awaitServing(nsdPort, "example.com.", nsd);
                secondaries.add(Name.of("example.com."), Endpoint.of("127.0.0.1", nsdPort), KEY);
                TransferInteropTest.await("MirageJ transfers serial 10 from NSD over TSIG",
                        () -> TransferInteropTest.soaSerial(ours, "example.com.") == 10);
                assertTrue(TransferInteropTest.has(ours, "host.example.com."));
                assertTrue(TransferInteropTest.has(ours, "h" + (NSD_HOSTS - 1) + ".example.com."));
                Files.writeString(zoneFile, TransferInteropTest.zoneText(11, "fresh A 192.0.2.111\n"));
                nsd.hangup(); // NSD reloads and sends a signed NOTIFY
                TransferInteropTest.await("MirageJ transfers serial 11 after NSD's signed NOTIFY (" + nsd.log() + ")",
                        () -> TransferInteropTest.soaSerial(ours, "example.com.") == 11);
                assertTrue(TransferInteropTest.has(ours, "fresh.example.com."));
                assertTrue(counters.get("dns.notify.in") >= 1, "the refresh came from the NOTIFY, not the timer");
                assertTrue(counters.get("dns.tsig.in.ok") >= 1, "NSD's NOTIFY was signed and verified");
                assertEquals(0, counters.get("dns.secondary.tsig.failures"));
            }
        }
    }

    @Test
    void mirageJIsSecondaryOfNsdOnlyWithTheRightSecret() throws Exception {
        Interop.requireCommands("nsd", "nsd");
        AuthoritativeServer server = secondaryKnowing(WRONG);
        int nsdPort = DifferentialTest.freePort();
        Path zoneFile = dir.resolve("primary.zone");
        Files.writeString(zoneFile, TransferInteropTest.zoneText(10, ""));
        String provide = "  provide-xfr: 127.0.0.1 xfr.example.\n" + nsdKey();
        try (DnsService service = serve(server);
                Proc.Daemon nsd = DifferentialTest.startNsd(dir, "example.com", zoneFile, nsdPort, provide);
                SecondaryService secondaries = new SecondaryService(stack, server, time, System::nanoTime, WALL,
                        new HostRandom(), counters, Duration.ofSeconds(3))) {
            DifferentialTest.awaitServing(nsdPort, "example.com.", nsd);
            secondaries.add(Name.of("example.com."), Endpoint.of("127.0.0.1", nsdPort), WRONG);
            TransferInteropTest.await("the signed SOA query fails and is counted",
                    () -> counters.get("dns.secondary.tsig.failures") >= 1);
            assertEquals(-1, secondaries.serial(Name.of("example.com.")));
            assertNull(server.authority().zone(Name.of("example.com.")));
        }
    }

    @Test
    void mirageJIsSecondaryOfMirageJWithTsig() throws Exception {
        AuthoritativeServer primary = primaryRequiringTheKey();
        primary.load(List.of(ZoneFile.parse(TsigInteropTest.bigZone(), "p.zone", null)));
        AuthoritativeServer copy = secondaryKnowing(KEY);
        AuthoritativeServer stranger = secondaryKnowing(WRONG);
        try (DnsService p = serve(primary); DnsService s = serve(copy);
                SecondaryService secondaries = new SecondaryService(stack, copy, time, System::nanoTime, WALL,
                        new HostRandom(), counters, Duration.ofSeconds(3));
                SecondaryService wrong = new SecondaryService(stack, stranger, time, System::nanoTime, WALL,
                        new HostRandom(), new Counters(), Duration.ofSeconds(3))) {
            secondaries.add(Name.of("example.com."), p.local(), KEY);
            TransferInteropTest.await("the copy has serial 1", () -> TransferInteropTest.soaSerial(s.local().port(), "example.com.") == 1);
            assertEquals(primary.authority().zone(Name.of("example.com.")).records(),
                    copy.authority().zone(Name.of("example.com.")).records(), "a transfer of several signed messages");
            primary.load(List.of(ZoneFile.parse(TransferInteropTest.zoneText(4, "more A 192.0.2.4\n"), "p.zone", null)));
            assertEquals(List.of(s.local()), new Notifier(stack, new HostRandom(), System::nanoTime, WALL, counters)
                    .notify(primary.authority().zone(Name.of("example.com.")), List.of(s.local()), KEY, 3, Duration.ofSeconds(1)));
            TransferInteropTest.await("the copy has serial 4", () -> TransferInteropTest.soaSerial(s.local().port(), "example.com.") == 4);
            assertTrue(TransferInteropTest.has(s.local().port(), "more.example.com."));
            assertEquals(0, counters.get("dns.secondary.tsig.failures"));
            // the primary's answers to a secondary with the wrong secret fail its checks
            wrong.add(Name.of("example.com."), p.local(), WRONG);
            TransferInteropTest.await("the wrong secret fails", () -> counters.get("dns.tsig.in.badsig") >= 1);
            assertEquals(-1, wrong.serial(Name.of("example.com.")));
        }
    }
}
