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
}
