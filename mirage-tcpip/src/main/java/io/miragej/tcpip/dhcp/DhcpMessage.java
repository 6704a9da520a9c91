package io.miragej.tcpip.dhcp;

import io.miragej.buffer.PacketBuffer;

/**
 * A flyweight over a DHCP message (RFC 2131 section 2, options of RFC 2132): fixed BOOTP fields
 * read in place, and options found by scanning the option area with every length checked.
 * Option overload (52) is honoured: options in {@code file} and {@code sname} are found too.
 */
public final class DhcpMessage {
    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int MAGIC = 0x63825363;
    /** Offset of the options, right after the magic cookie at 236. */
    public static final int OPTIONS = 240;
    static final int SNAME = 44;
    static final int FILE = 108;

    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;

    public static final int OPT_PAD = 0;
    public static final int OPT_SUBNET_MASK = 1;
    public static final int OPT_ROUTER = 3;
    public static final int OPT_DNS = 6;
    public static final int OPT_HOSTNAME = 12;
    public static final int OPT_REQUESTED_IP = 50;
    public static final int OPT_LEASE_TIME = 51;
    public static final int OPT_OVERLOAD = 52;
    public static final int OPT_MESSAGE_TYPE = 53;
    public static final int OPT_SERVER_ID = 54;
    public static final int OPT_PARAMETERS = 55;
    public static final int OPT_RENEWAL_TIME = 58;
    public static final int OPT_REBINDING_TIME = 59;
    public static final int OPT_CLIENT_ID = 61;
    public static final int OPT_END = 255;

    private PacketBuffer buf;
    private int at;
    private int length;

    /**
     * Points at {@code b[offset, offset+length)}.
     *
     * @return false when it is too short for the fixed fields and the magic cookie, or the cookie
     *     is wrong
     */
    public boolean wrap(PacketBuffer b, int offset, int length) {
        this.buf = b;
        this.at = offset;
        this.length = length;
        return length >= OPTIONS && b.getI32(offset + OPTIONS - 4) == MAGIC;
    }

    public int op() {
        return buf.getU8(at);
    }

    public int htype() {
        return buf.getU8(at + 1);
    }

    public int hlen() {
        return buf.getU8(at + 2);
    }

    public int xid() {
        return buf.getI32(at + 4);
    }

    public int ciaddr() {
        return buf.getI32(at + 12);
    }

    public int yiaddr() {
        return buf.getI32(at + 16);
    }

    public int siaddr() {
        return buf.getI32(at + 20);
    }

    /** The first six bytes of chaddr: a MAC as the low 48 bits. */
    public long chaddrMac() {
        return ((long) buf.getU16(at + 28) << 32) | buf.getU32(at + 30);
    }

    /**
     * Index (in the buffer) of the value of option {@code code} and its length packed as {@code
     * (index << 8) | length}, or -1 when absent or when the options are malformed.
     */
    public long find(int code) {
        int overload = 0;
        long r = scan(at + OPTIONS, at + length, code);
        if (r >= 0 || r == -2) {
            return r >= 0 ? r : -1;
        }
        long o = scan(at + OPTIONS, at + length, OPT_OVERLOAD);
        if (o >= 0 && (o & 0xff) == 1) {
            overload = buf.getU8((int) (o >>> 8));
        }
        if ((overload & 1) != 0) {
            r = scan(at + FILE, at + FILE + 128, code);
            if (r >= 0) {
                return r;
            }
        }
        if ((overload & 2) != 0) {
            r = scan(at + SNAME, at + SNAME + 64, code);
            if (r >= 0) {
                return r;
            }
        }
        return -1;
    }

    /** Scans [from, to) for {@code code}: packed (index, length), -1 absent, -2 malformed. */
    private long scan(int from, int to, int code) {
        int p = from;
        while (p < to) {
            int c = buf.getU8(p);
            if (c == OPT_PAD) {
                p++;
                continue;
            }
            if (c == OPT_END) {
                return -1;
            }
            if (p + 1 >= to) {
                return -2;
            }
            int len = buf.getU8(p + 1);
            if (p + 2 + len > to) {
                return -2;
            }
            if (c == code) {
                return ((long) (p + 2) << 8) | len;
            }
            p += 2 + len;
        }
        return -1;
    }

    /** The message type (option 53), or -1. */
    public int messageType() {
        long o = find(OPT_MESSAGE_TYPE);
        return o >= 0 && (o & 0xff) == 1 ? buf.getU8((int) (o >>> 8)) : -1;
    }

    /** A four-byte option (an address or a time), or {@code absent}. */
    public long int32(int code, long absent) {
        long o = find(code);
        return o >= 0 && (o & 0xff) >= 4 ? buf.getU32((int) (o >>> 8)) : absent;
    }

    /** The {@code i}-th address of a list option (routers, DNS servers), or 0. */
    public int address(int code, int i) {
        long o = find(code);
        if (o < 0 || (o & 0xff) < 4 * (i + 1)) {
            return 0;
        }
        return buf.getI32((int) (o >>> 8) + 4 * i);
    }

    /** Number of addresses in a list option. */
    public int addresses(int code) {
        long o = find(code);
        return o < 0 ? 0 : (int) (o & 0xff) / 4;
    }
}
