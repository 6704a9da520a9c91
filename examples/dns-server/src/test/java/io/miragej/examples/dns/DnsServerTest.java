package io.miragej.examples.dns;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.RrType;
import io.miragej.dns.resolver.StubResolver;
import io.miragej.dns.server.AuthoritativeServer;
import io.miragej.dns.server.SecondaryService;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.net.Endpoint;
import io.miragej.net.IpPrefix;
import io.miragej.platform.Backend;
import io.miragej.platform.Config;
import io.miragej.platform.ConfigException;
import io.miragej.platform.Key;
import io.miragej.platform.Mirage;
import io.miragej.unix.HostRandom;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DnsServerTest {
    @TempDir
    Path dir;

    static final String ZONE = """
            $ORIGIN example.test.
            $TTL 300
            @ SOA ns hostmaster %d 3600 600 86400 60
              NS ns
            ns A 192.0.2.53
            www A 192.0.2.80
            """;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A session of the one backend on the class path, configured with {@code args} for {@code app} and it. */
    private static Backend.Session open(DnsServer app, String... args) throws Exception {
        Backend backend = Mirage.installedBackends().getFirst();
        List<Key<?>> keys = new ArrayList<>(app.keys());
        keys.addAll(backend.keys());
        return backend.open(Config.parse(keys, List.of(args)));
    }

    @Test
    void servesZoneFilesAndReloadsThem() throws Exception {
        Path zone = dir.resolve("example.test.zone");
        Files.writeString(zone, ZONE.formatted(1));
        int port = freePort();
        DnsServer app = new DnsServer();
        try (Backend.Session session = open(app,
                "--zone=" + zone, "--address=127.0.0.1", "--port=" + port, "--reload-interval=100ms");
                SocketStack client = new SocketStack(); HostTime time = new HostTime()) {
            app.start(session.devices());
            StubResolver r = new StubResolver(client, List.of(Endpoint.of("127.0.0.1", port)), new HostRandom(),
                    System::nanoTime, time, new StubResolver.Options(Duration.ofSeconds(2), 2, false, 1232));
            Message m = r.query(Name.of("www.example.test."), RrType.A);
            assertEquals(Rcode.NOERROR, m.rcode());
            assertEquals("192.0.2.80", m.answers().getFirst().rdata().toString());
            Files.writeString(zone, ZONE.formatted(2) + "new A 192.0.2.99\n");
            Files.setLastModifiedTime(zone, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (r.query(Name.of("new.example.test."), RrType.A).rcode() != Rcode.NOERROR) {
                assertTrue(System.nanoTime() < deadline, "the changed zone file was reloaded");
                Thread.sleep(50);
            }
            // A broken edit keeps the old zone in service.
            Files.writeString(zone, ZONE.formatted(3) + "broken A not-an-address\n");
            Files.setLastModifiedTime(zone, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10000));
            Thread.sleep(500);
            assertEquals(Rcode.NOERROR, r.query(Name.of("new.example.test."), RrType.A).rcode());
        }
    }

    @Test
    void badZoneFilesStopStartUpWithFileAndLine() throws Exception {
        Path zone = dir.resolve("bad.zone");
        Files.writeString(zone, "$TTL 60\n$ORIGIN bad.test.\n@ SOA ns hm 1 2 3 4 5\n NS ns\nns A 1.2.3\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Mirage.launch(new DnsServer(), List.of("--zone=" + zone, "--port=" + freePort()),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), Mirage.installedBackends());
        assertEquals(Mirage.USAGE, status);
        assertTrue(err.toString().contains("bad.zone:5: A field 1"), err.toString());
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(Mirage.USAGE, Mirage.launch(new DnsServer(), List.of("--port=1"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err2), Mirage.installedBackends()));
        assertTrue(err2.toString().contains("--zone=FILE"), err2.toString());
    }

    static final String SECRET = java.util.Base64.getEncoder().encodeToString("example secret".getBytes());

    private static String launchError(List<String> args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Mirage.launch(new DnsServer(), args, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err), Mirage.installedBackends());
        assertEquals(Mirage.USAGE, status, err.toString());
        return err.toString();
    }

    @Test
    void badTsigKeysStopStartUpNamingTheKey() throws Exception {
        Path zone = dir.resolve("example.test.zone");
        Files.writeString(zone, ZONE.formatted(1));
        String port = "--port=" + freePort();
        String z = "--zone=" + zone;
        String err = launchError(List.of(z, port, "--tsig-key=xfr.test:hmac-md5:" + SECRET));
        // The key's text is a secret: errors name the key and what it takes, never the text.
        assertTrue(err.contains("--tsig-key=(hidden) is not accepted") && err.contains("hmac-sha256"), err);
        assertFalse(err.contains(SECRET), err);
        err = launchError(List.of(z, port, "--tsig-key=xfr.test:hmac-sha256:%%%"));
        assertTrue(err.contains("--tsig-key") && err.contains("base64") && !err.contains("%%%"), err);
        err = launchError(List.of(z, port, "--tsig-key=xfr.test:hmac-sha256:" + SECRET, "--transfer-key=other.test"));
        assertTrue(err.contains("--transfer-key=other.test.") && err.contains("no --tsig-key is named"), err);
        err = launchError(List.of(port, "--secondary=example.test@127.0.0.1:53:nokey.test"));
        assertTrue(err.contains("--secondary") && err.contains("nokey.test."), err);
        assertEquals(new DnsServer.Secondary(Name.of("example.test."), Endpoint.of("127.0.0.1", 53), Name.of("k.test.")),
                DnsServer.parseSecondary("example.test@127.0.0.1:53:k.test"));
        assertEquals(new DnsServer.Secondary(Name.of("example.test."), Endpoint.parse("[::1]:53"), null),
                DnsServer.parseSecondary("example.test@[::1]:53"));
    }

    @Test
    void transfersNeedTheTransferKeyAndComeSigned() throws Exception {
        Path zone = dir.resolve("example.test.zone");
        Files.writeString(zone, ZONE.formatted(7));
        int port = freePort();
        DnsServer app = new DnsServer();
        TsigKey key = TsigKey.parse("xfr.test:hmac-sha256:" + SECRET);
        try (Backend.Session session = open(app, "--zone=" + zone, "--address=127.0.0.1",
                "--port=" + port, "--allow-transfer=127.0.0.0/8", "--tsig-key=xfr.test:hmac-sha256:" + SECRET,
                "--transfer-key=xfr.test");
                SocketStack client = new SocketStack(); HostTime time = new HostTime()) {
            app.start(session.devices());
            io.miragej.stats.Counters counters = new io.miragej.stats.Counters();
            AuthoritativeServer local = new AuthoritativeServer(counters,
                    AuthoritativeServer.Options.defaults().withTsigKeys(List.of(key)), () -> System.currentTimeMillis() * 1_000_000L);
            try (SecondaryService s = new SecondaryService(client, local, time, System::nanoTime,
                    () -> System.currentTimeMillis() * 1_000_000L, new HostRandom(), counters, Duration.ofSeconds(3))) {
                Endpoint primary = Endpoint.of("127.0.0.1", port);
                assertEquals(7, s.transfer(Name.of("example.test."), primary, key).serial(), "signed and verified");
                Exception e = assertThrows(Exception.class, () -> s.transfer(Name.of("example.test."), primary));
                assertTrue(e.getMessage().contains("REFUSED"), e.getMessage());
            }
        }
    }

    static final String SECRET_B = java.util.Base64.getEncoder().encodeToString("another secret".getBytes());

    @Test
    void eachZoneTransfersOnlyWithItsOwnKeyAndPrefixes() throws Exception {
        Path a = dir.resolve("a.zone");
        Files.writeString(a, ZONE.replace("example.test.", "a.test.").formatted(3));
        Path b = dir.resolve("b.zone");
        Files.writeString(b, ZONE.replace("example.test.", "b.test.").formatted(4));
        Path c = dir.resolve("c.zone");
        Files.writeString(c, ZONE.replace("example.test.", "c.test.").formatted(5));
        int port = freePort();
        DnsServer app = new DnsServer();
        TsigKey ka = TsigKey.parse("ka.test:hmac-sha256:" + SECRET);
        TsigKey kb = TsigKey.parse("kb.test:hmac-sha256:" + SECRET_B);
        // every zone from loopback; a.test and b.test each with its own key; c.test only from 192.0.2.0/24
        try (Backend.Session session = open(app, "--zone=" + a, "--zone=" + b, "--zone=" + c, "--address=127.0.0.1",
                "--port=" + port, "--allow-transfer=127.0.0.0/8", "--allow-transfer=c.test=192.0.2.0/24",
                "--tsig-key=ka.test:hmac-sha256:" + SECRET, "--tsig-key=kb.test:hmac-sha256:" + SECRET_B,
                "--transfer-key=a.test=ka.test", "--transfer-key=b.test.=kb.test");
                SocketStack client = new SocketStack(); HostTime time = new HostTime()) {
            app.start(session.devices());
            io.miragej.stats.Counters counters = new io.miragej.stats.Counters();
            AuthoritativeServer local = new AuthoritativeServer(counters,
                    AuthoritativeServer.Options.defaults().withTsigKeys(List.of(ka, kb)), () -> System.currentTimeMillis() * 1_000_000L);
            try (SecondaryService s = new SecondaryService(client, local, time, System::nanoTime,
                    () -> System.currentTimeMillis() * 1_000_000L, new HostRandom(), counters, Duration.ofSeconds(3))) {
                Endpoint primary = Endpoint.of("127.0.0.1", port);
                assertEquals(3, s.transfer(Name.of("a.test."), primary, ka).serial());
                assertEquals(4, s.transfer(Name.of("b.test."), primary, kb).serial());
                for (Exception e : List.of(
                        assertThrows(Exception.class, () -> s.transfer(Name.of("b.test."), primary, ka)),
                        assertThrows(Exception.class, () -> s.transfer(Name.of("a.test."), primary, kb)),
                        assertThrows(Exception.class, () -> s.transfer(Name.of("a.test."), primary)),
                        assertThrows(Exception.class, () -> s.transfer(Name.of("c.test."), primary)))) {
                    assertTrue(e.getMessage().contains("REFUSED"), e.getMessage());
                }
            }
        }
    }

    @Test
    void perZoneTransferSettingsForUnservedZonesOrUnknownKeysStopStartUp() throws Exception {
        Path zone = dir.resolve("example.test.zone");
        Files.writeString(zone, ZONE.formatted(1));
        String port = "--port=" + freePort();
        String z = "--zone=" + zone;
        String key = "--tsig-key=xfr.test:hmac-sha256:" + SECRET;
        String err = launchError(List.of(z, port, key, "--transfer-key=other.test=xfr.test"));
        assertTrue(err.contains("--transfer-key=other.test.=xfr.test.") && err.contains("not a zone served here")
                && err.contains("example.test."), err);
        err = launchError(List.of(z, port, "--allow-transfer=exmaple.test=192.0.2.0/24"));
        assertTrue(err.contains("exmaple.test.") && err.contains("not a zone served here"), err);
        err = launchError(List.of(z, port, key, "--transfer-key=example.test=nokey.test"));
        assertTrue(err.contains("--transfer-key=example.test.=nokey.test.") && err.contains("no --tsig-key is named"), err);
        err = launchError(List.of(z, port, "--allow-transfer=example.test=192.0.2.0/33"));
        assertTrue(err.contains("--allow-transfer=example.test=192.0.2.0/33 is not accepted")
                && err.contains("example.com=192.0.2.0/24"), err);
        err = launchError(List.of(z, port, "--allow-transfer==192.0.2.0/24"));
        assertTrue(err.contains("is not accepted"), err);
        assertEquals(new DnsServer.ForZone<>(Name.of("example.test."), IpPrefix.parse("10.0.0.0/8")),
                DnsServer.ALLOW_TRANSFER.parse("example.test=10.0.0.0/8").getFirst());
        assertEquals(new DnsServer.ForZone<>(null, Name.of("k.test.")), DnsServer.TRANSFER_KEY.parse("k.test").getFirst());
    }

    @Test
    void helpListsTheKeys() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(Mirage.OK, Mirage.launch(new DnsServer(), List.of("--help"), new PrintStream(out),
                new PrintStream(new ByteArrayOutputStream()), Mirage.installedBackends()));
        for (String k : new String[] {"--zone=FILE", "--address=ADDR", "--port=PORT", "--allow-transfer",
            "--notify", "--secondary", "--reload-interval", "--tsig-key=NAME:ALGORITHM:SECRET", "--transfer-key=[ZONE=]NAME",
            "--allow-transfer=[ZONE=]ADDR/PREFIX"}) {
            assertTrue(out.toString().contains(k), k + " in\n" + out);
        }
        assertThrows(ConfigException.class, () -> DnsServer.SECONDARY.parse("example.com"));
    }
}
