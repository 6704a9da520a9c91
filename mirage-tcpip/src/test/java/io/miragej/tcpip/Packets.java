package io.miragej.tcpip;

import io.miragej.buffer.PacketBuffer;
import java.io.ByteArrayOutputStream;

/**
 * Builds frames for tests with code of its own (a byte-at-a-time checksum, fields written by
 * hand), so tests do not check the stack's codecs with the same codecs.
 */
public final class Packets {
    private Packets() {}

    /** RFC 1071 checksum, the slow way. */
    public static int checksum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) == 1) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    public static byte[] ethernet(long dst, long src, int type, byte[] payload) {
        byte[] f = new byte[14 + payload.length];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dst >>> (40 - 8 * i));
            f[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        f[12] = (byte) (type >>> 8);
        f[13] = (byte) type;
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }

    public static byte[] ipv4(int src, int dst, int protocol, int ttl, int id, int flagsAndOffset, byte[] options,
            byte[] payload) {
        int hl = 20 + options.length;
        byte[] p = new byte[hl + payload.length];
        p[0] = (byte) (0x40 | (hl / 4));
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[4] = (byte) (id >>> 8);
        p[5] = (byte) id;
        p[6] = (byte) (flagsAndOffset >>> 8);
        p[7] = (byte) flagsAndOffset;
        p[8] = (byte) ttl;
        p[9] = (byte) protocol;
        putInt(p, 12, src);
        putInt(p, 16, dst);
        System.arraycopy(options, 0, p, 20, options.length);
        int cs = checksum(p, 0, hl, 0);
        p[10] = (byte) (cs >>> 8);
        p[11] = (byte) cs;
        System.arraycopy(payload, 0, p, hl, payload.length);
        return p;
    }

    public static byte[] ipv4(int src, int dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, 64, 1, 0, new byte[0], payload);
    }

    public static byte[] udp(int src, int dst, int srcPort, int dstPort, byte[] payload) {
        byte[] u = new byte[8 + payload.length];
        u[0] = (byte) (srcPort >>> 8);
        u[1] = (byte) srcPort;
        u[2] = (byte) (dstPort >>> 8);
        u[3] = (byte) dstPort;
        u[4] = (byte) (u.length >>> 8);
        u[5] = (byte) u.length;
        System.arraycopy(payload, 0, u, 8, payload.length);
        long pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 17 + u.length;
        int cs = checksum(u, 0, u.length, pseudo);
        if (cs == 0) {
            cs = 0xffff;
        }
        u[6] = (byte) (cs >>> 8);
        u[7] = (byte) cs;
        return u;
    }

    public static byte[] icmpEcho(int type, int id, int seq, byte[] data) {
        byte[] m = new byte[8 + data.length];
        m[0] = (byte) type;
        m[4] = (byte) (id >>> 8);
        m[5] = (byte) id;
        m[6] = (byte) (seq >>> 8);
        m[7] = (byte) seq;
        System.arraycopy(data, 0, m, 8, data.length);
        int cs = checksum(m, 0, m.length, 0);
        m[2] = (byte) (cs >>> 8);
        m[3] = (byte) cs;
        return m;
    }

    public static byte[] arp(int op, long sha, int spa, long tha, int tpa) {
        byte[] a = new byte[28];
        a[1] = 1;
        a[2] = 8;
        a[4] = 6;
        a[5] = 4;
        a[7] = (byte) op;
        for (int i = 0; i < 6; i++) {
            a[8 + i] = (byte) (sha >>> (40 - 8 * i));
            a[18 + i] = (byte) (tha >>> (40 - 8 * i));
        }
        putInt(a, 14, spa);
        putInt(a, 24, tpa);
        return a;
    }

    public static byte[] ipv6(long sh, long sl, long dh, long dl, int nextHeader, int hopLimit, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        p[4] = (byte) (payload.length >>> 8);
        p[5] = (byte) payload.length;
        p[6] = (byte) nextHeader;
        p[7] = (byte) hopLimit;
        putLong(p, 8, sh);
        putLong(p, 16, sl);
        putLong(p, 24, dh);
        putLong(p, 32, dl);
        System.arraycopy(payload, 0, p, 40, payload.length);
        return p;
    }

    /** The IPv6 pseudo-header sum for an upper-layer message, for {@link #checksum}'s initial value. */
    public static long pseudo6(long sh, long sl, long dh, long dl, int nextHeader, int length) {
        long sum = 0;
        for (long v : new long[] {sh, sl, dh, dl}) {
            for (int i = 0; i < 4; i++) {
                sum += (v >>> (48 - 16 * i)) & 0xffff;
            }
        }
        return sum + nextHeader + length;
    }

    /** An ICMPv6 message with its checksum filled in. */
    public static byte[] icmpv6(long sh, long sl, long dh, long dl, int type, int code, byte[] body) {
        byte[] m = new byte[4 + body.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        System.arraycopy(body, 0, m, 4, body.length);
        int cs = checksum(m, 0, m.length, pseudo6(sh, sl, dh, dl, 58, m.length));
        m[2] = (byte) (cs >>> 8);
        m[3] = (byte) cs;
        return m;
    }

    public static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    public static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    public static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    public static int getInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    public static int getU16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    public static long getMac(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** A copy of {@code bytes} in a buffer with the headroom a device gives. */
    public static PacketBuffer frame(byte[] bytes) {
        PacketBuffer b = PacketBuffer.allocate(128, bytes.length);
        b.setBytes(0, bytes);
        return b;
    }

    public static int ip(String dotted) {
        String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                | Integer.parseInt(p[3]);
    }
}
