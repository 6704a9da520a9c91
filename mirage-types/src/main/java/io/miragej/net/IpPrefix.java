package io.miragej.net;

/**
 * An address with a prefix length, written {@code ADDR/LEN}: an interface's address and its
 * network ({@code 10.0.0.2/24}), or a network itself. The address is kept as given; {@link
 * #network()} masks it.
 */
public sealed interface IpPrefix permits Ipv4Prefix, Ipv6Prefix {

    /** Parses either family's {@code ADDR/LEN}. */
    static IpPrefix parse(String text) {
        return text.indexOf(':') >= 0 ? Ipv6Prefix.parse(text) : Ipv4Prefix.parse(text);
    }

    IpAddress address();

    /** Number of leading bits that name the network. */
    int length();

    /** The address with the host bits cleared. */
    IpAddress network();

    /** True when {@code a} is of the same family and in this prefix's network. */
    boolean contains(IpAddress a);

    /** Splits {@code ADDR/LEN} and parses LEN as 0..max; the caller parses ADDR. */
    static int prefixLength(String text, int slash, int max, String expected) {
        int n = text.length() - slash - 1;
        if (slash < 0 || n < 1 || n > 3) {
            throw new AddressFormatException(text, expected);
        }
        int len = 0;
        for (int i = slash + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new AddressFormatException(text, expected);
            }
            len = len * 10 + (c - '0');
        }
        if (len > max || (n > 1 && text.charAt(slash + 1) == '0')) {
            throw new AddressFormatException(text, expected);
        }
        return len;
    }
}
