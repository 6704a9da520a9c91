package io.miragej.dns.zone;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.DnsArbitraries;
import io.miragej.dns.Name;
import io.miragej.dns.Record;
import io.miragej.dns.RrClass;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ZoneFileProperties {
    @Provide
    Arbitrary<String> zoneText() {
        Arbitrary<String> fragments = Arbitraries.of("$ORIGIN", "$TTL", "$INCLUDE", "@", "(", ")", ";", "\"",
                "\\", "\\0", "\\#", "example.com.", "www", "IN", "A", "SOA", "TXT", "MX", "NS", "CNAME", "300",
                "1h", "192.0.2.1", "::1", " ", " ", "\t", "\n", "\n", "TYPE99", "*", ".", "..", "ns1");
        Arbitrary<String> junk = Arbitraries.strings().ofMaxLength(5);
        return Arbitraries.oneOf(fragments, fragments, junk).list().ofMaxSize(60).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void arbitraryTextLoadsOrFailsWithAZoneException(@ForAll("zoneText") String text) {
        try {
            ZoneFile.parse(text, "fuzz.zone", null);
        } catch (ZoneException expected) {
            assertTrue(expected.getMessage().startsWith("fuzz.zone"), expected.getMessage());
        }
    }

    @Property(tries = 500)
    void generatedZonesRoundTripThroughTheFileFormat(@ForAll("records") List<Record> extra) throws Exception {
        Name apex = Name.of("Example.COM.");
        List<Record> rs = new ArrayList<>();
        rs.add(Record.of("Example.COM.", 300, io.miragej.dns.RrType.SOA, "ns1 hm 1 2 3 4 5"));
        rs.add(Record.of("Example.COM.", 300, io.miragej.dns.RrType.NS, "ns1.example.com."));
        for (Record r : extra) {
            if (r.rrClass() == RrClass.IN && r.owner().isSubdomainOf(apex) && !r.owner().equals(apex)
                    && r.type() != io.miragej.dns.RrType.SOA) {
                rs.add(r.withTtl(r.ttl() & 0x7fff_ffffL));
            }
        }
        Zone z;
        try {
            z = Zone.of(rs);
        } catch (ZoneException e) {
            return; // generated data broke a zone rule (CNAME beside data, a cut without glue)
        }
        Zone back = ZoneFile.parse(ZoneFile.write(z), "rt.zone", null);
        assertEquals(z.records(), back.records());
        for (int i = 0; i < z.records().size(); i++) {
            assertTrue(z.records().get(i).owner().equalsExactly(back.records().get(i).owner()));
            assertArrayEquals(z.records().get(i).rdata().toWire(), back.records().get(i).rdata().toWire());
        }
    }

    @Provide
    Arbitrary<List<Record>> records() {
        return DnsArbitraries.records().list().ofMaxSize(8);
    }
}
