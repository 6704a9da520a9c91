package io.miragej.dns.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.dns.DnsArbitraries;
import io.miragej.dns.Name;
import io.miragej.dns.Record;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PackedRecordsProperties {
    /**
     * Records come back equal, owners with their exact case, whether the owner sits below the
     * apex with the apex's exact bytes (the short form), below it in another case, or elsewhere.
     */
    @Property(tries = 500)
    void recordsComeBackExactly(@ForAll("apexes") Name apex, @ForAll("records") List<Record> records) {
        PackedRecords packed = new PackedRecords(apex, records);
        assertEquals(records.size(), packed.size());
        for (int i = 0; i < records.size(); i++) {
            Record want = records.get(i);
            Record got = packed.get(i);
            assertEquals(want, got);
            assertTrue(want.owner().equalsExactly(got.owner()), want.owner() + " came back as " + got.owner());
            assertEquals(want.ttl(), got.ttl());
            assertEquals(want.rrClass(), got.rrClass());
        }
        assertEquals(records, packed);
    }

    @Provide
    Arbitrary<Name> apexes() {
        return Arbitraries.of(Name.of("Example.COM."), Name.of("example.com."), Name.ROOT, Name.of("a.b.c."));
    }

    @Provide
    Arbitrary<List<Record>> records() {
        return DnsArbitraries.records().list().ofMaxSize(12);
    }
}
