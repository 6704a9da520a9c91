package io.miragej.tcpip.core;

/** Answers a packet for a closed UDP port with the family's ICMP port unreachable. */
@FunctionalInterface
public interface PortUnreachable {
    void portUnreachable(IpContext packet, long now);
}
