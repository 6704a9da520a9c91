package io.miragej.tcpip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.net.IpPrefix;
import io.miragej.platform.Config;
import io.miragej.platform.ConfigException;
import io.miragej.platform.Key;
import io.miragej.platform.KeySet;
import io.miragej.platform.StackProvider;
import io.miragej.stack.Stack;
import io.miragej.testkit.LinkProfile;
import io.miragej.testkit.SimDevices;
import io.miragej.testkit.SimSwitch;
import io.miragej.testkit.Simulation;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** --net=direct: the provider and the keys, found as services, and configuration errors explained. */
class DirectStackProviderTest {
    static List<Key<?>> keys() {
        List<Key<?>> keys = new ArrayList<>();
        for (KeySet s : ServiceLoader.load(KeySet.class)) {
            if (s.owner().equals("mirage-tcpip")) {
                keys.addAll(s.keys());
            }
        }
        return keys;
    }

    static StackProvider provider() {
        for (StackProvider p : ServiceLoader.load(StackProvider.class)) {
            if (p.mode().equals("direct")) {
                return p;
            }
        }
        throw new AssertionError("no StackProvider for direct found");
    }

    Stack open(String... args) throws Exception {
        Simulation sim = new Simulation(1);
        SimSwitch s = new SimSwitch(sim, LinkProfile.perfect());
        SimDevices devices = new SimDevices(sim, Config.parse(keys(), List.of(args))).withNetwork(io.miragej.platform.Devices.DEFAULT_NETWORK, s.attach("x"));
        return provider().open(devices);
    }

    @Test
    void theKeysArePublished() {
        List<String> names = keys().stream().map(Key::name).toList();
        assertTrue(names.containsAll(List.of("ipv4", "ipv4-gateway", "dhcp", "ipv6", "ipv6-gateway", "slaac",
                "ipv4-only", "tcp-congestion", "tcp-buffer")), names.toString());
    }

    @Test
    void tcpSettingsFromKeys() throws Exception {
        DirectStack stack = (DirectStack) open("--ipv4=10.3.0.2/24", "--tcp-congestion=cubic", "--tcp-buffer=4M");
        io.miragej.tcpip.tcp.TcpConfig tcp = stack.core().tcp().config();
        assertEquals(io.miragej.tcpip.tcp.CongestionControl.Kind.CUBIC, tcp.congestion());
        assertEquals(4 << 20, tcp.receiveBuffer());
        assertEquals(4 << 20, tcp.sendBuffer());
        ConfigException e = assertThrows(ConfigException.class, () -> open("--tcp-buffer=2G"));
        assertTrue(e.getMessage().contains("--tcp-buffer"), e.getMessage());
    }

    @Test
    void staticConfigurationFromKeys() throws Exception {
        // Not closed: its loop is the simulation, which nobody drives here.
        Stack stack = open("--ipv4=10.3.0.2/24", "--ipv4-gateway=10.3.0.1", "--ipv4-only");
        assertEquals("direct", stack.mode());
        assertEquals(List.of(IpPrefix.parse("10.3.0.2/24")), stack.ip().addresses());
    }

    @Test
    void aGatewayOutsideTheNetworkIsExplained() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> open("--ipv4=10.3.0.2/24", "--ipv4-gateway=10.9.0.1"));
        assertTrue(e.getMessage().contains("not on the local network"), e.getMessage());
    }

    @Test
    void aGatewayWithoutAnAddressIsExplained() {
        ConfigException e = assertThrows(ConfigException.class, () -> open("--ipv4-gateway=10.9.0.1"));
        assertTrue(e.getMessage().contains("--ipv4=ADDR/PREFIX"), e.getMessage());
    }

    @Test
    void staticAndDhcpTogetherAreRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> open("--ipv4=10.3.0.2/24", "--dhcp"));
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
    }

    @Test
    void anIpv4AddressAsIpv6GatewayIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> open("--ipv6-gateway=10.0.0.1"));
        assertTrue(e.getMessage().contains("--ipv4-gateway"), e.getMessage());
    }
}
