package io.miragej.tcpip.ipv4;

import io.miragej.buffer.PacketBuffer;
import io.miragej.tcpip.checksum.InternetChecksum;

/**
 * A flyweight over an IPv4 header (RFC 791). {@link #wrap} points it at a packet; accessors read
 * in place. Options are never interpreted: {@link #headerLength()} skips them.
 */
public final class Ipv4Header {
    public static final int MIN_HEADER = 20;
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    static final int FLAG_DF = 0x4000;
    static final int FLAG_MF = 0x2000;

    /** Why a header was refused by {@link #check}; {@link #OK} when it was not. */
    public enum Problem { OK, SHORT, VERSION, HEADER_LENGTH, TOTAL_LENGTH, CHECKSUM }

    private PacketBuffer buf;
    private int at;

    public Ipv4Header wrap(PacketBuffer b, int offset) {
        this.buf = b;
        this.at = offset;
        return this;
    }

    public PacketBuffer buffer() {
        return buf;
    }

    public int offset() {
        return at;
    }

    /**
     * Checks what must hold before any other accessor is trusted, for a packet of {@code available}
     * bytes (the frame may be longer than the packet: Ethernet pads short frames).
     */
    public Problem check(int available) {
        if (available < MIN_HEADER) {
            return Problem.SHORT;
        }
        if (version() != 4) {
            return Problem.VERSION;
        }
        int hl = headerLength();
        if (hl < MIN_HEADER || hl > available) {
            return Problem.HEADER_LENGTH;
        }
        int total = totalLength();
        if (total < hl || total > available) {
            return Problem.TOTAL_LENGTH;
        }
        if (!InternetChecksum.verifies(InternetChecksum.sum(buf, at, hl))) {
            return Problem.CHECKSUM;
        }
        return Problem.OK;
    }

    public int version() {
        return buf.getU8(at) >>> 4;
    }

    /** Header length in bytes, options included. */
    public int headerLength() {
        return (buf.getU8(at) & 0x0f) * 4;
    }

    public int tos() {
        return buf.getU8(at + 1);
    }

    public int totalLength() {
        return buf.getU16(at + 2);
    }

    public int identification() {
        return buf.getU16(at + 4);
    }

    public boolean dontFragment() {
        return (buf.getU16(at + 6) & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (buf.getU16(at + 6) & FLAG_MF) != 0;
    }

    /** Offset of this fragment's data in the original datagram, in bytes. */
    public int fragmentOffset() {
        return (buf.getU16(at + 6) & 0x1fff) * 8;
    }

    public boolean isFragment() {
        return (buf.getU16(at + 6) & (FLAG_MF | 0x1fff)) != 0;
    }

    public int ttl() {
        return buf.getU8(at + 8);
    }

    public int protocol() {
        return buf.getU8(at + 9);
    }

    public int checksum() {
        return buf.getU16(at + 10);
    }

    public int source() {
        return buf.getI32(at + 12);
    }

    public int destination() {
        return buf.getI32(at + 16);
    }

    /**
     * Prepends a 20-byte header without options to {@code b} (whose window is the payload) and
     * fills in its checksum.
     */
    public static void prepend(PacketBuffer b, int tos, int id, boolean dontFragment, boolean moreFragments,
            int fragmentOffsetBytes, int ttl, int protocol, int source, int destination) {
        int total = b.length() + MIN_HEADER;
        b.prepend(MIN_HEADER);
        b.setU8(0, 0x45).setU8(1, tos).setU16(2, total).setU16(4, id)
                .setU16(6, (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0) | (fragmentOffsetBytes >>> 3))
                .setU8(8, ttl).setU8(9, protocol).setU16(10, 0).setI32(12, source).setI32(16, destination);
        b.setU16(10, InternetChecksum.checksum(b, 0, MIN_HEADER));
    }
}
