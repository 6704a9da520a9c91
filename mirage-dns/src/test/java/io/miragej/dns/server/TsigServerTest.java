package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.buffer.PacketBuffer;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Opcode;
import io.miragej.dns.Question;
import io.miragej.dns.Rcode;
import io.miragej.dns.RrType;
import io.miragej.dns.tsig.Tsig;
import io.miragej.dns.tsig.TsigAlgorithm;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.tsig.TsigRecord;
import io.miragej.dns.tsig.TsigSession;
import io.miragej.net.IpAddress;
import io.miragej.net.IpPrefix;
import io.miragej.stats.Counters;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The responder with TSIG keys (RFC 8945 §5.2, §5.3): sans-IO, on a fake wall clock. */
class TsigServerTest {
    static final long NOW = 1_800_000_000L;
    static final TsigKey XFR = new TsigKey(Name.of("xfr.example."), TsigAlgorithm.HMAC_SHA256, "xfr secret".getBytes());
    static final TsigKey OTHER = new TsigKey(Name.of("other.example."), TsigAlgorithm.HMAC_SHA512, "other".getBytes());
    static final TsigKey UNKNOWN = new TsigKey(Name.of("nobody."), TsigAlgorithm.HMAC_SHA256, "x".getBytes());
    private Counters counters;
    private AuthoritativeServer server;
    private Responder responder;
    private long now = NOW;

    @BeforeEach
    void setUp() {
        counters = new Counters();
        server = new AuthoritativeServer(counters, AuthoritativeServer.Options.defaults()
                .withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8")))
                .withTsigKeys(List.of(XFR, OTHER))
                .withTransferKeys(List.of(XFR.name())), () -> now * 1_000_000_000L);
        server.load(List.of(Zones.example()));
        responder = server.responder();
    }

    private byte[] send(byte[] query, boolean tcp) {
        int n = responder.respond(PacketBuffer.wrap(query), tcp, Client.LOCAL);
        if (n == Responder.TRANSFER) {
            return new byte[0];
        }
        assertTrue(n > 0, "an answer");
        return responder.response().toByteArray();
    }

    @Test
    void aSignedQueryIsAnsweredSignedWithTheSameKey() throws Exception {
        TsigSession client = TsigSession.client(OTHER);
        byte[] q = client.sign(Message.query(11, Name.of("host.example.com."), RrType.A).encode(), NOW);
        byte[] r = send(q, false);
        assertEquals(TsigSession.Result.OK, client.verify(r, r.length, NOW), client.problem());
        Message m = Message.decode(r);
        assertEquals(Rcode.NOERROR, m.rcode());
        assertEquals("192.0.2.80", m.answers().getFirst().rdata().toString());
        assertEquals(RrType.TSIG, m.additional().getLast().type());
        assertEquals(1, counters.get("dns.tsig.in.ok"));
    }

    /** A signed UPDATE (nsupdate -y) gets NOTIMP, signed, so the client sees NOTIMP and not a TSIG error. */
    @Test
    void aSignedUpdateIsRefusedNotImplementedAndSigned() throws Exception {
        TsigSession client = TsigSession.client(XFR);
        byte[] update = Message.query(13, Name.of("example.com."), RrType.SOA).encode();
        update[2] = (byte) (Opcode.UPDATE << 3); // opcode 5, the zone section in the question's place
        byte[] r = send(client.sign(update, NOW), false);
        assertEquals(TsigSession.Result.OK, client.verify(r, r.length, NOW), client.problem());
        Message m = Message.decode(r);
        assertEquals(Rcode.NOTIMP, m.rcode());
        assertEquals(Opcode.UPDATE, m.opcode());
        assertEquals(Name.of("example.com."), m.question().name());
        // unsigned, or not readable: NOTIMP all the same
        update[5] = 2; // two zone entries: does not read
        assertEquals(Rcode.NOTIMP, Message.decode(send(update, false)).rcode());
        assertEquals(2, counters.get("dns.query.notimp"));
    }

    @Test
    void aSignedAnswerThatWouldNotFitIsTruncatedAndStillSigned() throws Exception {
        TsigSession client = TsigSession.client(XFR);
        // without EDNS the limit is 512 bytes, the TSIG record included
        byte[] q = client.sign(Message.query(12, Name.of("big.example.com."), RrType.TXT).encode(), NOW);
        byte[] r = send(q, false);
        assertTrue(r.length <= 512, "the TSIG record counts against the 512 bytes: " + r.length);
        assertEquals(TsigSession.Result.OK, client.verify(r, r.length, NOW), client.problem());
    }

