package io.miragej.net;

/** An IPv6 address with a prefix length 0..128, like {@code 2001:db8::1/64}. */
public record Ipv6Prefix(Ipv6Address address, int length) implements IpPrefix {
    private static final String EXPECTED =
            "an IPv6 prefix: an IPv6 address, '/', and a length 0-128, like 2001:db8::1/64";

    public Ipv6Prefix {
        if (address == null || length < 0 || length > 128) {
            throw new IllegalArgumentException("an IPv6 prefix length is 0-128, got " + length);
        }
    }

    /** Parses {@code addr/len}. */
    public static Ipv6Prefix parse(String text) {
        int slash = text.indexOf('/');
        int len = IpPrefix.prefixLength(text, slash, 128, EXPECTED);
        Ipv6Address a;
        try {
            a = Ipv6Address.parse(text.substring(0, slash));
        } catch (AddressFormatException e) {
            throw new AddressFormatException(text, EXPECTED);
        }
        return new Ipv6Prefix(a, len);
    }

    private long highMask() {
        return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
    }

    private long lowMask() {
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    @Override
    public Ipv6Address network() {
        return new Ipv6Address(address.high() & highMask(), address.low() & lowMask());
    }

    @Override
    public boolean contains(IpAddress a) {
        return a instanceof Ipv6Address v6
                && ((v6.high() ^ address.high()) & highMask()) == 0
                && ((v6.low() ^ address.low()) & lowMask()) == 0;
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
