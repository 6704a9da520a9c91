package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.buffer.PacketBuffer;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.RrType;
import io.miragej.dns.tsig.TsigRecord;
import io.miragej.dns.tsig.TsigSession;
import io.miragej.net.IpPrefix;
import io.miragej.stats.Counters;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** A server with TSIG keys fed signed queries with changed bytes, and arbitrary bytes after a TSIG owner. */
class TsigResponderProperties {
    private static final long NOW = TsigServerTest.NOW;
    private static final AuthoritativeServer SERVER = new AuthoritativeServer(new Counters(),
            AuthoritativeServer.Options.defaults().withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8")))
                    .withTsigKeys(List.of(TsigServerTest.XFR, TsigServerTest.OTHER))
                    .withTransferKeys(List.of(TsigServerTest.XFR.name())), () -> NOW * 1_000_000_000L);
    private static final Responder RESPONDER;

    static {
        SERVER.load(List.of(Zones.example()));
        RESPONDER = SERVER.responder();
    }

    @Provide
    Arbitrary<byte[]> queries() {
        return Arbitraries.of("host.example.com.", "www.example.com.", "nothere.example.com.", "example.com.",
                "big.example.com.", "a.b.c.example.com.").flatMap(n -> Arbitraries.of(RrType.A, RrType.TXT, RrType.SOA,
                RrType.AXFR, RrType.MX).map(t -> Message.query(0x2222, Name.of(n), t).encode()));
    }

    private static byte[] answer(byte[] q, boolean tcp) {
        int n = RESPONDER.respond(PacketBuffer.wrap(q), tcp, Client.LOCAL);
        assertNotEquals(Responder.TRANSFER, n, "a transfer for a changed request");
        assertNotEquals(Responder.DROP, n, "an answer to a query with a TSIG record");
        return n > 0 ? RESPONDER.response().toByteArray() : null;
    }

    @Property(tries = 3000)
    void aSignedQueryWithAnyByteChangedIsNeverAnsweredAsGood(@ForAll("queries") byte[] plain,
            @ForAll @IntRange(min = 0, max = 10_000) int where, @ForAll @IntRange(min = 1, max = 255) int xor,
            @ForAll boolean tcp) throws Exception {
        TsigSession client = TsigSession.client(TsigServerTest.XFR);
        byte[] q = client.sign(plain, NOW);
        int at = where % q.length;
        // the ID (covered through the TSIG record's original ID) and the flags (QR and opcode are
        // checked before TSIG, so a change there is dropped or NOTIMP without looking at the MAC)
        Assume.that(at >= 4);
        TsigRecord t = TsigRecord.find(q, q.length);
        int namesEnd = t.start() + t.keyName().wireLength() + 10 + t.algorithm().wireLength();
        Assume.that(!(at >= t.start() && at < namesEnd && xor == 0x20 && Character.isLetter(q[at])));
        byte[] changed = q.clone();
        changed[at] ^= (byte) xor;
        byte[] r = answer(changed, tcp);
        if (r == null) {
            return;
        }
        Message m = Message.decode(r);
        // Either an error, or (when the change made the TSIG record another type) an unsigned
        // answer, which the client then refuses: never an answer that verifies.
        assertNotEquals(TsigSession.Result.OK, client.verify(r, r.length, NOW), "byte " + at + " ^ " + xor + ": " + m);
        if (m.rcode() == Rcode.NOERROR) {
            assertNull(TsigRecord.find(r, r.length), "a NOERROR answer here is unsigned: " + m);
        }
    }

    /** The control for the property above: unchanged, the same queries verify. */
    @Property(tries = 200)
    void unchangedSignedQueriesAreAnsweredSigned(@ForAll("queries") byte[] plain, @ForAll boolean tcp) {
        TsigSession client = TsigSession.client(TsigServerTest.XFR);
        byte[] q = client.sign(plain, NOW);
        int n = RESPONDER.respond(PacketBuffer.wrap(q), tcp, Client.LOCAL);
        if (n == Responder.TRANSFER) {
            assertTrue(tcp);
            return;
        }
        byte[] r = RESPONDER.response().toByteArray();
        assertEquals(TsigSession.Result.OK, client.verify(r, r.length, NOW), client.problem());
    }

    @Property(tries = 3000)
    void arbitraryBytesAsTheTsigRecordOfAQueryAreAnsweredWithAnErrorOrDropped(@ForAll @Size(max = 200) byte[] rdata,
            @ForAll boolean knownKey, @ForAll boolean tcp) throws Exception {
        byte[] q = Message.query(0x3333, Name.of("host.example.com."), RrType.A).encode();
        byte[] owner = (knownKey ? TsigServerTest.XFR.name() : Name.of("who.example.")).toWire();
        byte[] m = java.util.Arrays.copyOf(q, q.length + owner.length + 10 + rdata.length);
        m[11] = 1;
        System.arraycopy(owner, 0, m, q.length, owner.length);
        int p = q.length + owner.length;
        m[p + 1] = (byte) 250;
        m[p + 3] = (byte) 255;
        m[p + 8] = (byte) (rdata.length >>> 8);
        m[p + 9] = (byte) rdata.length;
        System.arraycopy(rdata, 0, m, p + 10, rdata.length);
        byte[] r = answer(m, tcp);
        assertNotNull(r, "a query with a TSIG record gets an answer");
        int rcode = Message.decode(r).rcode();
        assertTrue(rcode == Rcode.FORMERR || rcode == Rcode.NOTAUTH, "RCODE " + rcode);
    }
}
