package io.miragej.dns.resolver;

import static io.miragej.dns.resolver.StubQueryTest.Q;
import static io.miragej.dns.resolver.StubQueryTest.S1;
import static io.miragej.dns.resolver.StubQueryTest.S2;
import static io.miragej.dns.resolver.StubQueryTest.SECOND;
import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.RrType;
import io.miragej.dns.tsig.Tsig;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.tsig.TsigRecord;
import io.miragej.dns.tsig.TsigSession;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** StubQuery with a TSIG key (RFC 8945): signed attempts, responses verified against the request MAC. */
class StubQueryTsigTest {
    static final long NOW = 1_700_000_000L;
    static final String SECRET = Base64.getEncoder().encodeToString("resolver and server share this".getBytes());
    static final TsigKey KEY = TsigKey.parse("stub.example.:hmac-sha256:" + SECRET);
    /** Same name and algorithm, another secret: what a forger without the secret can do. */
    static final TsigKey SAME_NAME_WRONG_SECRET = TsigKey.parse("stub.example.:hmac-sha256:"
            + Base64.getEncoder().encodeToString("a guess".getBytes()));
    static final TsigKey OTHER = TsigKey.parse("other.example.:hmac-sha256:" + SECRET);
    static final Map<Name, TsigKey> SERVER_KEYS = Map.of(KEY.name(), KEY, OTHER.name(), OTHER);

    static StubQuery query(int attempts) {
        return new StubQuery(Q, null, true, List.of(S1, S2), attempts, SECOND, StubQueryTest.seeded(7), KEY);
    }

    /** What the server does with a signed request: verify it (RFC 8945 §5.2). */
    static Tsig.Check serverCheck(byte[] request, Map<Name, TsigKey> keys, long now) throws Exception {
        TsigRecord t = TsigRecord.find(request, request.length);
        assertNotNull(t, "the query carries a TSIG record");
        return Tsig.verifyRequest(request, t, keys::get, now);
    }

    static byte[] plainAnswer(byte[] request, int flags) throws Exception {
        return StubQueryTest.answer(unsigned(request), flags);
    }

    /** The request without its TSIG record (the answer's question and ID come from it). */
    static byte[] unsigned(byte[] request) throws Exception {
        TsigRecord t = TsigRecord.find(request, request.length);
        byte[] b = Arrays.copyOf(request, t.start());
        b[11]--; // ARCOUNT without the TSIG record
        return b;
    }

    /** The answer the server sends: signed in the session its check of the request opened. */
    static byte[] signedAnswer(byte[] request, int flags, long now) throws Exception {
        Tsig.Check c = serverCheck(request, SERVER_KEYS, now);
        assertTrue(c.ok(), Tsig.errorName(c.error()));
        return c.session().sign(plainAnswer(request, flags), now);
    }

    @Test
    void everyAttemptIsSignedAtTheWallTimeGivenAndVerifiesWithTheKey() throws Exception {
        StubQuery q = query(3);
        byte[] first = ((StubQuery.SendUdp) q.start(0, NOW)).message();
        assertTrue(serverCheck(first, SERVER_KEYS, NOW).ok());
        assertEquals(NOW, TsigRecord.find(first, first.length).timeSigned());
        assertEquals(Tsig.BADSIG, serverCheck(first, Map.of(KEY.name(), SAME_NAME_WRONG_SECRET), NOW).error(),
                "the MAC depends on the secret");
        assertEquals(Tsig.BADKEY, serverCheck(first, Map.of(OTHER.name(), OTHER), NOW).error());
        byte[] second = ((StubQuery.SendUdp) q.onTimeout(SECOND, NOW + 7)).message();
        TsigRecord t2 = TsigRecord.find(second, second.length);
        assertEquals(NOW + 7, t2.timeSigned(), "a fresh time for each attempt");
        assertEquals(Message.decode(second).id(), t2.originalId());
        assertTrue(serverCheck(second, SERVER_KEYS, NOW + 7).ok());
        byte[] tc = signedAnswer(second, Message.TC, NOW + 7);
        byte[] overTcp = ((StubQuery.SendTcp) q.onDatagram(S2, tc, SECOND + 1, NOW + 8)).message();
        assertEquals(NOW + 8, TsigRecord.find(overTcp, overTcp.length).timeSigned(), "the TCP attempt is signed anew");
        assertTrue(serverCheck(overTcp, SERVER_KEYS, NOW + 8).ok());
        StubQuery.Done done = (StubQuery.Done) q.onTcpResponse(signedAnswer(overTcp, 0, NOW + 8), SECOND + 2, NOW + 8);
        assertEquals(1, done.response().answers().size());
        assertEquals(RrType.TSIG, done.response().additional().getLast().type(), "the answer keeps its TSIG record");
    }

