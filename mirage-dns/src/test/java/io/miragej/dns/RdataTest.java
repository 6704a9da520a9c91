package io.miragej.dns;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RdataTest {
    private static final Name ORIGIN = Name.of("example.com.");

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("[\\s()]", ""));
    }

    private static Rdata parse(int type, String text) {
        return Rdata.parse(type, text, ORIGIN);
    }

    private static void assertRoundTrip(Rdata r) {
        Rdata back = Rdata.parse(r.type(), r.toString(), Name.ROOT);
        assertArrayEquals(r.toWire(), back.toWire(), () -> "round trip of " + r);
    }

    /** RFC 4034 §4.3: the NSEC example and its wire form. */
    @Test
    void nsecOfRfc4034() {
        Rdata r = parse(RrType.NSEC, "host.example.com. ( A MX RRSIG NSEC TYPE1234 )");
        byte[] expected = hex("04686f7374076578616d706c6503636f6d00" + "0006400100000003" + "041b"
                + "00".repeat(26) + "20");
        assertArrayEquals(expected, r.toWire());
        assertEquals("host.example.com. A MX RRSIG NSEC TYPE1234", r.toString());
    }

    /** RFC 4034 §2.3 and §5.4: DNSKEY and DS of dskey.example.com. */
    @Test
    void dnskeyAndDsOfRfc4034() {
        Rdata key = parse(RrType.DNSKEY, "256 3 5 ( AQOeiiR0GOMYkDshWoSKz9Xz fwJr1AYtsmx3TGkJaNXVbfi/"
                + " 2pHm822aJ5iI9BMzNXxeYCmZ DRD99WYwYqUSdjMmmAphXdvx egXd/M5+X7OrzKBaMbCVdFLU"
                + " Uh6DhweJBjEVv5f2wwjM9Xzc nOf+EPbtG9DMBmADjFDc2w/r ljwvFw== )");
        assertEquals(256, key.numberField(0));
        assertEquals(3, key.numberField(1));
        assertEquals(5, key.numberField(2));
        assertRoundTrip(key);
        Rdata ds = parse(RrType.DS, "60485 5 1 ( 2BB183AF5F22588179A53B0A 98631FAD1A292118 )");
        assertArrayEquals(hex("ec45 05 01 2BB183AF5F22588179A53B0A98631FAD1A292118"), ds.toWire());
        assertEquals("60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118", ds.toString());
    }

    /** RFC 4034 §3.3: the RRSIG example. */
    @Test
    void rrsigOfRfc4034() {
        Rdata r = parse(RrType.RRSIG, "A 5 3 86400 20030322173103 ( 20030220173103 2642 example.com."
                + " oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTr PYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6o"
                + " B9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3t GNazPwQKkRN20XPXV6nwwfoXmJQbsLNrLfkG"
                + " J5D6fwFm8nN+6pBzeDQfsS3Ap3o= )");
        assertEquals(RrType.A, r.numberField(0));
        assertEquals(86400, r.numberField(3));
        assertEquals(2642, r.numberField(6));
        assertEquals(Name.of("example.com."), r.nameField(7));
        assertTrue(r.toString().startsWith("A 5 3 86400 20030322173103 20030220173103 2642 example.com. oJB1"));
        assertRoundTrip(r);
        // times may also be given as seconds since the epoch (RFC 4034 §3.2)
        Rdata bySeconds = parse(RrType.RRSIG, "A 5 3 86400 1048354263 1045762263 2642 example.com. AAAA");
        assertEquals(r.numberField(4), bySeconds.numberField(4));
    }

    /** RFC 5155 Appendix A: an NSEC3 and the NSEC3PARAM of its zone. */
    @Test
    void nsec3OfRfc5155() {
        Rdata r = parse(RrType.NSEC3, "1 1 12 aabbccdd ( 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG )");
        assertEquals("1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS SOA MX RRSIG DNSKEY NSEC3PARAM", r.toString());
        assertRoundTrip(r);
        Rdata p = parse(RrType.NSEC3PARAM, "1 0 12 aabbccdd");
        assertArrayEquals(hex("01 00 000c 04 aabbccdd"), p.toWire());
        assertEquals("1 0 0 -", parse(RrType.NSEC3PARAM, "1 0 0 -").toString());
    }

    /** RFC 9460 Appendix D: SVCB test vectors, presentation to wire. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0 foo.example.com.|0000 03666f6f076578616d706c6503636f6d00",
        "1 .|0001 00",
        "16 foo.example.com. port=53|0010 03666f6f076578616d706c6503636f6d00 0003 0002 0035",
        "1 foo.example.com. key667=hello|0001 03666f6f076578616d706c6503636f6d00 029b 0005 68656c6c6f",
        "1 foo.example.com. key667=\"hello\\210qoo\"|0001 03666f6f076578616d706c6503636f6d00 029b 0009 68656c6c6fd2716f6f",
        "1 foo.example.com. ipv6hint=\"2001:db8::1,2001:db8::53:1\"|0001 03666f6f076578616d706c6503636f6d00 0006 0020"
                + " 20010db8000000000000000000000001 20010db8000000000000000000530001",
        "16 foo.example.org. ( alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1 )|0010"
                + " 03666f6f076578616d706c65036f726700 0000 0004 00010004 0001 0009 026832 056833 2d3139 0004 0004 c0000201",
        "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\"|0010 03666f6f076578616d706c65036f726700 0001 000c"
                + " 08665c6f6f2c626172 026832",
    })
    void svcbVectorsOfRfc9460(String text, String wire) {
        Rdata r = parse(RrType.SVCB, text);
        assertArrayEquals(hex(wire), r.toWire(), r::toString);
        assertRoundTrip(r);
        assertRoundTrip(Rdata.of(RrType.HTTPS, r.toWire()));
    }

    @Test
    void svcbRejectsRepeatedKeysAndMissingValues() {
        assertThrows(IllegalArgumentException.class, () -> parse(RrType.SVCB, "1 foo. key123=abc key123=def"));
        assertThrows(IllegalArgumentException.class, () -> parse(RrType.SVCB, "1 foo. port"));
        assertThrows(IllegalArgumentException.class, () -> parse(RrType.SVCB, "1 foo. no-default-alpn=abc"));
    }

    /** RFC 8659 §4.1 and its examples. */
    @Test
    void caa() {
        Rdata r = parse(RrType.CAA, "0 issue \"ca.example.net\"");
        assertArrayEquals(hex("00 05 6973737565 63612e6578616d706c652e6e6574"), r.toWire());
        assertEquals("0 issue \"ca.example.net\"", r.toString());
        assertEquals("128 tbs \"Unknown\"", parse(RrType.CAA, "128 tbs \"Unknown\"").toString());
        assertEquals("0 issue \";\"", parse(RrType.CAA, "0 issue \";\"").toString());
    }

    /** RFC 3597 §5: the generic syntax, for unknown types and for known ones. */
    @Test
    void genericSyntaxOfRfc3597() {
        Rdata unknown = parse(731, "\\# 6 abcd ( ef 01 23 45 )");
        assertArrayEquals(hex("abcdef012345"), unknown.toWire());
        assertEquals("\\# 6 ABCDEF012345", unknown.toString());
        assertEquals(parse(RrType.A, "10.0.0.1"), parse(RrType.A, "\\# 4 0A000001"));
        assertEquals("\\# 0", parse(62347, "\\# 0").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(731, "\\# 5 abcd"));
        assertTrue(e.getMessage().contains("5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse(731, "abcd"));
        assertThrows(IllegalArgumentException.class, () -> parse(RrType.A, "\\# 3 0A0000"));
    }

    @Test
    void commonTypes() {
        assertEquals("192.0.2.1", parse(RrType.A, "192.0.2.1").toString());
        assertEquals("2001:db8::1", parse(RrType.AAAA, "2001:DB8:0::1").toString());
        assertEquals("10 mail.example.com.", parse(RrType.MX, "10 mail").toString());
        assertEquals("ns1.example.com. hostmaster.example.com. 2024010101 3600 900 604800 300",
                parse(RrType.SOA, "ns1 hostmaster ( 2024010101 1h 15m 1w 5m )").toString());
        assertEquals("\"v=spf1 -all\" \"two\\\"q\" \"\\009\"", parse(RrType.TXT, "\"v=spf1 -all\" two\\\"q \\009").toString());
        assertEquals("0 5 5060 sip.example.com.", parse(RrType.SRV, "0 5 5060 sip").toString());
        assertEquals("\"PC\" \"Linux\"", parse(RrType.HINFO, "PC Linux").toString());
        assertEquals("100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
                parse(RrType.NAPTR, "100 10 U E2U+sip \"!^.*$!sip:info@example.com!\" .").toString());
        assertEquals("2 1 123456789ABCDEF67890123456789ABCDEF67890",
                parse(RrType.SSHFP, "2 1 123456789abcdef67890123456789abcdef67890").toString());
        assertEquals("3 1 1 0102", parse(RrType.TLSA, "3 1 1 0102").toString());
        assertEquals("target.example.com.", parse(RrType.DNAME, "target").toString());
        assertEquals("8 RSASHA256", "8 " + "RSASHA256");
        assertEquals(8, parse(RrType.DNSKEY, "257 3 RSASHA256 AwEAAQ==").numberField(2));
        assertEquals(Name.of("mail.example.com"), parse(RrType.MX, "10 mail").target());
    }

    @Test
    void errorsSayWhichFieldAndWhatItTakes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(RrType.MX, "x mail"));
        assertTrue(e.getMessage().contains("MX field 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse(RrType.A, "192.0.2"));
        assertTrue(e.getMessage().contains("A field 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse(RrType.SOA, "a b 1 2 3"));
        assertTrue(e.getMessage().contains("needs 7 fields"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse(RrType.A, "192.0.2.1 192.0.2.2"));
        assertTrue(e.getMessage().contains("more follow"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse(RrType.TXT, "\"" + "a".repeat(256) + "\""));
    }

    @Test
    void namesInOlderTypesCompareWithoutCase() {
        assertEquals(parse(RrType.NS, "NS1.Example.COM."), parse(RrType.NS, "ns1.example.com."));
        assertEquals(parse(RrType.NS, "NS1.Example.COM.").hashCode(), parse(RrType.NS, "ns1.example.com.").hashCode());
        assertNotEquals(parse(RrType.TXT, "A"), parse(RrType.TXT, "a"));
        assertEquals("NS1.Example.COM.", parse(RrType.NS, "NS1.Example.COM.").toString());
    }
}
