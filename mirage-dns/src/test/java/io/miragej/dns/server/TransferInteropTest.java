package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.RrType;
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
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zone transfers and NOTIFY both ways between MirageJ and NSD, and between two MirageJ servers. */
class TransferInteropTest {
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

    static String zoneText(long serial, String extra) {
        return Zones.EXAMPLE.replace("1 7200 3600 1209600 300", serial + " 7200 3600 1209600 300") + extra;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    static long soaSerial(int port, String zone) {
        try {
            Message m = DifferentialTest.ask(port, Message.query(1, Name.of(zone), RrType.SOA));
            return m.rcode() == 0 && !m.answers().isEmpty() && m.aa() ? m.answers().getFirst().rdata().numberField(2) : -1;
        } catch (Throwable e) {
            return -1;
        }
    }

    static boolean has(int port, String name) {
        try {
            Message m = DifferentialTest.ask(port, Message.query(1, Name.of(name), RrType.A));
            return m.rcode() == 0 && !m.answers().isEmpty();
        } catch (Throwable e) {
            return false;
        }
    }

    private DnsService primary(AuthoritativeServer server) throws Exception {
        return DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time, System::nanoTime, counters,
                DnsService.Options.defaults());
    }

    @Test
    void nsdIsSecondaryOfMirageJ() throws Exception {
        Interop.requireCommands("nsd", "nsd");
        AuthoritativeServer server = new AuthoritativeServer(counters,
                AuthoritativeServer.Options.defaults().withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8"))));
        server.load(List.of(ZoneFile.parse(zoneText(1, ""), "p.zone", null)));
        int nsdPort = DifferentialTest.freePort();
        try (DnsService service = primary(server)) {
            int ours = service.local().port();
            String secondary = """
                  request-xfr: 127.0.0.1@%d NOKEY
                  allow-notify: 127.0.0.1 NOKEY
                """.formatted(ours);
            Path copy = dir.resolve("copy.zone");
            try (Proc.Daemon nsd = DifferentialTest.startNsd(dir, "example.com", copy, nsdPort, secondary)) {
                await("NSD has serial 1 from MirageJ (" + nsd.log() + ")", () -> soaSerial(nsdPort, "example.com.") == 1);
                assertTrue(has(nsdPort, "host.example.com."));
                server.load(List.of(ZoneFile.parse(zoneText(2, "added A 192.0.2.222\n"), "p.zone", null)));
                Notifier notifier = new Notifier(stack, new HostRandom(), System::nanoTime, counters);
                List<Endpoint> acked = notifier.notify(server.authority().zone(Name.of("example.com.")),
                        List.of(Endpoint.of("127.0.0.1", nsdPort)), 5, Duration.ofSeconds(1));
                assertEquals(1, acked.size(), "NSD acknowledges the NOTIFY");
                await("NSD transfers serial 2 after the NOTIFY", () -> soaSerial(nsdPort, "example.com.") == 2);
                assertTrue(has(nsdPort, "added.example.com."));
                assertTrue(counters.get("dns.axfr.out") >= 2);
            }
        }
    }

    @Test
    void mirageJIsSecondaryOfNsd() throws Exception {
        Interop.requireCommands("nsd", "nsd");
        AuthoritativeServer server = new AuthoritativeServer(counters);
        try (DnsService service = primary(server)) {
            int ours = service.local().port();
            int nsdPort = DifferentialTest.freePort();
            Path zoneFile = dir.resolve("primary.zone");
            Files.writeString(zoneFile, zoneText(10, ""));
            String provide = """
                  provide-xfr: 127.0.0.1 NOKEY
                  notify: 127.0.0.1@%d NOKEY
                """.formatted(ours);
            try (Proc.Daemon nsd = DifferentialTest.startNsd(dir, "example.com", zoneFile, nsdPort, provide);
                    SecondaryService secondaries = new SecondaryService(stack, server, time, System::nanoTime,
                            new HostRandom(), counters, Duration.ofSeconds(3))) {
                DifferentialTest.awaitServing(nsdPort, "example.com.", nsd);
                secondaries.add(Name.of("example.com."), Endpoint.of("127.0.0.1", nsdPort));
                await("MirageJ transfers serial 10 from NSD", () -> soaSerial(ours, "example.com.") == 10);
                assertTrue(has(ours, "host.example.com."));
                Files.writeString(zoneFile, zoneText(11, "fresh A 192.0.2.111\n"));
                nsd.hangup(); // NSD reloads its zone files and notifies its secondaries
                await("MirageJ transfers serial 11 after NSD's NOTIFY (" + nsd.log() + ")",
                        () -> soaSerial(ours, "example.com.") == 11);
                assertTrue(has(ours, "fresh.example.com."));
                assertTrue(counters.get("dns.notify.in") >= 1, "the refresh came from the NOTIFY, not the timer");
            }
        }
    }

    @Test
    void mirageJIsSecondaryOfMirageJ() throws Exception {
        AuthoritativeServer primary = new AuthoritativeServer(counters,
                AuthoritativeServer.Options.defaults().withTransferAllowed(List.of(IpPrefix.parse("127.0.0.1/32"))));
        primary.load(List.of(ZoneFile.parse(zoneText(3, ""), "p.zone", null)));
        AuthoritativeServer copy = new AuthoritativeServer(counters);
        try (DnsService p = primary(primary); DnsService s = primary(copy);
                SecondaryService secondaries = new SecondaryService(stack, copy, time, System::nanoTime,
                        new HostRandom(), counters, Duration.ofSeconds(3))) {
            secondaries.add(Name.of("example.com."), p.local());
            await("the copy has serial 3", () -> soaSerial(s.local().port(), "example.com.") == 3);
            assertEquals(primary.authority().zone(Name.of("example.com.")).records(),
                    copy.authority().zone(Name.of("example.com.")).records());
            primary.load(List.of(ZoneFile.parse(zoneText(4, "more A 192.0.2.4\n"), "p.zone", null)));
            new Notifier(stack, new HostRandom(), System::nanoTime, counters)
                    .notify(primary.authority().zone(Name.of("example.com.")), List.of(s.local()), 3, Duration.ofSeconds(1));
            await("the copy has serial 4", () -> soaSerial(s.local().port(), "example.com.") == 4);
            assertTrue(has(s.local().port(), "more.example.com."));
        }
    }
}
