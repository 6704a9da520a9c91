package io.miragej.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 address. */
public sealed interface IpAddress extends Comparable<IpAddress> permits Ipv4Address, Ipv6Address {

    /**
     * Parses either family: text containing ':' is read as IPv6, anything else as IPv4.
     *
     * @throws AddressFormatException when the text is neither
     */
    static IpAddress parse(String text) {
        return text.indexOf(':') >= 0 ? Ipv6Address.parse(text) : Ipv4Address.parse(text);
    }

    /** The address of the given 4 or 16 bytes. */
    static IpAddress of(byte[] bytes) {
        return switch (bytes.length) {
            case 4 -> Ipv4Address.of(bytes);
            case 16 -> Ipv6Address.of(bytes);
            default -> throw new IllegalArgumentException(
                    "an IP address has 4 or 16 bytes, got " + bytes.length);
        };
    }

    static IpAddress of(InetAddress address) {
        return of(address.getAddress());
    }

    /** 4 or 6. */
    int version();

    /** The address in network byte order: 4 or 16 bytes. */
    byte[] toBytes();

    boolean isUnspecified();

    boolean isLoopback();

    boolean isMulticast();

    /** The JDK's form of this address, for host socket APIs. */
    default InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for bad lengths
        }
    }

    /** IPv4 sorts before IPv6; within a family, numerically. */
    @Override
    default int compareTo(IpAddress o) {
        if (this instanceof Ipv4Address a && o instanceof Ipv4Address b) {
            return Integer.compareUnsigned(a.bits(), b.bits());
        }
        if (this instanceof Ipv6Address a && o instanceof Ipv6Address b) {
            int c = Long.compareUnsigned(a.high(), b.high());
            return c != 0 ? c : Long.compareUnsigned(a.low(), b.low());
        }
        return Integer.compare(version(), o.version());
    }
}
