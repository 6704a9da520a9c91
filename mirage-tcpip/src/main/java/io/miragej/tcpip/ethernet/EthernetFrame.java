package io.miragej.tcpip.ethernet;

import io.miragej.buffer.PacketBuffer;

/**
 * A flyweight over an Ethernet II header (IEEE 802.3 clause 3.2.6 with an EtherType, RFC 894):
 * destination MAC, source MAC, EtherType, then the payload. {@link #wrap} points it at a frame;
 * accessors read the frame in place. MAC addresses are handled as the low 48 bits of a {@code
 * long} so the packet path creates no objects.
 */
public final class EthernetFrame {
    public static final int HEADER = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86dd;
    public static final int TYPE_VLAN = 0x8100;
    /** EtherType values below this are 802.3 lengths, not types. */
    public static final int MIN_ETHERTYPE = 0x0600;
    public static final long BROADCAST = 0xffff_ffff_ffffL;

    private PacketBuffer buf;

    /**
     * Points this flyweight at {@code frame}.
     *
     * @return false when the frame is too short to hold a header
     */
    public boolean wrap(PacketBuffer frame) {
        this.buf = frame;
        return frame.length() >= HEADER;
    }

    public long destination() {
        return readMac(buf, 0);
    }

    public long source() {
        return readMac(buf, 6);
    }

    public int etherType() {
        return buf.getU16(12);
    }

    /** Reads a MAC at {@code index} as 48 bits. */
    public static long readMac(PacketBuffer b, int index) {
        return ((long) b.getU16(index) << 32) | b.getU32(index + 2);
    }

    public static void writeMac(PacketBuffer b, int index, long mac) {
        b.setU16(index, (int) (mac >>> 32));
        b.setU32(index + 2, mac);
    }

    /** True for group addresses: multicast and broadcast (the I/G bit of the first octet). */
    public static boolean isGroup(long mac) {
        return (mac & (1L << 40)) != 0;
    }

    /**
     * Prepends an Ethernet header to {@code payload} in its headroom.
     *
     * @throws IndexOutOfBoundsException when the headroom is smaller than 14 bytes
     */
    public static void prepend(PacketBuffer payload, long destination, long source, int etherType) {
        payload.prepend(HEADER);
        writeMac(payload, 0, destination);
        writeMac(payload, 6, source);
        payload.setU16(12, etherType);
    }

    /** The multicast MAC of an IPv4 group address (RFC 1112 section 6.4). */
    public static long ipv4MulticastMac(int group) {
        return 0x01_00_5e_00_00_00L | (group & 0x7f_ffffL);
    }

    /** The multicast MAC of an IPv6 address (RFC 2464 section 7): 33:33 and its last 32 bits. */
    public static long ipv6MulticastMac(long addressLow) {
        return 0x33_33_00_00_00_00L | (addressLow & 0xffff_ffffL);
    }
}
