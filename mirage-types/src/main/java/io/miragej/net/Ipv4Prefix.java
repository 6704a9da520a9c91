package io.miragej.net;

/** An IPv4 address with a prefix length 0..32, like {@code 10.0.0.2/24}. */
public record Ipv4Prefix(Ipv4Address address, int length) implements IpPrefix {
    private static final String EXPECTED =
            "an IPv4 prefix: an IPv4 address, '/', and a length 0-32, like 10.0.0.2/24";

    public Ipv4Prefix {
        if (address == null || length < 0 || length > 32) {
            throw new IllegalArgumentException("an IPv4 prefix length is 0-32, got " + length);
        }
    }

    /** Parses {@code a.b.c.d/len}. */
    public static Ipv4Prefix parse(String text) {
        int slash = text.indexOf('/');
        int len = IpPrefix.prefixLength(text, slash, 32, EXPECTED);
        Ipv4Address a;
        try {
            a = Ipv4Address.parse(text.substring(0, slash));
        } catch (AddressFormatException e) {
            throw new AddressFormatException(text, EXPECTED);
        }
        return new Ipv4Prefix(a, len);
    }

    /** The mask as an int, e.g. 0xffffff00 for /24. */
    public int mask() {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    public Ipv4Address netmask() {
        return new Ipv4Address(mask());
    }

    @Override
    public Ipv4Address network() {
        return new Ipv4Address(address.bits() & mask());
    }

    /** The all-ones host address of the network. */
    public Ipv4Address broadcast() {
        return new Ipv4Address(address.bits() | ~mask());
    }

    @Override
    public boolean contains(IpAddress a) {
        return a instanceof Ipv4Address v4 && ((v4.bits() ^ address.bits()) & mask()) == 0;
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
