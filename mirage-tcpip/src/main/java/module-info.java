/**
 * MirageJ's own TCP/IP stack: sans-IO cores for Ethernet, ARP, IPv4, ICMP, UDP and TCP, and their
 * assembly into the {@link io.miragej.stack.Stack} signature over a {@link
 * io.miragej.device.Network} device ({@code --net=direct}).
 */
module io.miragej.tcpip {
    requires transitive io.miragej.types;
    requires org.slf4j;

    exports io.miragej.tcpip;
    exports io.miragej.tcpip.host;
    exports io.miragej.tcpip.tcp;

    provides io.miragej.platform.KeySet with io.miragej.tcpip.TcpipKeys;
    provides io.miragej.platform.StackProvider with io.miragej.tcpip.DirectStackProvider;
}
