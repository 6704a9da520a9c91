package io.miragej.examples.dns;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.platform.Backend;
import io.miragej.platform.Config;
import io.miragej.platform.Key;
import io.miragej.platform.KeySet;
import io.miragej.platform.Mirage;
import io.miragej.testkit.Interop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The same server on MirageJ's own TCP/IP stack over a TAP device, asked by dig through the kernel. */
@Timeout(90)
class DirectStackTest {
    @TempDir
    Path dir;

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    @Test
    void answersDigOverUdpAndTcpOnTheDirectStack() throws Exception {
        Interop.requireRoot();
        Interop.requireCommands("dnsutils", "dig");
        Interop.requireCommands("iproute2", "ip");
        Path zone = dir.resolve("z.zone");
        Files.writeString(zone, DnsServerTest.ZONE.formatted(1));
        String tap = "dnsd" + (ProcessHandle.current().pid() % 100000);
        int net = (int) (ProcessHandle.current().pid() % 200) + 20;
        DnsServer app = new DnsServer();
        Backend backend = Mirage.installedBackends().getFirst();
        List<Key<?>> keys = new ArrayList<>(app.keys());
        keys.addAll(backend.keys());
        ServiceLoader.load(KeySet.class).forEach(s -> keys.addAll(s.keys()));
        try (Backend.Session session = backend.open(Config.parse(keys, List.of("--zone=" + zone,
                "--net=direct", "--tap=" + tap, "--ipv4=10." + net + ".53.2/24",
                "--address=0.0.0.0", "--port=53", "--reload-interval=0s")))) {
            app.start(session.devices());
            run("ip", "addr", "add", "10." + net + ".53.1/24", "dev", tap);
            run("ip", "link", "set", tap, "up");
            String udp = run("dig", "+time=2", "+tries=3", "@10." + net + ".53.2", "www.example.test", "A");
            assertTrue(udp.contains("status: NOERROR") && udp.contains("192.0.2.80"), udp);
            String tcp = run("dig", "+tcp", "+time=2", "+tries=2", "@10." + net + ".53.2", "nope.example.test", "A");
            assertTrue(tcp.contains("status: NXDOMAIN"), tcp);
        } finally {
            run("ip", "link", "del", tap);
        }
    }
}
