package io.miragej.tcpip.core;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;

/**
 * What the IP layer tells a transport about the packet it delivers: addresses, whether it was
 * sent to a group (broadcast or multicast), and where the whole IP packet lies (for ICMP errors
 * that quote it). One instance per IP layer, refilled for every packet, so delivery allocates
 * nothing; a transport must not keep it.
 *
 * <p>Addresses of both families are held as IPv6 (high, low) pairs, IPv4 as {@code
 * ::ffff:a.b.c.d} (RFC 4291 section 2.5.5.2), so transports key their tables the same way for
 * both.
 */
public final class IpContext {
    public static final long V4_MAPPED_PREFIX = 0xffff_0000_0000L;

    public int version;
    public long sourceHigh;
    public long sourceLow;
    public long destinationHigh;
    public long destinationLow;
    /** Sent to a broadcast or multicast address: never answered with a TCP reset or ICMP error. */
    public boolean toGroup;
    public int hopLimit;
    public int trafficClass;
    /** The whole IP packet, header first. */
    public PacketBuffer packet;
    public int packetOffset;
    public int packetLength;
    /** Unfolded sum of the pseudo-header without protocol and length (added per transport). */
    public long pseudoAddressSum;
    /**
     * The packet was reassembled from fragments: its buffer is the reassembly slot's, reused for
     * the next datagram, so a receiver that keeps the payload must copy it.
     */
    public boolean reassembled;
    /**
     * The transport checksum is known good: the device verified it, or the host left it partial
     * (see {@link io.miragej.device.FrameOffload}); the transport skips its own check. Never for
     * reassembled packets.
     */
    public boolean checksumVerified;
    /**
     * For a TCP segment coalesced by the device: payload bytes of each original segment (the
     * sender's MSS); 0 for an ordinary packet.
     */
    public int segmentSize;

    /** For the IP layers' {@code checksumAt}: no transport checksum is known good. */
    public static final int CHECKSUM_UNKNOWN = -1;
    /** For the IP layers' {@code checksumAt}: the first transport header's checksum is known good. */
    public static final int CHECKSUM_VERIFIED = -2;

    /**
     * Sets {@link #checksumVerified} and {@link #segmentSize} from what the device said about the
     * frame: {@code checksumAt} is {@link #CHECKSUM_UNKNOWN}, {@link #CHECKSUM_VERIFIED} or the
     * buffer offset of the transport header whose partial checksum the host vouches for; {@code
     * transportAt} is where the transport header of this packet starts in the same buffer.
     */
    public void offloads(int checksumAt, int segmentSize, int transportAt) {
        boolean whole = !reassembled;
        checksumVerified = whole && (checksumAt == CHECKSUM_VERIFIED || (checksumAt >= 0 && checksumAt == transportAt));
        this.segmentSize = whole ? segmentSize : 0;
    }

    public void setV4(int source, int destination) {
        version = 4;
        reassembled = false;
        checksumVerified = false;
        segmentSize = 0;
        sourceHigh = 0;
        sourceLow = mapped(source);
        destinationHigh = 0;
        destinationLow = mapped(destination);
        pseudoAddressSum = (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff);
    }

    public void setV6(long sourceHigh, long sourceLow, long destinationHigh, long destinationLow) {
        version = 6;
        reassembled = false;
        checksumVerified = false;
        segmentSize = 0;
        this.sourceHigh = sourceHigh;
        this.sourceLow = sourceLow;
        this.destinationHigh = destinationHigh;
        this.destinationLow = destinationLow;
        pseudoAddressSum = IpOutput.pseudoAddressSum(sourceHigh, sourceLow, destinationHigh, destinationLow);
    }

    public int sourceV4() {
        return (int) sourceLow;
    }

    public int destinationV4() {
        return (int) destinationLow;
    }

    /** The low half of {@code ::ffff:ipv4}. */
    public static long mapped(int ipv4) {
        return V4_MAPPED_PREFIX | (ipv4 & 0xffff_ffffL);
    }

    public static boolean isMapped(long high, long low) {
        return high == 0 && (low >>> 32) == 0xffff;
    }

    /** Builds the address object for a (high, low) pair; for the slow path only. */
    public static IpAddress address(long high, long low) {
        return isMapped(high, low) ? new Ipv4Address((int) low) : new Ipv6Address(high, low);
    }

    public IpAddress source() {
        return address(sourceHigh, sourceLow);
    }

    public IpAddress destination() {
        return address(destinationHigh, destinationLow);
    }
}
