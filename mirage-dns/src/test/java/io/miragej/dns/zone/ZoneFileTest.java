package io.miragej.dns.zone;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Name;
import io.miragej.dns.Rdata;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZoneFileTest {
    static final String EXAMPLE = """
            $ORIGIN example.com.
            $TTL 1h ; default TTL
            @   IN  SOA ns1 hostmaster.example.com. (
                        2024010101 ; serial
                        7200       ; refresh
                        3600 1209600
                        300 )
                IN  NS  ns1
                    NS  ns2.example.net.
                    MX  10 mail
            ns1     A   192.0.2.53
            mail 600 IN A 192.0.2.25
            mail IN 600 AAAA 2001:db8::25
            www     CNAME @
            *.wild  TXT "wildcard \\"quoted\\"" two\\032words
            sub     NS  ns.sub
            ns.sub  A   192.0.2.99
            a\\.b    TXT "dot in a label"
            _sip._tcp SRV 0 5 5060 sip
            sip     A   192.0.2.60
            caa     CAA 0 issue "ca.example.net"
            svc     HTTPS 1 . alpn=h2 port=8443
            dn      DNAME example.net.
            key     DNSKEY 257 3 13 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0d
                                      xCjjnopKl+GqJxpVXckHAeF+KkxLbxIL
                                      fDLUT0rAK9iUzy1L53eKGQ== )
            sub     DS  60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
            odd     TYPE731 \\# 3 abcdef
            """;

    static Zone example() throws ZoneException {
        return ZoneFile.parse(EXAMPLE, "example.zone", null);
    }

    @Test
    void parsesTheSyntaxOfRfc1035() throws Exception {
        Zone z = example();
        assertEquals(Name.of("example.com"), z.name());
        assertEquals(2024010101L, z.serial());
        assertEquals(RrType.SOA, z.records().getFirst().type());
        assertEquals(3600, z.soa().ttl());
        assertTrue(has(z, "example.com.", RrType.NS, "ns2.example.net."));
        assertTrue(has(z, "example.com.", RrType.MX, "10 mail.example.com."));
        Record mail = find(z, "mail.example.com.", RrType.A);
        assertEquals(600, mail.ttl());
        assertEquals(600, find(z, "mail.example.com.", RrType.AAAA).ttl());
        assertEquals(3600, find(z, "ns1.example.com.", RrType.A).ttl());
        assertEquals("example.com.", find(z, "www.example.com.", RrType.CNAME).rdata().toString());
        assertEquals("\"wildcard \\\"quoted\\\"\" \"two words\"",
                find(z, "*.wild.example.com.", RrType.TXT).rdata().toString());
        assertNotNull(find(z, "a\\.b.example.com.", RrType.TXT));
        assertEquals(2, Name.parse("a\\.b", Name.ROOT).labelCount() + 1);
        assertEquals("0 5 5060 sip.example.com.", find(z, "_sip._tcp.example.com.", RrType.SRV).rdata().toString());
        assertEquals("1 . alpn=\"h2\" port=8443", find(z, "svc.example.com.", RrType.HTTPS).rdata().toString());
        assertEquals(13, find(z, "key.example.com.", RrType.DNSKEY).rdata().numberField(2));
        assertEquals("\\# 3 ABCDEF", find(z, "odd.example.com.", 731).rdata().toString());
        assertTrue(z.warnings().isEmpty(), z.warnings().toString());
    }

    @Test
    void writtenZonesReadBackTheSame() throws Exception {
        Zone z = example();
        Zone back = ZoneFile.parse(ZoneFile.write(z), "written.zone", null);
        assertEquals(z.records(), back.records());
    }

    @Test
    void includeWithOriginAndRelativePaths(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("parts"));
        Files.writeString(dir.resolve("parts/hosts.inc"), """
                host1 A 192.0.2.1
                      AAAA 2001:db8::1
                """);
        Files.writeString(dir.resolve("main.zone"), """
                $TTL 300
                $ORIGIN example.org.
                @ SOA ns hostmaster 1 2 3 4 5
                  NS ns
                ns A 192.0.2.53
                $INCLUDE parts/hosts.inc lab.example.org.
                  TXT "owner is ns again after the include"
                """);
        Zone z = ZoneFile.load(dir.resolve("main.zone"));
        assertNotNull(find(z, "host1.lab.example.org.", RrType.A));
        assertNotNull(find(z, "host1.lab.example.org.", RrType.AAAA));
        assertNotNull(find(z, "ns.example.org.", RrType.TXT));
    }

    @Test
    void includeLoopsStop(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("self.zone"), """
                $TTL 300
                $INCLUDE self.zone
                """);
        ZoneException e = assertThrows(ZoneException.class, () -> ZoneFile.load(dir.resolve("self.zone")));
        assertTrue(e.getMessage().contains("nests deeper"), e.getMessage());
        assertTrue(e.getMessage().contains("self.zone:2:"), e.getMessage());
    }

    @Test
    void missingIncludeNamesTheLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("z.zone"), "$TTL 1\n\n$INCLUDE nothere.inc\n");
        ZoneException e = assertThrows(ZoneException.class, () -> ZoneFile.load(dir.resolve("z.zone")));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("nothere.inc"), e.getMessage());
    }

    private static ZoneException error(String text) {
        return assertThrows(ZoneException.class, () -> ZoneFile.parse(text, "bad.zone", null));
    }

    private static final String HEAD = "$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hm 1 2 3 4 5\n NS ns1\nns1 A 192.0.2.1\n";

    @Test
    void errorsNameFileLineAndProblem() {
        ZoneException e = error(HEAD + "www BOGUS 1.2.3.4\n");
        assertEquals("bad.zone", e.file());
        assertEquals(6, e.line());
        assertTrue(e.getMessage().startsWith("bad.zone:6: 'BOGUS' is not a record type"), e.getMessage());

        e = error(HEAD + "www A 1.2.3\n");
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("A field 1"), e.getMessage());

        e = error(HEAD + "www MX 10\n");
        assertTrue(e.getMessage().contains("MX needs 2 fields"), e.getMessage());

        e = error("www.example.com. 300 A 192.0.2.1\n");
        assertTrue(e.getMessage().contains("no SOA"), e.getMessage());

        e = error("$TTL 300\nwww A 192.0.2.1\n");
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("$ORIGIN"), e.getMessage());

        e = error("$ORIGIN example.com.\nwww A 192.0.2.1\n");
        assertTrue(e.getMessage().contains("no TTL"), e.getMessage());

        e = error(HEAD + "x SOA a b ( 1 2 3 4 5\n");
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("never closed"), e.getMessage());

        e = error(HEAD + "x TXT \"open\n");
        assertTrue(e.getMessage().contains("quoted string"), e.getMessage());

        e = error(HEAD + "$GENERATE 1-10 h$ A 1.2.3.$\n");
        assertTrue(e.getMessage().contains("$GENERATE"), e.getMessage());

        e = error(HEAD + " A 192.0.2.2\nfoo CH TXT x\n");
        assertTrue(e.getMessage().contains("only IN"), e.getMessage());
    }

    @Test
    void loadTimeChecks() {
        ZoneException e = error(HEAD + "www CNAME ns1\nwww A 192.0.2.3\n");
        assertEquals(7, e.line());
        assertTrue(e.getMessage().contains("CNAME must be alone"), e.getMessage());

        e = error(HEAD + "www CNAME ns1\nwww CNAME ns2\n");
        assertTrue(e.getMessage().contains("two CNAME"), e.getMessage());

        e = error(HEAD + "sub NS ns.sub\nns.sub A 192.0.2.9\nx.sub MX 10 mail\n");
        assertEquals(8, e.line());
        assertTrue(e.getMessage().contains("below the delegation to sub.example.com."), e.getMessage());

        e = error(HEAD + "sub NS ns.sub\nsub TXT hello\nns.sub A 192.0.2.9\n");
        assertTrue(e.getMessage().contains("at the delegation"), e.getMessage());

        e = error(HEAD + "sub NS ns.sub\n");
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("no glue"), e.getMessage());

        e = error(HEAD + "other.net. A 192.0.2.1\n");
        assertTrue(e.getMessage().contains("outside the zone"), e.getMessage());

        e = error(HEAD + "@ SOA a b 1 2 3 4 5\n");
        assertTrue(e.getMessage().contains("second SOA"), e.getMessage());

        e = error("$ORIGIN example.com.\n$TTL 1\n@ SOA a b 1 2 3 4 5\nwww A 192.0.2.1\n");
        assertTrue(e.getMessage().contains("no NS records at the apex"), e.getMessage());

        e = error(HEAD + "d DNAME example.net.\nx.d A 192.0.2.1\n");
        assertTrue(e.getMessage().contains("below the DNAME"), e.getMessage());
    }

    @Test
    void duplicatesAndTtlMismatchesAreFixedWithWarnings() throws Exception {
        Zone z = ZoneFile.parse(HEAD + "x 100 A 192.0.2.1\nx 200 A 192.0.2.2\nx 100 A 192.0.2.1\n", "w.zone", null);
        assertEquals(2, z.records().stream().filter(r -> r.owner().equals(Name.of("x.example.com"))).count());
        assertTrue(z.records().stream().filter(r -> r.owner().equals(Name.of("x.example.com"))).allMatch(r -> r.ttl() == 100));
        assertEquals(2, z.warnings().size(), z.warnings().toString());
    }

    @Test
    void signedZonesKeepEachRrsigsTtl() throws Exception {
        Zone z = ZoneFile.load(java.nio.file.Path.of("src/test/resources/zones/example.com.nsec.signed"));
        assertTrue(z.warnings().isEmpty(), z.warnings().toString());
        for (Record r : z.records()) {
            if (r.type() == RrType.RRSIG) {
                int covered = (int) r.rdata().numberField(0);
                Record signedSet = z.records().stream()
                        .filter(x -> x.owner().equals(r.owner()) && x.type() == covered).findFirst().orElseThrow();
                assertEquals(signedSet.ttl(), r.ttl(), "an RRSIG keeps the TTL of the RRset it signs: " + r);
            }
        }
    }

    @Test
    void soaWithoutTtlUsesItsMinimum() throws Exception {
        Zone z = ZoneFile.parse("example.net. IN SOA ns.example.net. hm.example.net. 1 2 3 4 86\nexample.net. NS ns.example.net.\n", "z", null);
        assertEquals(86, z.soa().ttl());
        assertEquals(86, z.records().get(1).ttl());
    }

    static boolean has(Zone z, String owner, int type, String rdata) {
        return z.records().stream().anyMatch(r -> r.owner().equals(Name.of(owner)) && r.type() == type
                && r.rdata().equals(Rdata.parse(type, rdata, Name.ROOT)));
    }

    static Record find(Zone z, String owner, int type) {
        List<Record> l = z.records().stream().filter(r -> r.owner().equals(Name.of(owner)) && r.type() == type).toList();
        return l.isEmpty() ? null : l.getFirst();
    }
}
