/**
 * MirageJ's own TCP/IP stack: sans-IO cores for Ethernet, ARP, IPv4, ICMP, UDP and TCP, and their
 * assembly into the {@link io.miragej.stack.Stack} signature over a {@link
 * io.miragej.device.Network} device.
 */
module io.miragej.tcpip {
    requires transitive io.miragej.types;
    requires org.slf4j;
}
