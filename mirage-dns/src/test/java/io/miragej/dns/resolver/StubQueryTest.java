package io.miragej.dns.resolver;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Question;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.net.Endpoint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class StubQueryTest {
    static final Endpoint S1 = Endpoint.of("192.0.2.1", 53);
    static final Endpoint S2 = Endpoint.of("192.0.2.2", 53);
    static final Question Q = Question.of(Name.of("www.example.com."), RrType.A);
    static final long SECOND = 1_000_000_000L;

    static io.miragej.device.Random seeded(long seed) {
        java.util.Random r = new java.util.Random(seed);
        return (b, off, len) -> {
            for (int i = 0; i < len; i++) {
                b[off + i] = (byte) r.nextInt();
            }
        };
    }

    static StubQuery query(int attempts) {
        return new StubQuery(Q, null, true, List.of(S1, S2), attempts, SECOND, seeded(42));
    }

    static byte[] answer(byte[] query, int flags) throws Exception {
        Message q = Message.decode(query);
        return new Message(q.id(), Message.QR | flags, q.questions(),
                List.of(Record.of("www.example.com.", 60, RrType.A, "192.0.2.80")), List.of(), List.of(), null).encode();
    }

    @Test
    void answersFromTheServerAskedAreAccepted() throws Exception {
        StubQuery q = query(3);
        StubQuery.SendUdp send = (StubQuery.SendUdp) q.start(0);
        assertEquals(S1, send.server());
        Message sent = Message.decode(send.message());
        assertTrue(sent.rd());
        StubQuery.Step s = q.onDatagram(S1, answer(send.message(), 0), 10);
        assertEquals(1, ((StubQuery.Done) s).response().answers().size());
    }

    @Test
    void spoofedAndMismatchedResponsesAreIgnored() throws Exception {
        StubQuery q = query(3);
        StubQuery.SendUdp send = (StubQuery.SendUdp) q.start(0);
        byte[] good = answer(send.message(), 0);
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S2, good, 1), "wrong source address");
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(Endpoint.of("192.0.2.1", 54), good, 1), "wrong port");
        byte[] wrongId = good.clone();
        wrongId[0] ^= 1;
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, wrongId, 1));
        Message other = Message.decode(good);
        byte[] wrongQuestion = new Message(other.id(), other.flags(), List.of(Question.of(Name.of("evil.example."), RrType.A)),
                other.answers(), List.of(), List.of(), null).encode();
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, wrongQuestion, 1));
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, new byte[] {1, 2, 3}, 1));
        assertInstanceOf(StubQuery.Wait.class, q.onDatagram(S1, Message.decode(send.message()).encode(), 1), "a query, not a response");
        byte[] upper = new Message(other.id(), other.flags(), List.of(Question.of(Name.of("WWW.EXAMPLE.COM."), RrType.A)),
                other.answers(), List.of(), List.of(), null).encode();
        assertInstanceOf(StubQuery.Done.class, q.onDatagram(S1, upper, 1), "questions compare without case");
    }

    @Test
    void timeoutsRetryOnTheNextServerWithANewIdThenFail() throws Exception {
        StubQuery q = query(4);
        Set<Integer> ids = new HashSet<>();
        StubQuery.Step s = q.start(0);
        List<Endpoint> asked = new java.util.ArrayList<>();
        long now = 0;
        while (s instanceof StubQuery.SendUdp send) {
            asked.add(send.server());
            ids.add(Message.decode(send.message()).id());
            assertInstanceOf(StubQuery.Wait.class, q.onTimeout(now + SECOND - 1), "not yet");
            now += SECOND;
            s = q.onTimeout(now);
        }
        assertEquals(List.of(S1, S2, S1, S2), asked);
        assertEquals(4, ids.size(), "a new random ID for every attempt");
        assertTrue(((StubQuery.Failed) s).reason().contains("4 attempts"), s.toString());
    }

    @Test
    void truncatedAnswersAreAskedAgainOverTcp() throws Exception {
        StubQuery q = query(2);
        StubQuery.SendUdp send = (StubQuery.SendUdp) q.start(0);
        StubQuery.SendTcp tcp = (StubQuery.SendTcp) q.onDatagram(S1, answer(send.message(), Message.TC), 5);
        assertEquals(S1, tcp.server());
        assertInstanceOf(StubQuery.Done.class, q.onTcpResponse(answer(tcp.message(), 0), 6));
        StubQuery q2 = query(2);
        StubQuery.SendUdp send2 = (StubQuery.SendUdp) q2.start(0);
        q2.onDatagram(S1, answer(send2.message(), Message.TC), 5);
        StubQuery.Step after = q2.onTcpResponse(null, 6);
        assertEquals(S2, ((StubQuery.SendUdp) after).server(), "a failed TCP exchange moves on to the next server");
    }

    @Property(tries = 2000)
    void arbitraryDatagramsNeverThrow(@ForAll @Size(max = 300) byte[] bytes) {
        StubQuery q = query(2);
        q.start(0);
        StubQuery.Step s = q.onDatagram(S1, bytes, 1);
        assertNotNull(s);
        assertNotNull(q.onTcpResponse(bytes, 2));
    }
}