    @Test
    void unsignedQueriesAreAnsweredAsBefore() throws Exception {
        Message m = Message.decode(send(Message.query(1, Name.of("host.example.com."), RrType.A).encode(), false));
        assertEquals(Rcode.NOERROR, m.rcode());
        assertTrue(m.additional().isEmpty());
    }

    @Test
    void aWrongSecretIsNotauthWithBadsigInAnUnsignedTsigRecord() throws Exception {
        TsigKey wrong = new TsigKey(XFR.name(), XFR.algorithm(), "guess".getBytes());
        TsigSession client = TsigSession.client(wrong);
        byte[] r = send(client.sign(Message.query(13, Name.of("example.com."), RrType.AXFR).encode(), NOW), true);
        Message m = Message.decode(r);
        assertEquals(Rcode.NOTAUTH, m.rcode());
        TsigRecord t = TsigRecord.find(r, r.length);
        assertEquals(Tsig.BADSIG, t.error());
        assertEquals(0, t.mac().length);
        assertEquals(TsigSession.Result.BADSIG, client.verify(r, r.length, NOW));
        assertEquals(1, counters.get("dns.tsig.in.badsig"));
        assertEquals(0, counters.get("dns.axfr.out"));
    }

    @Test
    void anUnknownKeyIsNotauthWithBadkey() throws Exception {
        byte[] r = send(TsigSession.client(UNKNOWN).sign(Message.query(14, Name.of("example.com."), RrType.SOA).encode(), NOW), false);
        assertEquals(Rcode.NOTAUTH, Message.decode(r).rcode());
        assertEquals(Tsig.BADKEY, TsigRecord.find(r, r.length).error());
        assertEquals(1, counters.get("dns.tsig.in.badkey"));
    }

    @Test
    void aClockTooFarOffIsBadtimeSignedWithTheServerTime() throws Exception {
        TsigSession client = TsigSession.client(XFR);
        byte[] q = client.sign(Message.query(15, Name.of("example.com."), RrType.SOA).encode(), NOW - 1000);
        byte[] r = send(q, false);
        assertEquals(Rcode.NOTAUTH, Message.decode(r).rcode());
        assertEquals(TsigSession.Result.BADTIME, client.verify(r, r.length, NOW - 1000), client.problem());
        assertEquals(NOW, client.peerTime());
    }

    @Test
    void aRequestSignedBeforeTheKeysLatestIsBadtimeSoReplaysWithinTheFudgeFail() throws Exception {
        TsigSession client = TsigSession.client(XFR);
        byte[] early = client.sign(Message.query(21, Name.of("example.com."), RrType.SOA).encode(), NOW - 10);
        byte[] late = TsigSession.client(XFR).sign(Message.query(22, Name.of("example.com."), RrType.SOA).encode(), NOW);
        byte[] sameSecond = TsigSession.client(XFR).sign(Message.query(23, Name.of("example.com."), RrType.SOA).encode(), NOW);
        assertEquals(Rcode.NOERROR, Message.decode(send(late, false)).rcode());
        assertEquals(Rcode.NOERROR, Message.decode(send(sameSecond, false)).rcode(), "equal times pass");
        byte[] r = send(early, false); // within the 300 s fudge, but older than what this key signed
        assertEquals(Rcode.NOTAUTH, Message.decode(r).rcode());
        assertEquals(TsigSession.Result.BADTIME, client.verify(r, r.length, NOW - 10), client.problem());
        // The latest is per key: another key's older request is still fine.
        byte[] other = TsigSession.client(OTHER).sign(Message.query(24, Name.of("example.com."), RrType.SOA).encode(), NOW - 10);
        assertEquals(Rcode.NOERROR, Message.decode(send(other, false)).rcode());
    }

    @Test
    void recordsAfterTheTsigRecordAreAFormatError() throws Exception {
        byte[] q = TsigSession.client(XFR).sign(Message.query(16, Name.of("example.com."), RrType.SOA).encode(), NOW);
        byte[] moved = java.util.Arrays.copyOf(q, q.length + 11);
        moved[11] = 2; // an OPT record after the TSIG record
        moved[q.length + 2] = (byte) RrType.OPT;
        assertEquals(Rcode.FORMERR, Message.decode(send(moved, false)).rcode());
    }

