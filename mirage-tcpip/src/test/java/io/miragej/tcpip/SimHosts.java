package io.miragej.tcpip;

import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv4Prefix;
import io.miragej.stats.Counters;
import io.miragej.tcpip.host.StackCore;
import io.miragej.tcpip.tcp.TcpConfig;
import io.miragej.testkit.LinkProfile;
import io.miragej.testkit.PcapWriter;
import io.miragej.testkit.SimNetwork;
import io.miragej.testkit.SimSwitch;
import io.miragej.testkit.Simulation;
import java.time.Duration;

/** DirectStacks on a simulated switch, on virtual time, for whole-system tests. */
final class SimHosts {
    final Simulation sim;
    final SimSwitch medium;

    SimHosts(long seed, LinkProfile profile) {
        sim = new Simulation(seed);
        medium = new SimSwitch(sim, profile);
    }

    SimHosts capture(PcapWriter pcap) {
        medium.capture(pcap);
        return this;
    }

    /** A stack at {@code address} (like "10.0.0.1/24") on a new port of the switch. */
    DirectStack host(String name, String address, TcpConfig tcp) {
        return host(name, address, tcp, n -> n);
    }

    /** A stack whose device is {@code wrap} applied to its port of the switch. */
    DirectStack host(String name, String address, TcpConfig tcp,
            java.util.function.UnaryOperator<io.miragej.device.Network> wrap) {
        io.miragej.device.Network n = wrap.apply(medium.attach(name));
        return DirectStack.builder(n, sim)
                .ipv4(Ipv4Prefix.parse(address))
                .counters(new Counters())
                .random(sim)
                .limits(StackCore.Limits.defaults())
                .tcp(tcp)
                .blocking(blocking(sim, name))
                .start();
    }

    /** A dual-stack host with a static IPv6 address as well (like "2001:db8::1/64"). */
    DirectStack dualHost(String name, String v4, String v6) {
        SimNetwork n = medium.attach(name);
        return DirectStack.builder(n, sim).ipv4(Ipv4Prefix.parse(v4))
                .ipv6Address(io.miragej.net.Ipv6Prefix.parse(v6)).random(sim)
                .blocking(blocking(sim, name))
                .start();
    }

    /** Application threads of a simulated stack: parked on virtual time, unparked by its loop. */
    static Blocking blocking(Simulation sim, String name) {
        return Blocking.simulated(sim, sim::park, sim::unpark, r -> sim.spawn(name + "-conn", r));
    }

    DirectStack host(String name, String address) {
        return host(name, address, TcpConfig.defaults());
    }

    DirectStack hostWithGateway(String name, String address, String gateway) {
        SimNetwork n = medium.attach(name);
        return DirectStack.builder(n, sim).ipv4(Ipv4Prefix.parse(address)).ipv4Gateway(Ipv4Address.parse(gateway))
                .random(sim)
                .blocking(blocking(sim, name))
                .start();
    }
}