    @Test
    void unsignedOtherKeyAndForgedResponsesAreCountedAndTheValidOneStillAccepted() throws Exception {
        StubQuery q = query(2);
        byte[] request = ((StubQuery.SendUdp) q.start(0, NOW)).message();
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, plainAnswer(request, 0), 1, NOW), "unsigned");
        byte[] otherKey = TsigSession.client(OTHER).sign(plainAnswer(request, 0), NOW);
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, otherKey, 2, NOW), "signed with another key");
        byte[] wrongSecret = TsigSession.client(SAME_NAME_WRONG_SECRET).sign(plainAnswer(request, 0), NOW);
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, wrongSecret, 3, NOW), "our key's name, not its secret");
        byte[] good = signedAnswer(request, 0, NOW);
        byte[] flippedMac = good.clone();
        flippedMac[flippedMac.length - 10] ^= 1; // inside the MAC (followed by ID, error, other length)
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, flippedMac, 4, NOW), "a bad MAC");
        byte[] changedAnswer = good.clone();
        changedAnswer[TsigRecord.find(good, good.length).start() - 1] ^= 1; // the A record's last byte
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, changedAnswer, 5, NOW), "an altered answer");
        byte[] badTsig = good.clone();
        badTsig[TsigRecord.find(good, good.length).start() + KEY.name().wireLength() + 4 + 3] = 1;
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, badTsig, 6, NOW), "a TSIG record with TTL 1");
        assertEquals(1, q.rejected(StubQuery.Rejection.UNSIGNED));
        assertEquals(1, q.rejected(StubQuery.Rejection.OTHER_KEY));
        assertEquals(3, q.rejected(StubQuery.Rejection.BAD_MAC));
        assertEquals(1, q.rejected(StubQuery.Rejection.MALFORMED));
        StubQuery.Done done = (StubQuery.Done) q.onDatagram(S1, good, 7, NOW + 1);
        assertEquals("192.0.2.80", done.response().answers().getFirst().rdata().toString());
        assertFalse(q.tsigFailed());
    }

    @Test
    void onlyRejectedResponsesUntilTheTimeoutMoveOnThenFailSayingWhy() throws Exception {
        StubQuery q = query(2);
        byte[] r1 = ((StubQuery.SendUdp) q.start(0, NOW)).message();
        q.onDatagram(S1, plainAnswer(r1, 0), 1, NOW);
        byte[] r2 = ((StubQuery.SendUdp) q.onTimeout(SECOND, NOW + 1)).message();
        q.onDatagram(S2, plainAnswer(r2, 0), SECOND + 1, NOW + 1);
        StubQuery.Failed f = (StubQuery.Failed) q.onTimeout(2 * SECOND, NOW + 2);
        assertTrue(f.reason().contains("failed TSIG verification") && f.reason().contains("unsigned")
                && f.reason().contains("stub.example."), f.reason());
        assertFalse(q.tsigFailed(), "no TSIG error from a server: the attempts ran out");
    }

    /** RFC 8945 §4.3.1: the response MAC covers the request MAC, so an answer to another request fails. */
    @Test
    void theRequestMacIsChainedIntoTheResponseVerification() throws Exception {
        StubQuery q = query(3);
        byte[] first = ((StubQuery.SendUdp) q.start(0, NOW)).message();
        Tsig.Check firstSession = serverCheck(first, SERVER_KEYS, NOW);
        byte[] second = ((StubQuery.SendUdp) q.onTimeout(SECOND, NOW)).message();
        byte[] answer = plainAnswer(second, 0);
        // A valid signature with our key, but chained on the first attempt's request MAC.
        byte[] chainedOnFirst = firstSession.session().sign(answer, NOW);
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S2, chainedOnFirst, SECOND + 1, NOW));
        // Signed with our key as a request would be: no request MAC in the digest at all.
        byte[] notChained = TsigSession.client(KEY).sign(answer, NOW);
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S2, notChained, SECOND + 2, NOW));
        assertEquals(2, q.rejected(StubQuery.Rejection.BAD_MAC));
        Tsig.Check secondSession = serverCheck(second, SERVER_KEYS, NOW);
        assertInstanceOf(StubQuery.Done.class, q.onDatagram(S2, secondSession.session().sign(answer, NOW), SECOND + 3, NOW));
    }

    static byte[] unsignedError(byte[] request, int error) throws Exception {
        TsigRecord t = TsigRecord.find(request, request.length);
        Message q = Message.decode(unsigned(request));
        byte[] plain = new Message(q.id(), Message.QR | 9, q.questions(), List.of(), List.of(), List.of(), null).encode();
        byte[] buf = Arrays.copyOf(plain, plain.length + Tsig.unsignedErrorLength(t));
        int n = Tsig.writeUnsignedError(buf, 0, plain.length, t, error, NOW);
        return Arrays.copyOf(buf, n);
    }

    @Test
    void badsigAndBadkeyFromTheServerFailTheQuerySayingWhatToCheck() throws Exception {
        StubQuery q = query(3);
        byte[] request = ((StubQuery.SendUdp) q.start(0, NOW)).message();
        StubQuery.Failed f = (StubQuery.Failed) q.onDatagram(S1, unsignedError(request, Tsig.BADSIG), 1, NOW);
        assertTrue(f.reason().contains("BADSIG") && f.reason().contains("secret"), f.reason());
        assertTrue(q.tsigFailed());
        StubQuery q2 = query(3);
        byte[] request2 = ((StubQuery.SendUdp) q2.start(0, NOW)).message();
        f = (StubQuery.Failed) q2.onDatagram(S1, unsignedError(request2, Tsig.BADKEY), 1, NOW);
        assertTrue(f.reason().contains("BADKEY") && f.reason().contains("key name")
                && f.reason().contains("stub.example."), f.reason());
        assertInstanceOf(StubQuery.Failed.class, q2.onTimeout(10 * SECOND, NOW), "the query stays failed");
    }

    @Test
    void badtimeFromTheServerOrAnAnswerSignedOutsideTheFudgeFailsNamingTheClocks() throws Exception {
        StubQuery q = query(3);
        long skewed = NOW + 3600;
        byte[] request = ((StubQuery.SendUdp) q.start(0, NOW)).message();
        Tsig.Check c = serverCheck(request, SERVER_KEYS, skewed);
        assertEquals(Tsig.BADTIME, c.error());
        byte[] plain = new Message(Message.decode(request).id(), Message.QR | 9, List.of(Q), List.of(), List.of(),
                List.of(), null).encode();
        byte[] buf = Arrays.copyOf(plain, plain.length + 512);
        int n = c.session().signBadTime(buf, 0, plain.length, NOW, skewed);
        StubQuery.Failed f = (StubQuery.Failed) q.onDatagram(S1, Arrays.copyOf(buf, n), 1, NOW);
        assertTrue(f.reason().contains("BADTIME") && f.reason().contains("clock") && f.reason().contains("3600 s apart"),
                f.reason());
        StubQuery q2 = query(3);
        byte[] request2 = ((StubQuery.SendUdp) q2.start(0, NOW)).message();
        // a server whose clock runs ahead by 301 s signs after accepting the request
        byte[] late = serverCheck(request2, SERVER_KEYS, NOW).session().sign(plainAnswer(request2, 0), NOW + 301);
        f = (StubQuery.Failed) q2.onDatagram(S1, late, 1, NOW);
        assertTrue(f.reason().contains("clock") && f.reason().contains("301 s apart"), f.reason());
    }

    @Test
    void overTcpARejectedResponseMovesOnToTheNextAttempt() throws Exception {
        StubQuery q = query(2);
        byte[] request = ((StubQuery.SendUdp) q.start(0, NOW)).message();
        byte[] tcpQuery = ((StubQuery.SendTcp) q.onDatagram(S1, signedAnswer(request, Message.TC, NOW), 1, NOW)).message();
        StubQuery.Step s = q.onTcpResponse(plainAnswer(tcpQuery, 0), 2, NOW);
        assertEquals(S2, ((StubQuery.SendUdp) s).server());
        assertEquals(1, q.rejected(StubQuery.Rejection.UNSIGNED));
        // an unsigned TC answer does not even get the query over to TCP
        byte[] second = ((StubQuery.SendUdp) s).message();
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S2, plainAnswer(second, Message.TC), 3, NOW));
    }

    @Test
    void aKeyedQueryWithoutTheWallTimeSaysWhatIsMissing() {
        StubQuery q = query(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.start(0));
        assertTrue(e.getMessage().contains("wall time"), e.getMessage());
    }

    /**
     * A verified answer with any one byte changed is never accepted: the MAC covers every byte,
     * except the letter case of the TSIG record's key and algorithm names, which enter it in
     * canonical form (RFC 8945 §4.3.3).
     */
    @Property(tries = 1500)
    void aSignedAnswerWithAnyByteChangedIsNeverAccepted(@ForAll @IntRange(min = 0, max = 10_000) int where,
            @ForAll @IntRange(min = 1, max = 255) int xor) throws Exception {
        StubQuery q = query(1);
        byte[] request = ((StubQuery.SendUdp) q.start(0, NOW)).message();
        byte[] good = signedAnswer(request, 0, NOW);
        byte[] bad = good.clone();
        int at = where % bad.length;
        bad[at] ^= (byte) xor;
        StubQuery.Step s = q.onDatagram(S1, bad, 1, NOW);
        switch (s) {
            case StubQuery.Done d -> {
                int tsigStart = TsigRecord.find(good, good.length).start();
                assertTrue(at >= tsigStart && xor == 0x20 && Character.isLetter(good[at]),
                        "accepted with byte " + at + " changed by " + xor);
            }
            case StubQuery.Wait w -> assertInstanceOf(StubQuery.Done.class, q.onDatagram(S1, good, 2, NOW),
                    "the control: the unchanged answer is still accepted after the changed one");
            // An unsigned TSIG error can be forged (RFC 8945 §5.3.2 sends them unsigned): the one
            // thing a changed byte may do besides being ignored.
            case StubQuery.Failed f -> assertTrue(f.reason().contains("answered"), f.reason());
            default -> fail("unexpected " + s);
        }
    }
}
