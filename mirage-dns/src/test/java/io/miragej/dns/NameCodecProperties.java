package io.miragej.dns;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.buffer.PacketBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class NameCodecProperties {
    @Property(tries = 2000)
    void arbitraryBytesDecodeToAValidNameOrAnError(@ForAll @Size(max = 300) byte[] bytes,
            @ForAll @IntRange(max = 300) int start) {
        byte[] out = new byte[255];
        int r = NameCodec.decode(PacketBuffer.wrap(bytes), start, out);
        if (r >= 0) {
            Name n = Name.fromWire(out, 0, NameCodec.length(r)); // throws if not well formed
            assertTrue(NameCodec.end(r) <= bytes.length);
            assertTrue(n.wireLength() <= 255);
        } else {
            assertTrue(r >= NameCodec.ERR_TOO_LONG, "a documented error code");
        }
    }

    @Property(tries = 2000)
    void arrayAndBufferDecodersAgree(@ForAll @Size(max = 300) byte[] bytes, @ForAll @IntRange(max = 300) int start) {
        byte[] a = new byte[255];
        byte[] b = new byte[255];
        int ra = NameCodec.decode(PacketBuffer.wrap(bytes), start, a);
        int rb = NameCodec.decode(bytes, bytes.length, start, b);
        assertEquals(ra, rb);
        if (ra >= 0) {
            assertArrayEquals(java.util.Arrays.copyOf(a, NameCodec.length(ra)), java.util.Arrays.copyOf(b, NameCodec.length(rb)));
        }
    }

    @Property
    void namesRoundTripThroughPresentationAndWire(@ForAll("names") Name n) {
        assertTrue(n.equalsExactly(Name.parse(n.toString(), Name.ROOT)));
        byte[] w = n.toWire();
        byte[] out = new byte[255];
        int r = NameCodec.decode(PacketBuffer.wrap(w), 0, out);
        assertEquals(w.length, NameCodec.length(r));
        assertTrue(n.equalsExactly(Name.fromWire(out, 0, w.length)));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Name> names() {
        return DnsArbitraries.names();
    }
}
