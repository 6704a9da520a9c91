package io.miragej.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class AddressParsingProperties {

    /** Strings close to addresses: digits, hex, dots, colons, slashes, brackets and noise. */
    @Provide
    Arbitrary<String> addressish() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789abcdefABCDEF.:/[]%- x\u0000\u00e9").ofMaxLength(50),
                Arbitraries.strings().ofMaxLength(60),
                Arbitraries.strings().withChars("0123456789.").ofMaxLength(20),
                Arbitraries.strings().withChars("0123456789abcdef:").ofMaxLength(45));
    }

    private static void onlyDocumentedError(Function<String, ?> parser, String text) {
        try {
            parser.apply(text);
        } catch (AddressFormatException e) {
            assertTrue(e.getMessage().contains("is not"), e.getMessage());
        }
    }

    @Property(tries = 3000)
    void arbitraryStringsNeverThrowAnythingButTheParseError(@ForAll("addressish") String text) {
        onlyDocumentedError(Ipv4Address::parse, text);
        onlyDocumentedError(Ipv6Address::parse, text);
        onlyDocumentedError(IpAddress::parse, text);
        onlyDocumentedError(Ipv4Prefix::parse, text);
        onlyDocumentedError(Ipv6Prefix::parse, text);
        onlyDocumentedError(IpPrefix::parse, text);
        onlyDocumentedError(MacAddress::parse, text);
        onlyDocumentedError(Endpoint::parse, text);
    }

    /** Whatever we accept as IPv4 or IPv6, the JDK reads as the same address. */
    @Property(tries = 3000)
    void acceptedTextMeansWhatTheJdkSays(@ForAll("addressish") String text) throws Exception {
        IpAddress a;
        try {
            a = IpAddress.parse(text);
        } catch (AddressFormatException e) {
            return;
        }
        assertArrayEquals(InetAddress.getByName(text).getAddress().length == 4 && a.version() == 6
                ? Ipv6Address.mapped(Ipv4Address.of(InetAddress.getByName(text).getAddress())).toBytes()
                : InetAddress.getByName(text).getAddress(), a.toBytes(), text);
    }

    @Property
    void ipv4RoundTrips(@ForAll int bits) {
        Ipv4Address a = new Ipv4Address(bits);
        assertEquals(a, Ipv4Address.parse(a.toString()));
        assertEquals(a, Ipv4Address.of(a.toBytes()));
    }

    @Provide
    Arbitrary<Ipv6Address> ipv6() {
        // Mostly-zero groups make the '::' cases common.
        Arbitrary<Long> group = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, 0xffff));
        return group.list().ofSize(8).map(g -> {
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 4; i++) {
                hi = (hi << 16) | g.get(i);
                lo = (lo << 16) | g.get(i + 4);
            }
            return new Ipv6Address(hi, lo);
        });
    }

    @Property(tries = 2000)
    void ipv6RoundTripsAndAgreesWithTheJdk(@ForAll("ipv6") Ipv6Address a) throws Exception {
        String text = a.toString();
        assertEquals(a, Ipv6Address.parse(text));
        assertEquals(a, Ipv6Address.of(a.toBytes()));
        byte[] jdk = InetAddress.getByName(text).getAddress();
        if (jdk.length == 16) {
            assertArrayEquals(jdk, a.toBytes());
        }
        assertEquals(text.toLowerCase(), text);
    }

    @Property
    void prefixesRoundTripAndContainTheirNetwork(@ForAll int bits, @ForAll @IntRange(max = 32) int len) {
        Ipv4Prefix p = new Ipv4Prefix(new Ipv4Address(bits), len);
        assertEquals(p, Ipv4Prefix.parse(p.toString()));
        assertTrue(p.contains(p.network()));
        assertTrue(p.contains(p.broadcast()));
        assertTrue(p.contains(p.address()));
    }

    @Property
    void ipv6PrefixesContainTheirAddress(@ForAll("ipv6") Ipv6Address a, @ForAll @IntRange(max = 128) int len) {
        Ipv6Prefix p = new Ipv6Prefix(a, len);
        assertEquals(p, Ipv6Prefix.parse(p.toString()));
        assertTrue(p.contains(a));
        assertTrue(p.contains(p.network()));
    }

    @Property
    void macsRoundTrip(@ForAll long random) {
        MacAddress m = MacAddress.locallyAdministered(random);
        assertEquals(m, MacAddress.parse(m.toString()));
        assertEquals(m, MacAddress.of(m.toBytes()));
        assertTrue(m.isLocallyAdministered());
        assertTrue(!m.isMulticast());
    }

    @Example
    void rfc5952TextForms() {
        assertEquals("2001:db8::1", Ipv6Address.parse("2001:0db8:0000:0000:0000:0000:0000:0001").toString());
        assertEquals("2001:db8:0:1:1:1:1:1", Ipv6Address.parse("2001:db8:0:1:1:1:1:1").toString());
        assertEquals("2001:0:0:1::1", Ipv6Address.parse("2001:0:0:1:0:0:0:1").toString());
        assertEquals("2001:db8::1:0:0:1", Ipv6Address.parse("2001:db8:0:0:1:0:0:1").toString());
        assertEquals("::", Ipv6Address.ANY.toString());
        assertEquals("::1", Ipv6Address.LOOPBACK.toString());
        assertEquals("::ffff:192.0.2.1", Ipv6Address.parse("::ffff:c000:201").toString());
        assertEquals("fe80::", Ipv6Address.parse("FE80:0:0:0:0:0:0:0").toString());
        assertTrue(Ipv6Address.parse("fe80::1").isLinkLocal());
    }

    @Example
    void rejectsAmbiguousAndMalformedText() {
        for (String bad : new String[] {"010.0.0.1", "1.2.3", "1.2.3.4.5", "256.1.1.1", " 1.2.3.4", "1.2.3.4 ",
                "1..2.3", "", "::1::", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", ":1", "1:", "1:2:3:4:5:6:7::8:9",
                "::ffff:1.2.3", "1.2.3.4::"}) {
            assertThrows(AddressFormatException.class, () -> IpAddress.parse(bad), bad);
        }
        AddressFormatException e = assertThrows(AddressFormatException.class, () -> Ipv4Address.parse("1.2.3"));
        assertEquals("'1.2.3' is not an IPv4 address: four decimal numbers 0-255 separated by dots,"
                + " like 192.0.2.1", e.getMessage());
        assertThrows(AddressFormatException.class, () -> Ipv4Prefix.parse("10.0.0.1/33"));
        assertThrows(AddressFormatException.class, () -> Ipv4Prefix.parse("10.0.0.1/08"));
        assertThrows(AddressFormatException.class, () -> Endpoint.parse("::1:53"));
        assertEquals(new Endpoint(Ipv6Address.LOOPBACK, 53), Endpoint.parse("[::1]:53"));
        assertEquals("[::1]:53", Endpoint.parse("[::1]:53").toString());
    }
}
