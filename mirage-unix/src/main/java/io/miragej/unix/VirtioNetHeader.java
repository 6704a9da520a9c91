package io.miragej.unix;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.FrameOffload;
import io.miragej.device.Network;

/**
 * The virtio-net header (virtio 1.2, section 5.1.6) a TAP device opened with {@code IFF_VNET_HDR}
 * puts in front of every frame, little-endian:
 *
 * <pre>
 *   0  u8   flags         1 NEEDS_CSUM, 2 DATA_VALID
 *   1  u8   gso_type      0 NONE, 1 TCPV4, 3 UDP, 4 TCPV6, 5 UDP_L4; 0x80 ECN
 *   2  le16 hdr_len       (a hint, ignored)
 *   4  le16 gso_size
 *   6  le16 csum_start
 *   8  le16 csum_offset
 *  10  le16 num_buffers   (12-byte header only; ignored)
 * </pre>
 *
 * Parsing checks what the stack will rely on and turns it into a {@link FrameOffload}; anything
 * else (unknown flags or types, UDP segmentation we never asked for, a checksum field outside the
 * frame) is a {@link Verdict} other than {@code OK}, for the device to count and drop. Writing
 * produces the all-zero header of a plain frame, or the header of a frame with send offloads
 * (partial checksum, TCP segmentation; see {@link Network#send(PacketBuffer, FrameOffload)}).
 */
final class VirtioNetHeader {
    /** The legacy header without {@code num_buffers}. */
    static final int LEGACY_LENGTH = 10;
    /** The virtio 1.0 header, which TapNetwork asks for with TUNSETVNETHDRSZ. */
    static final int LENGTH = 12;

    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_UDP_L4 = 5;
    static final int GSO_ECN = 0x80;

    /** What parsing found. */
    enum Verdict {
        OK,
        /** Shorter than the header plus an Ethernet header. */
        SHORT,
        /** Flags or segmentation type this header format does not define. */
        UNKNOWN,
        /** Defined, but never turned on by us (UDP segmentation). */
        UNSUPPORTED,
        /** A partial checksum whose field lies outside the frame, or a coalesced segment of size 0. */
        INCONSISTENT
    }

    private VirtioNetHeader() {}

    /**
     * Parses the header at {@code b[0, headerLength)}, followed by a frame of {@code b.length() -
     * headerLength} bytes, into {@code out}, which is left empty unless the verdict is {@code OK}. Never throws for any bytes.
     */
    static Verdict parse(PacketBuffer b, int headerLength, FrameOffload out) {
        Verdict v = parseInto(b, headerLength, out.clear());
        if (v != Verdict.OK) {
            out.clear();
        }
        return v;
    }

    private static Verdict parseInto(PacketBuffer b, int headerLength, FrameOffload out) {
        int frameLength = b.length() - headerLength;
        if (b.length() < headerLength || frameLength < Network.ETHERNET_HEADER) {
            return Verdict.SHORT;
        }
        int flags = b.getU8(0);
        int gso = b.getU8(1);
        int gsoSize = le16(b, 4);
        int start = le16(b, 6);
        int offset = le16(b, 8);
        if ((flags & ~(F_NEEDS_CSUM | F_DATA_VALID)) != 0) {
            return Verdict.UNKNOWN;
        }
        if ((flags & F_NEEDS_CSUM) != 0) {
            if (start < Network.ETHERNET_HEADER || (long) start + offset + 2 > frameLength) {
                return Verdict.INCONSISTENT;
            }
            out.checksumPartial(start, offset);
        } else if ((flags & F_DATA_VALID) != 0) {
            out.checksumVerified();
        }
        switch (gso & ~GSO_ECN) {
            case GSO_NONE -> {
                if (gso != GSO_NONE) {
                    return Verdict.UNKNOWN; // ECN on nothing
                }
            }
            case GSO_TCPV4, GSO_TCPV6 -> {
                if (gsoSize == 0) {
                    return Verdict.INCONSISTENT;
                }
                out.coalesced((gso & ~GSO_ECN) == GSO_TCPV4 ? FrameOffload.Segmentation.TCP_V4
                        : FrameOffload.Segmentation.TCP_V6, gsoSize);
            }
            case GSO_UDP, GSO_UDP_L4 -> {
                return Verdict.UNSUPPORTED;
            }
            default -> {
                return Verdict.UNKNOWN;
            }
        }
        return Verdict.OK;
    }

    /** Writes the header of a plain frame (nothing offloaded) at {@code b[0, headerLength)}. */
    static void writePlain(PacketBuffer b, int headerLength) {
        b.fill(0, headerLength, (byte) 0);
    }

    /**
     * Writes the header for a frame sent with {@code offload} at {@code b[0, headerLength)},
     * followed by the frame itself ({@code b.length() - headerLength} bytes): {@code NEEDS_CSUM}
     * with {@code csum_start}/{@code csum_offset} for a partial checksum; for TCP segmentation the
     * GSO type, {@code gso_size} and {@code hdr_len} (Ethernet, IP and TCP headers, read from the
     * TCP header's data offset). Returns false, writing nothing meaningful, for what a device may
     * not be asked: a verified checksum, segmentation without a partial checksum at a TCP header
     * inside the frame, a segment size or header length beyond 16 bits.
     */
    static boolean writeOffload(PacketBuffer b, int headerLength, FrameOffload offload) {
        int frameLength = b.length() - headerLength;
        if (frameLength < Network.ETHERNET_HEADER) {
            return false;
        }
        int flags = 0;
        int start = 0;
        int offset = 0;
        switch (offload.checksum()) {
            case NONE -> {}
            case VERIFIED -> {
                return false;
            }
            case PARTIAL -> {
                start = offload.checksumStart();
                offset = offload.checksumOffset();
                if (start < Network.ETHERNET_HEADER || (long) start + offset + 2 > frameLength || start > 0xffff
                        || offset > 0xffff) {
                    return false;
                }
                flags = F_NEEDS_CSUM;
            }
        }
        int gso = GSO_NONE;
        int gsoSize = 0;
        int hdrLen = 0;
        if (offload.segmentation() != FrameOffload.Segmentation.NONE) {
            // TCP's checksum field is 16 bytes into its header, the data offset 12.
            if (flags != F_NEEDS_CSUM || offset != 16 || start + 20 > frameLength || offload.segmentSize() > 0xffff) {
                return false;
            }
            hdrLen = start + (b.getU8(headerLength + start + 12) >>> 4) * 4;
            if (hdrLen < start + 20 || hdrLen > frameLength) {
                return false;
            }
            gso = offload.segmentation() == FrameOffload.Segmentation.TCP_V4 ? GSO_TCPV4 : GSO_TCPV6;
            gsoSize = offload.segmentSize();
        }
        b.fill(0, headerLength, (byte) 0);
        b.setU8(0, flags).setU8(1, gso);
        setLe16(b, 2, hdrLen);
        setLe16(b, 4, gsoSize);
        setLe16(b, 6, start);
        setLe16(b, 8, offset);
        return true;
    }

    private static void setLe16(PacketBuffer b, int index, int value) {
        b.setU16(index, Short.toUnsignedInt(Short.reverseBytes((short) value)));
    }

    private static int le16(PacketBuffer b, int index) {
        return Short.toUnsignedInt(Short.reverseBytes((short) b.getU16(index)));
    }
}
