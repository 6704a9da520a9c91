/**
 * MirageJ's own TCP/IP stack: sans-IO cores for Ethernet, ARP, IPv4, ICMP, UDP, TCP, DHCP, IPv6
 * with neighbour discovery, and their assembly into the {@link io.miragej.stack.Stack} signature
 * over a {@link io.miragej.device.Network} device ({@code --net=direct}).
 *
 * <p>Applications use {@code io.miragej.tcpip} ({@code DirectStack}, keys, the provider). The
 * cores are exported too: they are the sans-IO protocol library a backend with its own loop, a
 * packet tool or another protocol (OpenFlow's codecs) builds on, and {@code StackCore} exposes them.
 */
module io.miragej.tcpip {
    requires transitive io.miragej.types;
    requires org.slf4j;

    exports io.miragej.tcpip;
    exports io.miragej.tcpip.arp;
    exports io.miragej.tcpip.checksum;
    exports io.miragej.tcpip.core;
    exports io.miragej.tcpip.dhcp;
    exports io.miragej.tcpip.ethernet;
    exports io.miragej.tcpip.host;
    exports io.miragej.tcpip.icmp;
    exports io.miragej.tcpip.ipv4;
    exports io.miragej.tcpip.ipv6;
    exports io.miragej.tcpip.tcp;
    exports io.miragej.tcpip.udp;

    provides io.miragej.platform.KeySet with io.miragej.tcpip.TcpipKeys;
    provides io.miragej.platform.StackProvider with io.miragej.tcpip.DirectStackProvider;
}
