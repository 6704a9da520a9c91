package io.miragej.net;

import io.miragej.buffer.PacketBuffer;

/** An IPv6 address, held as two longs: the high and low 64 bits, in network order. */
public record Ipv6Address(long high, long low) implements IpAddress {
    public static final Ipv6Address ANY = new Ipv6Address(0, 0);
    public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);

    static final String EXPECTED = "an IPv6 address: up to eight groups of 1-4 hexadecimal digits"
            + " separated by ':', with at most one '::' and optionally a dotted IPv4 address at the"
            + " end, like 2001:db8::1 or ::ffff:192.0.2.1 (zone ids like %eth0 are not accepted)";

    /**
     * Parses the text forms of RFC 4291 section 2.2.
     *
     * @throws AddressFormatException when the text is anything else
     */
    public static Ipv6Address parse(String text) {
        int n = text.length();
        if (n < 2 || n > 45) {
            throw new AddressFormatException(text, EXPECTED);
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw new AddressFormatException(text, EXPECTED);
        }
        int[] groups = new int[8];
        int count;
        if (gap < 0) {
            count = parseGroups(text, 0, n, groups, true, text);
            if (count != 8) {
                throw new AddressFormatException(text, EXPECTED);
            }
        } else {
            int[] tail = new int[8];
            int head = gap == 0 ? 0 : parseGroups(text, 0, gap, groups, false, text);
            int tailCount = gap + 2 == n ? 0 : parseGroups(text, gap + 2, n, tail, true, text);
            if (head + tailCount > 7) {
                throw new AddressFormatException(text, EXPECTED);
            }
            System.arraycopy(tail, 0, groups, 8 - tailCount, tailCount);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = (hi << 16) | groups[i];
            lo = (lo << 16) | groups[i + 4];
        }
        return new Ipv6Address(hi, lo);
    }

    /**
     * Parses ':'-separated groups in text[from, to) into out; returns how many 16-bit groups. An
     * embedded IPv4 address may only end the whole address ({@code v4Allowed}).
     */
    private static int parseGroups(String text, int from, int to, int[] out, boolean v4Allowed, String whole) {
        int count = 0;
        int i = from;
        while (true) {
            int start = i;
            int v = 0;
            while (i < to && MacAddress.isAsciiHex(text.charAt(i))) {
                v = (v << 4) | Character.digit(text.charAt(i), 16);
                i++;
            }
            int digits = i - start;
            if (i < to && text.charAt(i) == '.') {
                // an embedded IPv4 address ends the text and takes two groups
                if (count > 6 || !v4Allowed) {
                    throw new AddressFormatException(whole, EXPECTED);
                }
                int v4 = Ipv4Address.parseOrThrow(text, start, to, whole);
                out[count++] = v4 >>> 16;
                out[count++] = v4 & 0xffff;
                return count;
            }
            if (digits == 0 || digits > 4 || count >= 8) {
                throw new AddressFormatException(whole, EXPECTED);
            }
            out[count++] = v;
            if (i == to) {
                return count;
            }
            if (text.charAt(i) != ':' || i + 1 == to) {
                throw new AddressFormatException(whole, EXPECTED);
            }
            i++;
        }
    }

    public static Ipv6Address of(byte[] bytes) {
        if (bytes.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, got " + bytes.length);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (bytes[i] & 0xff);
            lo = (lo << 8) | (bytes[i + 8] & 0xff);
        }
        return new Ipv6Address(hi, lo);
    }

    /** Reads sixteen bytes at {@code index}. */
    public static Ipv6Address read(PacketBuffer buf, int index) {
        return new Ipv6Address(buf.getI64(index), buf.getI64(index + 8));
    }

    /** Writes sixteen bytes at {@code index}. */
    public void write(PacketBuffer buf, int index) {
        buf.setI64(index, high);
        buf.setI64(index + 8, low);
    }

    /** The IPv4-mapped form {@code ::ffff:a.b.c.d}. */
    public static Ipv6Address mapped(Ipv4Address v4) {
        return new Ipv6Address(0, 0xffff_0000_0000L | (v4.bits() & 0xffff_ffffL));
    }

    @Override
    public int version() {
        return 6;
    }

    @Override
    public byte[] toBytes() {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[i + 8] = (byte) (low >>> (56 - 8 * i));
        }
        return b;
    }

    /** The 16-bit group at position 0..7. */
    public int group(int i) {
        long word = i < 4 ? high : low;
        return (int) (word >>> (48 - 16 * (i & 3))) & 0xffff;
    }

    @Override
    public boolean isUnspecified() {
        return high == 0 && low == 0;
    }

    @Override
    public boolean isLoopback() {
        return high == 0 && low == 1;
    }

    @Override
    public boolean isMulticast() {
        return (high >>> 56) == 0xff;
    }

    /** fe80::/10. */
    public boolean isLinkLocal() {
        return (high >>> 54) == (0xfe80L >>> 6);
    }

    public boolean isIpv4Mapped() {
        return high == 0 && (low >>> 32) == 0xffff;
    }

    /** The text form recommended by RFC 5952: lowercase, shortest, longest zero run as '::'. */
    @Override
    public String toString() {
        if (isIpv4Mapped()) {
            return "::ffff:" + new Ipv4Address((int) low);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero group is never compressed
        for (int i = 0; i < 8; ) {
            if (group(i) == 0) {
                int j = i;
                while (j < 8 && group(j) == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(group(i)));
        }
        return b.toString();
    }
}
