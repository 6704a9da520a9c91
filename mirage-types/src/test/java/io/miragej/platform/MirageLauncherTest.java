package io.miragej.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MirageLauncherTest {
    /** A backend that hands out no devices: enough to see the launcher's decisions. */
    record FakeBackend(String name, List<String> events) implements Backend {
        @Override
        public String coordinates() {
            return "io.miragej:mirage-" + name;
        }

        @Override
        public List<Key<?>> keys() {
            return List.of(Key.choice("net", "socket", "network stack", "socket", "direct"));
        }

        @Override
        public Session open(Config config) {
            events.add("open");
            return new Session() {
                @Override
                public Devices devices() {
                    return null;
                }

                @Override
                public void awaitServices() {
                    events.add("await");
                }

                @Override
                public void close() {
                    events.add("close");
                }
            };
        }
    }

    static final class App implements Unikernel {
        static final Key<Integer> PORT = Key.port("port", 7, "TCP and UDP port to echo on");
        final List<String> events;

        App(List<String> events) {
            this.events = events;
        }

        @Override
        public void start(Devices devices) {
            events.add("start");
        }

        @Override
        public String name() {
            return "echo";
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> events = new ArrayList<>();

    private int launch(List<Backend> backends, String... args) {
        return Mirage.launch(new App(events), List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), backends);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runsTheAppOnTheOneBackend() {
        assertEquals(0, launch(List.of(new FakeBackend("unix", events)), "--port=7007"));
        assertEquals(List.of("open", "start", "await", "close"), events);
    }

    @Test
    void noBackendNamesTheDependencyToAdd() {
        assertEquals(Mirage.USAGE, launch(List.of()));
        assertTrue(err().contains("no MirageJ backend is on the class path"), err());
        assertTrue(err().contains("<artifactId>mirage-unix</artifactId>"), err());
        assertTrue(events.isEmpty());
    }

    @Test
    void twoBackendsAreNamedWithTheAdviceToRemoveOne() {
        assertEquals(Mirage.USAGE, launch(List.of(new FakeBackend("unix", events), new FakeBackend("xen", events))));
        assertTrue(err().contains("found 2 MirageJ backends"), err());
        assertTrue(err().contains("unix (io.miragej:mirage-unix"), err());
        assertTrue(err().contains("xen (io.miragej:mirage-xen"), err());
        assertTrue(err().contains("Remove all but one"), err());
    }

    @Test
    void helpListsAppAndBackendKeysWithDefaults() {
        assertEquals(0, launch(List.of(new FakeBackend("unix", events)), "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--port=PORT"), help);
        assertTrue(help.contains("TCP and UDP port to echo on (default: 7)"), help);
        assertTrue(help.contains("unix backend:"), help);
        assertTrue(help.contains("--net=socket|direct"), help);
        assertTrue(events.isEmpty(), "help must not start anything");
    }

    @Test
    void badKeysStopStartUpNamingTheKey() {
        assertEquals(Mirage.USAGE, launch(List.of(new FakeBackend("unix", events)), "--port=seventy"));
        assertTrue(err().contains("--port=seventy is not accepted"), err());
        assertEquals(Mirage.USAGE, launch(List.of(new FakeBackend("unix", events)), "--no-such-key=1"));
        assertTrue(err().contains("unknown key --no-such-key"), err());
        assertTrue(events.isEmpty());
    }
}
