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
        SimNetwork n = medium.attach(name);
        return DirectStack.builder(n, sim)
                .ipv4(Ipv4Prefix.parse(address))
                .counters(new Counters())
                .random(sim)
                .limits(StackCore.Limits.defaults())
                .tcp(tcp)
                .blocking(Blocking.simulated(sim, sim, Duration.ofMillis(1), r -> sim.spawn(name + "-conn", r)))
                .start();
    }

    /** A dual-stack host with a static IPv6 address as well (like "2001:db8::1/64"). */
    DirectStack dualHost(String name, String v4, String v6) {
        SimNetwork n = medium.attach(name);
        return DirectStack.builder(n, sim).ipv4(Ipv4Prefix.parse(v4))
                .ipv6Address(io.miragej.net.Ipv6Prefix.parse(v6)).random(sim)
                .blocking(Blocking.simulated(sim, sim, Duration.ofMillis(1), r -> sim.spawn(name + "-conn", r)))
                .start();
    }

    DirectStack host(String name, String address) {
        return host(name, address, TcpConfig.defaults());
    }

    DirectStack hostWithGateway(String name, String address, String gateway) {
        SimNetwork n = medium.attach(name);
        return DirectStack.builder(n, sim).ipv4(Ipv4Prefix.parse(address)).ipv4Gateway(Ipv4Address.parse(gateway))
                .random(sim)
                .blocking(Blocking.simulated(sim, sim, Duration.ofMillis(1), r -> sim.spawn(name + "-conn", r)))
                .start();
    }
}
