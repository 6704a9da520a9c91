package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.net.Endpoint;
import io.miragej.net.Ipv4Address;
import io.miragej.platform.Devices;
import io.miragej.platform.Key;
import io.miragej.platform.Mirage;
import io.miragej.platform.Unikernel;
import io.miragej.stack.Listener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class UnixBackendTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int launch(Unikernel app, String... args) {
        return Mirage.launch(app, List.of(args), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
                Mirage.installedBackends());
    }

    @Test
    void theServiceLoaderFindsExactlyThisBackend() {
        assertEquals(1, Mirage.installedBackends().size());
        assertEquals("unix", Mirage.installedBackends().getFirst().name());
    }

    @Test
    void anAppRunsUntilItsLastListenerCloses() {
        AtomicReference<String> seen = new AtomicReference<>();
        Unikernel app = new Unikernel() {
            @Override
            public void start(Devices devices) throws Exception {
                Listener l = devices.stack().udp().listen(new Endpoint(Ipv4Address.LOOPBACK, 0), (s, f, p) -> {});
                seen.set(devices.stack().mode());
                devices.time().schedule(Duration.ofMillis(200), l::close);
            }

            @Override
            public List<Key<?>> keys() {
                return List.of();
            }
        };
        long start = System.nanoTime();
        assertEquals(0, launch(app));
        assertTrue(System.nanoTime() - start >= 150_000_000L, "waited for the listener");
        assertEquals("socket", seen.get());
    }

    @Test
    void directModeWithoutTheTcpipLibraryNamesTheDependency() {
        Unikernel app = devices -> devices.stack();
        assertEquals(Mirage.USAGE, launch(app, "--net=direct"));
        assertTrue(err.toString().contains("add the dependency io.miragej:mirage-tcpip"), err.toString());
    }

    @Test
    void theDirectStacksDeviceMustBeNamedOnce() {
        Unikernel app = devices -> devices.network(io.miragej.platform.Devices.DEFAULT_NETWORK);
        assertEquals(Mirage.USAGE, launch(app));
        assertTrue(err.toString().contains("no network device is configured: --net=direct needs exactly one of --tap=NAME"),
                err.toString());
        assertEquals(Mirage.USAGE, launch(app, "--tap=a", "--netif=b"));
        assertTrue(err.toString().contains("several network devices are configured (tap:a, netif:b)"), err.toString());
    }

    @Test
    void theConfiguredDeviceOpens() {
        AtomicReference<String> seen = new AtomicReference<>();
        Unikernel app = devices -> {
            var n = devices.network(io.miragej.platform.Devices.DEFAULT_NETWORK);
            seen.set(n.mac() + " " + n.mtu() + " " + n.name());
        };
        assertEquals(0, launch(app, "--qemu-listen=127.0.0.1:0", "--mac=02:00:00:00:00:42", "--mtu=1400"), err.toString());
        assertTrue(seen.get().startsWith("02:00:00:00:00:42 1400 qemu-"), seen.get());
    }

    @Test
    void theDiskIsCreatedWhenMissingAndOpenedWhenThere(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path img = dir.resolve("app.img");
        AtomicReference<Long> size = new AtomicReference<>();
        Unikernel app = devices -> {
            var b = devices.block(io.miragej.platform.Devices.DEFAULT_BLOCK, false);
            size.set(b.sizeBytes());
            b.write(0, java.lang.foreign.MemorySegment.ofArray(new byte[512]).fill((byte) 7));
            b.flush();
        };
        assertEquals(0, launch(app, "--disk=" + img, "--disk-size=1M"), err.toString());
        assertEquals(1L << 20, size.get());
        assertEquals(1L << 20, java.nio.file.Files.size(img));
        assertEquals(0, launch(app, "--disk=" + img, "--disk-size=8M"), err.toString());
        assertEquals(1L << 20, size.get(), "an existing image keeps its size");
        Unikernel needsDisk = devices -> devices.block(io.miragej.platform.Devices.DEFAULT_BLOCK, false);
        assertEquals(Mirage.USAGE, launch(needsDisk));
        assertTrue(err.toString().contains("give --disk=FILE"), err.toString());
    }
}
