package io.miragej.dns;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.buffer.PacketBuffer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RdataProperties {
    @Provide
    Arbitrary<Rdata> rdata() {
        return DnsArbitraries.rdata();
    }

    @Property(tries = 2000)
    void presentationRoundTripsExactly(@ForAll("rdata") Rdata r) {
        Rdata back = Rdata.parse(r.type(), r.toString(), Name.ROOT);
        assertArrayEquals(r.toWire(), back.toWire(), r::toString);
    }

    @Property(tries = 2000)
    void genericFormRoundTrips(@ForAll("rdata") Rdata r) {
        assertArrayEquals(r.toWire(), Rdata.parse(r.type(), r.generic(), Name.ROOT).toWire());
    }

    @Property(tries = 3000)
    void arbitraryRdataBytesDecodeOrFailWithAFormatError(@ForAll @IntRange(min = 0, max = 300) int type,
            @ForAll @Size(max = 60) byte[] bytes) {
        try {
            Rdata r = Rdata.decode(type, PacketBuffer.wrap(bytes), 0, bytes.length, new byte[255]);
            // whatever decodes also prints and parses back
            assertArrayEquals(r.toWire(), Rdata.parse(type, r.toString(), Name.ROOT).toWire());
        } catch (DnsFormatException expected) {
            // the documented failure
        }
    }
}
