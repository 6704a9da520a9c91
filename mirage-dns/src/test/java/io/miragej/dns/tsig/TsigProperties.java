package io.miragej.dns.tsig;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.DnsArbitraries;
import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class TsigProperties {
    static final long NOW = TsigTest.NOW;

    @Provide
    Arbitrary<Message> messages() {
        return DnsArbitraries.messages();
    }

    static boolean hasTsig(Message m) {
        return java.util.stream.Stream.of(m.answers(), m.authority(), m.additional()).flatMap(java.util.List::stream)
                .anyMatch(r -> r.type() == 250);
    }

    @Provide
    Arbitrary<TsigKey> keys() {
        return net.jqwik.api.Combinators.combine(DnsArbitraries.names(), Arbitraries.of(TsigAlgorithm.class),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(80)).as(TsigKey::new);
    }

    @Property(tries = 3000)
    void arbitraryBytesAsAMessageNeverThrowAnythingButAFormatError(@ForAll @Size(max = 400) byte[] bytes,
            @ForAll("keys") TsigKey key) {
        try {
            TsigRecord t = TsigRecord.find(bytes, bytes.length);
            if (t != null) {
                Tsig.verifyRequest(bytes, t, Map.of(key.name(), key)::get, NOW);
                Tsig.verifyRequest(bytes, t, n -> key, NOW);
            }
        } catch (DnsFormatException expected) {
            // the only documented failure
        }
        TsigSession s = TsigSession.client(key);
        s.sign(new byte[12], NOW);
        assertNotNull(s.verify(bytes, bytes.length, NOW));
    }

    /** Arbitrary bytes as the RDATA of a TSIG record at the end of a message. */
    @Property(tries = 3000)
    void arbitraryBytesAsATsigRecordNeverThrow(@ForAll @Size(max = 120) byte[] rdata, @ForAll("keys") TsigKey key) {
        byte[] q = TsigTest.query(1);
        byte[] owner = key.name().toWire();
        byte[] m = java.util.Arrays.copyOf(q, q.length + owner.length + 10 + rdata.length);
        m[11] = 1;
        System.arraycopy(owner, 0, m, q.length, owner.length);
        int p = q.length + owner.length;
        Tsig.put16(m, p, 250);
        Tsig.put16(m, p + 2, 255);
        Tsig.put16(m, p + 8, rdata.length);
        System.arraycopy(rdata, 0, m, p + 10, rdata.length);
        try {
            TsigRecord t = TsigRecord.find(m, m.length);
            assertNotNull(t);
            assertNotEquals(Tsig.NOERROR, Tsig.verifyRequest(m, t, n -> key, NOW).error(), "random bytes never verify");
        } catch (DnsFormatException expected) {
            // malformed RDATA
        }
        TsigSession s = TsigSession.client(key);
        s.sign(q, NOW);
        assertNotEquals(TsigSession.Result.OK, s.verify(m, m.length, NOW));
    }

    @Property(tries = 500)
    void signedMessagesVerifyAndTheirAnswersToo(@ForAll("messages") Message m, @ForAll("keys") TsigKey key,
            @ForAll @LongRange(min = 300, max = 0xffff_ffff_ffffL - 300) long now, @ForAll @IntRange(min = -300, max = 300) int skew)
            throws Exception {
        Assume.that(m.encode().length < 60000 && !hasTsig(m));
        TsigSession client = TsigSession.client(key);
        byte[] signed = client.sign(m.encode(), now);
        TsigRecord t = TsigRecord.find(signed, signed.length);
        assertNotNull(t);
        assertEquals(m.encode().length, t.start());
        Tsig.Check c = Tsig.verifyRequest(signed, t, Map.of(key.name(), key)::get, now + skew);
        assertEquals(Tsig.NOERROR, c.error());
        byte[] answer = c.session().sign(m.withFlags(m.flags() | Message.QR).encode(), now + skew);
        assertEquals(TsigSession.Result.OK, client.verify(answer, answer.length, now), client.problem());
        Message decoded = Message.decode(answer);
        assertEquals(m.additional().size() + 1, decoded.additional().size(), "the TSIG record decodes as a record");
    }

    @Property(tries = 1500)
    void anyChangedByteFailsVerification(@ForAll("messages") Message m, @ForAll("keys") TsigKey key,
            @ForAll @IntRange(min = 0, max = 100_000) int where, @ForAll @IntRange(min = 1, max = 255) int xor)
            throws Exception {
        byte[] plain = m.encode();
        Assume.that(plain.length < 60000 && !hasTsig(m));
        byte[] signed = TsigSession.client(key).sign(plain, NOW);
        int at = where % signed.length;
        // The header ID is left out of the MAC by design (the TSIG record's original ID is covered
        // instead, RFC 8945 §4.3.3), and key and algorithm names compare without case.
        Assume.that(at >= 2);
        TsigRecord t = TsigRecord.find(signed, signed.length);
        int algorithmStart = t.start() + key.name().wireLength() + 10;
        boolean inNames = at >= t.start() && at < algorithmStart + key.algorithm().algorithmName().wireLength();
        boolean letter = Character.isLetter(signed[at]);
        Assume.that(!(inNames && xor == 0x20 && letter));
        signed[at] ^= (byte) xor;
        try {
            TsigRecord changed = TsigRecord.find(signed, signed.length);
            if (changed != null) {
                assertNotEquals(Tsig.NOERROR, Tsig.verifyRequest(signed, changed, Map.of(key.name(), key)::get, NOW).error(),
                        "byte " + at + " changed by " + xor);
            }
        } catch (DnsFormatException expected) {
            // no longer parses
        }
    }
}
