package io.miragej.net;

import io.miragej.buffer.PacketBuffer;

/** A 48-bit IEEE 802 MAC address, held in the low 48 bits of a long. */
public record MacAddress(long bits) implements Comparable<MacAddress> {
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);
    public static final MacAddress ZERO = new MacAddress(0);

    private static final String EXPECTED =
            "a MAC address: six two-digit hexadecimal bytes separated by ':' or '-', like 02:00:5e:10:00:01";

    public MacAddress {
        if ((bits & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits, got 0x" + Long.toHexString(bits));
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with '-'), either case. */
    public static MacAddress parse(String text) {
        if (text.length() != 17) {
            throw new AddressFormatException(text, EXPECTED);
        }
        char sep = text.charAt(2);
        if (sep != ':' && sep != '-') {
            throw new AddressFormatException(text, EXPECTED);
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int p = i * 3;
            if (i > 0 && text.charAt(p - 1) != sep) {
                throw new AddressFormatException(text, EXPECTED);
            }
            int hi = Character.digit(text.charAt(p), 16);
            int lo = Character.digit(text.charAt(p + 1), 16);
            if (hi < 0 || lo < 0 || !isAsciiHex(text.charAt(p)) || !isAsciiHex(text.charAt(p + 1))) {
                throw new AddressFormatException(text, EXPECTED);
            }
            v = (v << 8) | (hi << 4) | lo;
        }
        return new MacAddress(v);
    }

    static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
        }
        long v = 0;
        for (byte b : bytes) {
            v = (v << 8) | (b & 0xff);
        }
        return new MacAddress(v);
    }

    /** Reads six bytes at {@code index}. */
    public static MacAddress read(PacketBuffer buf, int index) {
        return new MacAddress(((long) buf.getU16(index) << 32) | buf.getU32(index + 2));
    }

    /** Writes six bytes at {@code index}. */
    public void write(PacketBuffer buf, int index) {
        buf.setU16(index, (int) (bits >>> 32));
        buf.setU32(index + 2, bits);
    }

    /** A random unicast, locally administered address (as hypervisors hand out), from 48 random bits. */
    public static MacAddress locallyAdministered(long random) {
        long v = random & 0xffff_ffff_ffffL;
        v &= ~(1L << 40); // unicast
        v |= 1L << 41; // locally administered
        return new MacAddress(v);
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return b;
    }

    public boolean isBroadcast() {
        return bits == BROADCAST.bits;
    }

    /** Group bit set: multicast or broadcast. */
    public boolean isMulticast() {
        return (bits & (1L << 40)) != 0;
    }

    public boolean isLocallyAdministered() {
        return (bits & (1L << 41)) != 0;
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(bits, o.bits);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                b.append(':');
            }
            int octet = (int) (bits >>> (40 - 8 * i)) & 0xff;
            b.append(Character.forDigit(octet >> 4, 16)).append(Character.forDigit(octet & 15, 16));
        }
        return b.toString();
    }
}
