package io.miragej.dns;

import static org.junit.jupiter.api.Assertions.*;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class MessageProperties {
    @Provide
    Arbitrary<Message> messages() {
        return DnsArbitraries.messages();
    }

    @Property(tries = 1000)
    void generatedMessagesRoundTripThroughEncodeAndDecode(@ForAll("messages") Message m) throws Exception {
        byte[] wire = m.encode();
        Message back = Message.decode(wire);
        assertEquals(m, back);
        assertArrayEquals(wire, back.encode(), "re-encoding gives the same bytes, case included");
        for (int i = 0; i < m.answers().size(); i++) {
            assertTrue(m.answers().get(i).owner().equalsExactly(back.answers().get(i).owner()));
        }
    }

    @Property(tries = 3000)
    void arbitraryBytesDecodeOrFailWithAFormatError(@ForAll @Size(max = 600) byte[] bytes) {
        try {
            Message m = Message.decode(bytes);
            assertNotNull(m.toString());
        } catch (DnsFormatException expected) {
            // the only documented failure
        }
    }

    @Property(tries = 2000)
    void corruptedMessagesDecodeOrFailWithAFormatError(@ForAll("messages") Message m,
            @ForAll @IntRange(max = 10_000) int where, @ForAll byte value, @ForAll @IntRange(max = 600) int cut) {
        byte[] wire = m.encode();
        wire[where % wire.length] = value;
        byte[] truncated = java.util.Arrays.copyOf(wire, Math.min(wire.length, cut));
        for (byte[] b : new byte[][] {wire, truncated}) {
            try {
                Message d = Message.decode(b);
                // what decodes re-encodes and decodes to the same message
                assertEquals(d, Message.decode(d.encode()));
            } catch (DnsFormatException expected) {
                // fine
            }
        }
    }
}
