package io.miragej.net;

import io.miragej.buffer.PacketBuffer;

/** An IPv4 address, held as a 32-bit int in network order (first octet in the high byte). */
public record Ipv4Address(int bits) implements IpAddress {
    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address LOOPBACK = new Ipv4Address(0x7f00_0001);
    public static final Ipv4Address BROADCAST = new Ipv4Address(-1);

    static final String EXPECTED =
            "an IPv4 address: four decimal numbers 0-255 separated by dots, like 192.0.2.1";

    /**
     * Parses dotted-quad text. Exactly four parts, each 0-255 in decimal without leading zeros
     * (so {@code 010.0.0.1} is rejected rather than guessed at as octal), and nothing else.
     *
     * @throws AddressFormatException when the text is anything else
     */
    public static Ipv4Address parse(String text) {
        int v = parseOrThrow(text, 0, text.length(), text);
        return new Ipv4Address(v);
    }

    /** Parses text[from, to); used for IPv4 embedded in IPv6. */
    static int parseOrThrow(String text, int from, int to, String whole) {
        int value = 0;
        int parts = 0;
        int i = from;
        while (true) {
            int start = i;
            int part = 0;
            while (i < to && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                part = part * 10 + (text.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    throw new AddressFormatException(whole, EXPECTED);
                }
            }
            int digits = i - start;
            if (digits == 0 || part > 255 || (digits > 1 && text.charAt(start) == '0')) {
                throw new AddressFormatException(whole, EXPECTED);
            }
            value = (value << 8) | part;
            parts++;
            if (parts == 4) {
                if (i != to) {
                    throw new AddressFormatException(whole, EXPECTED);
                }
                return value;
            }
            if (i >= to || text.charAt(i) != '.') {
                throw new AddressFormatException(whole, EXPECTED);
            }
            i++;
        }
    }

    public static Ipv4Address of(int a, int b, int c, int d) {
        for (int octet : new int[] {a, b, c, d}) {
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("an IPv4 octet is 0-255, got " + octet);
            }
        }
        return new Ipv4Address((a << 24) | (b << 16) | (c << 8) | d);
    }

    public static Ipv4Address of(byte[] bytes) {
        if (bytes.length != 4) {
            throw new IllegalArgumentException("an IPv4 address has 4 bytes, got " + bytes.length);
        }
        return new Ipv4Address(((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16)
                | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff));
    }

    /** Reads four bytes at {@code index}. */
    public static Ipv4Address read(PacketBuffer buf, int index) {
        return new Ipv4Address(buf.getI32(index));
    }

    /** Writes four bytes at {@code index}. */
    public void write(PacketBuffer buf, int index) {
        buf.setI32(index, bits);
    }

    @Override
    public int version() {
        return 4;
    }

    @Override
    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    @Override
    public boolean isUnspecified() {
        return bits == 0;
    }

    @Override
    public boolean isLoopback() {
        return (bits >>> 24) == 127;
    }

    @Override
    public boolean isMulticast() {
        return (bits >>> 28) == 0xe;
    }

    public boolean isBroadcast() {
        return bits == -1;
    }

    /** 169.254.0.0/16. */
    public boolean isLinkLocal() {
        return (bits >>> 16) == 0xa9fe;
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