    @Test
    void aTransferSignedWithTheTransferKeyIsAllowedAndEveryMessageSigned() throws Exception {
        TsigSession client = TsigSession.client(XFR);
        byte[] q = client.sign(Message.query(17, Name.of("example.com."), RrType.AXFR).encode(), NOW);
        assertEquals(0, send(q, true).length, "TRANSFER");
        TsigSession tsig = responder.tsig();
        assertNotNull(tsig);
        List<byte[]> messages = server.transferMessages(17, Name.of("example.com."), RrType.AXFR, 300);
        assertTrue(messages.size() > 3);
        for (byte[] m : messages) {
            byte[] s = tsig.sign(m, NOW);
            assertEquals(TsigSession.Result.OK, client.verify(s, s.length, NOW), client.problem());
        }
    }

    @Test
    void anUnsignedTransferIsRefusedWhenAKeyIsRequiredAsNsdDoes() throws Exception {
        Message m = Message.decode(send(Message.query(18, Name.of("example.com."), RrType.AXFR).encode(), true));
        assertEquals(Rcode.REFUSED, m.rcode());
        assertEquals(1, counters.get("dns.axfr.refused.key"));
    }

    @Test
    void aTransferSignedWithAnotherGoodKeyIsRefusedSigned() throws Exception {
        TsigSession client = TsigSession.client(OTHER);
        byte[] r = send(client.sign(Message.query(19, Name.of("example.com."), RrType.AXFR).encode(), NOW), true);
        assertEquals(Rcode.REFUSED, Message.decode(r).rcode());
        assertEquals(TsigSession.Result.OK, client.verify(r, r.length, NOW), "the refusal is signed");
    }

    @Test
    void aTransferFromOutsideTheAllowedPrefixesIsRefusedEvenSigned() throws Exception {
        TsigSession client = TsigSession.client(XFR);
        byte[] q = client.sign(Message.query(20, Name.of("example.com."), RrType.AXFR).encode(), NOW);
        int n = responder.respond(PacketBuffer.wrap(q), true, IpAddress.parse("192.0.2.7"));
        assertEquals(Rcode.REFUSED, Message.decode(responder.response().toByteArray()).rcode());
        assertTrue(n > 0);
    }

    @Test
    void notifyIsAcceptedOnlyWithTheKeyTheListenerWants() throws Exception {
        Name zone = Name.of("example.com.");
        java.util.List<Name> notified = new java.util.ArrayList<>();
        server.setNotifyListener(new AuthoritativeServer.NotifyListener() {
            @Override
            public boolean accepts(Name z, IpAddress from, Name key) {
                return z.equals(zone) && XFR.name().equals(key);
            }

            @Override
            public void notified(Name z, IpAddress from) {
                notified.add(z);
            }
        });
        Message notify = new Message(21, Opcode.NOTIFY << 11 | Message.AA, List.of(Question.of(zone, RrType.SOA)),
                List.of(), List.of(), List.of(), null);
        assertEquals(Rcode.REFUSED, Message.decode(send(notify.encode(), false)).rcode(), "unsigned");
        TsigSession other = TsigSession.client(OTHER);
        assertEquals(Rcode.REFUSED, Message.decode(send(other.sign(notify.encode(), NOW), false)).rcode(), "another key");
        TsigSession client = TsigSession.client(XFR);
        byte[] r = send(client.sign(notify.encode(), NOW), false);
        assertEquals(Rcode.NOERROR, Message.decode(r).rcode());
        assertEquals(TsigSession.Result.OK, client.verify(r, r.length, NOW), "the acknowledgement is signed");
        assertEquals(List.of(zone), notified);
    }

    @Test
    void keysAndPoliciesThatDoNotMatchAreRejectedWithAReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> AuthoritativeServer.Options.defaults()
                .withTransferKeys(List.of(Name.of("missing."))));
        assertTrue(e.getMessage().contains("missing."), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AuthoritativeServer(counters,
                AuthoritativeServer.Options.defaults().withTsigKeys(List.of(XFR))));
        assertTrue(e.getMessage().contains("clock"), e.getMessage());
    }

    /** The unsigned fast path still allocates nothing per query with keys configured. */
    @Test
    void unsignedQueriesAllocateNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PacketBuffer q = PacketBuffer.wrap(Message.query(1, Name.of("host.example.com."), RrType.A).encode());
        PacketBuffer nx = PacketBuffer.wrap(Message.query(2, Name.of("nothere.example.com."), RrType.A).encode());
        IpAddress local = Client.LOCAL;
        for (int i = 0; i < 20_000; i++) {
            responder.respond(q, false, local);
            responder.respond(nx, false, local);
        }
        long id = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 20_000; i++) {
            responder.respond(q, false, local);
            responder.respond(nx, false, local);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 4_000, "40,000 unsigned queries allocated " + allocated + " bytes");
    }
}
