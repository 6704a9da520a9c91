package io.miragej.tcpip.core;

/**
 * Told by ICMP (or ICMPv6) about an error report quoting a packet we sent: the quoted packet's
 * addresses and ports (ours first), the first 32-bit word after the ports (a TCP sequence number,
 * so TCP can check the report is plausible, RFC 5927 section 4.1), and what went wrong.
 */
@FunctionalInterface
public interface IcmpErrorListener {
    /** Destination unreachable for reasons that will not go away (port, protocol, prohibited). */
    int HARD_UNREACHABLE = 1;
    /** Network or host unreachable, which routing may cure (RFC 1122 4.2.3.9: soft for TCP). */
    int SOFT_UNREACHABLE = 2;
    /** The packet was too big for a link on the way; {@code mtu} is the link's MTU (RFC 1191). */
    int PACKET_TOO_BIG = 3;
    /** TTL or hop limit exceeded, or reassembly time exceeded. */
    int TIME_EXCEEDED = 4;
    /** A parameter problem in our packet. */
    int PARAMETER_PROBLEM = 5;

    void icmpError(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow, int remotePort,
            int quotedWord, int kind, int mtu, long now);
}
