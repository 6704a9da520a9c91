package io.miragej.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.net.Ipv4Prefix;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ConfigTest {
    static final Key<Integer> PORT = Key.port("port", 7, "port to echo on");
    static final Key<String> NET = Key.choice("net", "socket", "which stack", "socket", "direct");
    static final Key<Ipv4Prefix> IPV4 = Key.ipv4Prefix("ipv4", null, "address of the direct stack");
    static final Key<Boolean> NODELAY = Key.flag("no-delay", false, "disable Nagle");
    static final Key<Duration> IDLE = Key.duration("idle", Duration.ofSeconds(30), "idle timeout");
    static final Key<List<Path>> ZONES = Key.path("zone", null, "zone file").repeatable();
    static final List<Key<?>> ALL = List.of(PORT, NET, IPV4, NODELAY, IDLE, ZONES);

    @Test
    void valuesAndDefaults() {
        Config c = Config.parse(ALL, List.of("--port=7007", "--ipv4=10.0.0.2/24", "--no-delay",
                "--idle=250ms", "--zone=a.zone", "--zone=b.zone"));
        assertEquals(7007, c.get(PORT));
        assertEquals("socket", c.get(NET));
        assertEquals(Ipv4Prefix.parse("10.0.0.2/24"), c.get(IPV4));
        assertTrue(c.get(NODELAY));
        assertEquals(Duration.ofMillis(250), c.get(IDLE));
        assertEquals(List.of(Path.of("a.zone"), Path.of("b.zone")), c.get(ZONES));
        assertTrue(c.isSet(PORT));
        assertFalse(c.isSet(NET));
    }

    @Test
    void aBadValueNamesTheKeyTheValueAndWhatIsAccepted() {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.parse(ALL, List.of("--port=seventy")));
        assertEquals("--port=seventy is not accepted: --port takes a port number 0-65535 (port to echo on)",
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> Config.parse(ALL, List.of("--port=65536")));
        assertTrue(e.getMessage().startsWith("--port=65536 is not accepted"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Config.parse(ALL, List.of("--net=tap")));
        assertTrue(e.getMessage().contains("one of socket, direct"), e.getMessage());
    }

    @Test
    void anUnknownKeyIsNamedWithTheKnownOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.parse(ALL, List.of("--no-such-key=1")));
        assertTrue(e.getMessage().startsWith("unknown key --no-such-key"), e.getMessage());
        assertTrue(e.getMessage().contains("--port"), e.getMessage());
    }

    @Test
    void misuseIsExplained() {
        assertThrows(ConfigException.class, () -> Config.parse(ALL, List.of("--port")));
        assertThrows(ConfigException.class, () -> Config.parse(ALL, List.of("port=7")));
        assertThrows(ConfigException.class, () -> Config.parse(ALL, List.of("--port=1", "--port=2")));
        ConfigException e = assertThrows(ConfigException.class, () -> Config.defaults(ALL).get(IPV4));
        assertTrue(e.getMessage().startsWith("--ipv4 is required"), e.getMessage());
        assertTrue(Config.defaults(ALL).find(IPV4).isEmpty());
    }

    @Test
    void sizesTakeBinaryUnits() {
        Key<Long> size = Key.size("disk-size", 64L << 20, "size");
        Config c = Config.parse(List.of(size), List.of("--disk-size=3G"));
        assertEquals(3L << 30, c.get(size));
        assertEquals(512, size.parse("512"));
        assertEquals(4096, size.parse("4k"));
        for (String bad : List.of("", "M", "1.5G", "-1", "99999999999999999T", "12Q")) {
            assertThrows(ConfigException.class, () -> size.parse(bad), bad);
        }
    }

    @Property
    void arbitraryArgumentsFailOnlyWithConfigException(@ForAll List<String> args) {
        try {
            Config c = Config.parse(ALL, args);
            c.get(PORT);
        } catch (ConfigException e) {
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void secretValuesAreNeverRepeatedInErrors() {
        Key<String> password = Key.of("password", "TEXT", "at least 8 characters", null, t -> {
            if (t.length() < 8) {
                throw new IllegalArgumentException("short");
            }
            return t;
        }, "what to log in with").secret();
        Key<java.util.List<String>> keys = password.repeatable();
        assertTrue(password.isSecret() && keys.isSecret(), "repeatable keeps the flag");
        for (java.util.List<String> args : java.util.List.of(
                java.util.List.of("--password=hunter2"),
                java.util.List.of("--password=correct-horse", "--password=battery-staple"),
                java.util.List.of("--pasword=correct-horse"))) {
            ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                    () -> Config.parse(java.util.List.of(password), args));
            for (String a : args) {
                String value = a.substring(a.indexOf('=') + 1);
                assertFalse(e.getMessage().contains(value), e.getMessage());
            }
            assertTrue(e.getMessage().contains("--pass"), e.getMessage());
        }
    }
}
