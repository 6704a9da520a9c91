package io.miragej.net;

import java.net.InetSocketAddress;

/**
 * An IP address and a port 0..65535: one end of a UDP exchange or TCP connection. The unspecified
 * addresses ({@code 0.0.0.0}, {@code ::}) in a local endpoint mean "every local address";
 * {@code ::} covers IPv4 as well (a dual-stack wildcard, as on Linux).
 */
public record Endpoint(IpAddress address, int port) {
    private static final String EXPECTED =
            "an endpoint: an IPv4 address or a bracketed IPv6 address, ':', and a port 0-65535,"
                    + " like 192.0.2.1:53 or [2001:db8::1]:53";

    public Endpoint {
        if (address == null) {
            throw new NullPointerException("address");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("a port is 0-65535, got " + port);
        }
    }

    /** Every local address, both families, on {@code port}. */
    public static Endpoint any(int port) {
        return new Endpoint(Ipv6Address.ANY, port);
    }

    public static Endpoint of(String address, int port) {
        return new Endpoint(IpAddress.parse(address), port);
    }

    /** Parses {@code a.b.c.d:port} or {@code [v6]:port}. */
    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1 || text.length() - colon - 1 > 5) {
            throw new AddressFormatException(text, EXPECTED);
        }
        int port = 0;
        for (int i = colon + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new AddressFormatException(text, EXPECTED);
            }
            port = port * 10 + (c - '0');
        }
        if (port > 65535) {
            throw new AddressFormatException(text, EXPECTED);
        }
        String host = text.substring(0, colon);
        try {
            if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
                return new Endpoint(Ipv6Address.parse(host.substring(1, host.length() - 1)), port);
            }
            return new Endpoint(Ipv4Address.parse(host), port);
        } catch (AddressFormatException e) {
            throw new AddressFormatException(text, EXPECTED);
        }
    }

    public static Endpoint of(InetSocketAddress a) {
        return new Endpoint(IpAddress.of(a.getAddress()), a.getPort());
    }

    public InetSocketAddress toInetSocketAddress() {
        return new InetSocketAddress(address.toInetAddress(), port);
    }

    @Override
    public String toString() {
        return address instanceof Ipv6Address ? "[" + address + "]:" + port : address + ":" + port;
    }
}
