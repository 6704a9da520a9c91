package io.miragej.tcpip;

import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv4Prefix;
import io.miragej.net.Ipv6Prefix;
import io.miragej.platform.Key;
import io.miragej.platform.KeySet;
import java.util.List;

/** The configuration keys of MirageJ's TCP/IP stack, published as a {@link KeySet} service. */
public final class TcpipKeys implements KeySet {
    /** The stack's static IPv4 address with its network's prefix length. */
    public static final Key<Ipv4Prefix> IPV4 = Key.ipv4Prefix("ipv4", null,
            "IPv4 address and prefix length of the direct stack, like 10.0.0.2/24");

    /** The gateway for destinations off the local network. */
    public static final Key<Ipv4Address> IPV4_GATEWAY = Key.ipv4Address("ipv4-gateway", null,
            "IPv4 gateway of the direct stack for addresses off the local network");

    /** Take the IPv4 configuration from DHCP instead. */
    public static final Key<Boolean> DHCP = Key.flag("dhcp", false,
            "get the direct stack's IPv4 address, gateway and DNS servers from a DHCP server");

    /** A static IPv6 address with its prefix length (IPv6 also has its link-local address and SLAAC). */
    public static final Key<Ipv6Prefix> IPV6 = Key.ipv6Prefix("ipv6", null,
            "static IPv6 address and prefix length of the direct stack, like 2001:db8::2/64");

    /** A static IPv6 default router. */
    public static final Key<IpAddress> IPV6_GATEWAY = Key.ipAddress("ipv6-gateway", null,
            "IPv6 default router of the direct stack (routers also announce themselves)");

    /** Addresses and routers from IPv6 router advertisements. */
    public static final Key<Boolean> SLAAC = Key.flag("slaac", true,
            "configure IPv6 addresses and routers from router advertisements (SLAAC)");

    /** IPv6 off. */
    public static final Key<Boolean> IPV4_ONLY = Key.flag("ipv4-only", false,
            "turn IPv6 off in the direct stack");

    /** TCP's congestion control algorithm. */
    public static final Key<String> TCP_CONGESTION = Key.choice("tcp-congestion", "newreno",
            "congestion control of the direct stack's TCP: newreno (RFC 5681) or cubic (RFC 9438)", "newreno",
            "cubic");

    /** Bytes per TCP connection buffered for sending and for receiving (the largest window offered). */
    public static final Key<Long> TCP_BUFFER = Key.size("tcp-buffer", 256L * 1024,
            "send and receive buffer of each TCP connection of the direct stack, like 256K or 4M (the receive"
                    + " buffer is the largest window offered: raise it for long fat paths)");

    @Override
    public String owner() {
        return "mirage-tcpip";
    }

    @Override
    public List<Key<?>> keys() {
        return List.of(IPV4, IPV4_GATEWAY, DHCP, IPV6, IPV6_GATEWAY, SLAAC, IPV4_ONLY, TCP_CONGESTION, TCP_BUFFER);
    }
}
