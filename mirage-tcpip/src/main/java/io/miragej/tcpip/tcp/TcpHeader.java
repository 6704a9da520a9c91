package io.miragej.tcpip.tcp;

import io.miragej.buffer.PacketBuffer;

/**
 * A flyweight over a TCP header (RFC 9293 section 3.1) and the options this stack understands,
 * parsed once by {@link #parse}: MSS (RFC 9293 3.7.1), window scale and timestamps (RFC 7323),
 * SACK-permitted and SACK blocks (RFC 2018). Unknown options are skipped by their length;
 * a malformed option list makes {@link #parse} fail.
 */
public final class TcpHeader {
    public static final int MIN_HEADER = 20;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    static final int OPT_END = 0;
    static final int OPT_NOP = 1;
    static final int OPT_MSS = 2;
    static final int OPT_WSCALE = 3;
    static final int OPT_SACK_PERMITTED = 4;
    static final int OPT_SACK = 5;
    static final int OPT_TIMESTAMP = 8;
    /** Largest SACK block count that fits in 40 option bytes. */
    static final int MAX_SACK_BLOCKS = 4;

    private PacketBuffer buf;
    private int at;
    private int segmentLength;

    // parsed options
    int mss;
    int windowScale;
    boolean sackPermitted;
    boolean hasTimestamp;
    int tsVal;
    int tsEcr;
    int sackBlocks;
    /**
     * For a segment the device coalesced from smaller ones: their payload size (the sender's
     * MSS), which is what receive-side MSS estimation must see; 0 otherwise. Set by the receiver
     * after {@link #parse}.
     */
    public int segmentSize;
    final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    final int[] sackRight = new int[MAX_SACK_BLOCKS];

    /**
     * Points at the segment {@code b[offset, offset+length)} and parses its options.
     *
     * @return false when the header is shorter than 20 bytes, its data offset is wrong, or its
     *     options are malformed
     */
    public boolean parse(PacketBuffer b, int offset, int length) {
        this.buf = b;
        segmentSize = 0;
        this.at = offset;
        this.segmentLength = length;
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamp = false;
        sackBlocks = 0;
        if (length < MIN_HEADER) {
            return false;
        }
        int hl = headerLength();
        if (hl < MIN_HEADER || hl > length) {
            return false;
        }
        int p = offset + MIN_HEADER;
        int end = offset + hl;
        while (p < end) {
            int kind = b.getU8(p);
            if (kind == OPT_END) {
                break;
            }
            if (kind == OPT_NOP) {
                p++;
                continue;
            }
            if (p + 1 >= end) {
                return false;
            }
            int len = b.getU8(p + 1);
            if (len < 2 || p + len > end) {
                return false;
            }
            switch (kind) {
                case OPT_MSS -> {
                    if (len != 4) {
                        return false;
                    }
                    mss = b.getU16(p + 2);
                }
                case OPT_WSCALE -> {
                    if (len != 3) {
                        return false;
                    }
                    windowScale = Math.min(14, b.getU8(p + 2)); // RFC 7323 2.3: larger values mean 14
                }
                case OPT_SACK_PERMITTED -> {
                    if (len != 2) {
                        return false;
                    }
                    sackPermitted = true;
                }
                case OPT_TIMESTAMP -> {
                    if (len != 10) {
                        return false;
                    }
                    hasTimestamp = true;
                    tsVal = b.getI32(p + 2);
                    tsEcr = b.getI32(p + 6);
                }
                case OPT_SACK -> {
                    if ((len - 2) % 8 != 0) {
                        return false;
                    }
                    int n = Math.min(MAX_SACK_BLOCKS, (len - 2) / 8);
                    for (int i = 0; i < n; i++) {
                        sackLeft[i] = b.getI32(p + 2 + 8 * i);
                        sackRight[i] = b.getI32(p + 6 + 8 * i);
                    }
                    sackBlocks = n;
                }
                default -> {} // unknown options are skipped
            }
            p += len;
        }
        return true;
    }

    public int sourcePort() {
        return buf.getU16(at);
    }

    public int destinationPort() {
        return buf.getU16(at + 2);
    }

    public int seq() {
        return buf.getI32(at + 4);
    }

    public int ack() {
        return buf.getI32(at + 8);
    }

    public int headerLength() {
        return (buf.getU8(at + 12) >>> 4) * 4;
    }

    public int flags() {
        return buf.getU8(at + 13);
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    public int window() {
        return buf.getU16(at + 14);
    }

    public int checksum() {
        return buf.getU16(at + 16);
    }

    public PacketBuffer buffer() {
        return buf;
    }

    public int payloadOffset() {
        return at + headerLength();
    }

    public int payloadLength() {
        return segmentLength - headerLength();
    }

    /** Sequence space the segment occupies: payload, plus one each for SYN and FIN. */
    public int sequenceLength() {
        int f = flags();
        return payloadLength() + ((f & SYN) != 0 ? 1 : 0) + ((f & FIN) != 0 ? 1 : 0);
    }

    /** Writes the fixed 20 bytes at index 0 of {@code b}; options are written by the caller after. */
    static void writeFixed(PacketBuffer b, int srcPort, int dstPort, int seq, int ack, int headerLength, int flags,
            int window) {
        b.setU16(0, srcPort).setU16(2, dstPort).setI32(4, seq).setI32(8, ack)
                .setU8(12, (headerLength / 4) << 4).setU8(13, flags).setU16(14, window).setU16(16, 0).setU16(18, 0);
    }
}
