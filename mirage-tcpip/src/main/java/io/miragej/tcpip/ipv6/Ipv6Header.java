package io.miragej.tcpip.ipv6;

import io.miragej.buffer.PacketBuffer;

/** A flyweight over the fixed IPv6 header (RFC 8200 section 3). */
public final class Ipv6Header {
    public static final int LENGTH = 40;
    public static final int HOP_BY_HOP = 0;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ICMPV6 = 58;
    public static final int NO_NEXT_HEADER = 59;
    public static final int DESTINATION_OPTIONS = 60;

    private PacketBuffer buf;
    private int at;

    public Ipv6Header wrap(PacketBuffer b, int offset) {
        this.buf = b;
        this.at = offset;
        return this;
    }

    public int version() {
        return buf.getU8(at) >>> 4;
    }

    public int trafficClass() {
        return (buf.getU16(at) >>> 4) & 0xff;
    }

    public int payloadLength() {
        return buf.getU16(at + 4);
    }

    public int nextHeader() {
        return buf.getU8(at + 6);
    }

    public int hopLimit() {
        return buf.getU8(at + 7);
    }

    public long sourceHigh() {
        return buf.getI64(at + 8);
    }

    public long sourceLow() {
        return buf.getI64(at + 16);
    }

    public long destinationHigh() {
        return buf.getI64(at + 24);
    }

    public long destinationLow() {
        return buf.getI64(at + 32);
    }

    /** Prepends a fixed header to {@code b}, whose window is the payload. */
    public static void prepend(PacketBuffer b, int trafficClass, int nextHeader, int hopLimit, long srcHigh,
            long srcLow, long dstHigh, long dstLow) {
        int payload = b.length();
        b.prepend(LENGTH);
        b.setI32(0, (6 << 28) | ((trafficClass & 0xff) << 20)).setU16(4, payload).setU8(6, nextHeader)
                .setU8(7, hopLimit).setI64(8, srcHigh).setI64(16, srcLow).setI64(24, dstHigh).setI64(32, dstLow);
    }

    // ---- addresses as (high, low) pairs ----

    public static boolean isMulticast(long high) {
        return (high >>> 56) == 0xff;
    }

    public static boolean isLinkLocal(long high) {
        return (high >>> 54) == (0xfe80L >>> 6);
    }

    public static boolean isUnspecified(long high, long low) {
        return high == 0 && low == 0;
    }

    public static final long ALL_NODES_HIGH = 0xff02_0000_0000_0000L;
    public static final long ALL_NODES_LOW = 1;
    public static final long ALL_ROUTERS_LOW = 2;
    public static final long LINK_LOCAL_PREFIX = 0xfe80_0000_0000_0000L;

    /** The solicited-node multicast address's low half (RFC 4291 2.7.1); its high half is ff02::. */
    public static long solicitedNodeLow(long low) {
        return 0x0000_0001_ff00_0000L | (low & 0xff_ffffL);
    }

    /** True when (high, low) is the solicited-node group of an address with low half {@code ours}. */
    public static boolean isSolicitedNodeOf(long high, long low, long ours) {
        return high == ALL_NODES_HIGH && low == solicitedNodeLow(ours);
    }

    /** The modified EUI-64 interface identifier of a MAC (RFC 4291 appendix A). */
    public static long interfaceId(long mac) {
        long upper = (mac >>> 24) & 0xff_ffffL;
        long lower = mac & 0xff_ffffL;
        return ((upper ^ 0x02_0000L) << 40) | (0xfffeL << 24) | lower;
    }
}
