package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.DnsArbitraries;
import io.miragej.dns.Edns;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.stats.Counters;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ResponderProperties {
    private static final AuthoritativeServer SERVER = new AuthoritativeServer(new Counters());
    private static final Client CLIENT;

    static {
        SERVER.load(List.of(Zones.example()));
        CLIENT = new Client(SERVER);
    }

    /** Whatever comes back decodes, is a response to the same ID, and echoes a question it understood. */
    private static void checkResponse(byte[] query, boolean tcp) {
        byte[] raw = CLIENT.raw(query, tcp);
        if (raw == null || raw.length == 0) {
            return; // silence (or a transfer, which these queries are never allowed)
        }
        Message m;
        try {
            m = Message.decode(raw);
        } catch (Exception e) {
            throw new AssertionError("malformed response to " + java.util.HexFormat.of().formatHex(query), e);
        }
        assertTrue(m.isResponse());
        assertEquals(((query[0] & 0xff) << 8) | (query[1] & 0xff), m.id());
        assertTrue(query.length >= 12 && (query[2] & 0x80) == 0, "only queries are answered");
        int opcode = (query[2] >> 3) & 0xf;
        int qd = ((query[4] & 0xff) << 8) | (query[5] & 0xff);
        if (opcode == 0 || opcode == 4) {
            byte[] scratch = new byte[255];
            int r = io.miragej.dns.NameCodec.decode(io.miragej.buffer.PacketBuffer.wrap(query), 12, scratch);
            boolean questionOk = qd == 1 && r >= 0 && io.miragej.dns.NameCodec.end(r) + 4 <= query.length;
            if (!questionOk) {
                assertEquals(Rcode.FORMERR, m.rcode(), "a query without one well-formed question gets FORMERR");
                assertTrue(m.questions().isEmpty());
            }
        } else {
            assertEquals(Rcode.NOTIMP, m.rcode());
        }
        if (m.rcode() == Rcode.FORMERR || m.rcode() == Rcode.NOTIMP) {
            return;
        }
        assertEquals(1, m.questions().size());
        if (!tcp) {
            assertTrue(raw.length <= 1232, "UDP responses stay within the server's payload size");
        }
    }

    @Property(tries = 5000)
    void arbitraryBytesNeverThrowAndGetSilenceOrAWellFormedAnswer(@ForAll @Size(max = 600) byte[] bytes,
            @ForAll boolean tcp) {
        checkResponse(bytes, tcp);
    }

    @Property(tries = 3000)
    void corruptedQueriesNeverThrow(@ForAll("queries") Message q, @ForAll @IntRange(max = 1000) int where,
            @ForAll byte value, @ForAll @IntRange(max = 300) int cut, @ForAll boolean tcp) {
        byte[] wire = q.encode();
        wire[where % wire.length] = value;
        checkResponse(wire, tcp);
        checkResponse(Arrays.copyOf(wire, Math.min(cut, wire.length)), tcp);
    }

    @Provide
    Arbitrary<Message> queries() {
        Arbitrary<String> labels = Arbitraries.of("www", "host", "web", "x", "Y", "wild", "*", "sub", "ns", "mail",
                "big", "b", "c", "a", "dangling", "ext", "NOPE", "towild", "loop1", "srv");
        Arbitrary<Name> names = Combinators.combine(Arbitraries.of("example.com.", "EXAMPLE.com.", "example.org."),
                labels.list().ofMaxSize(4)).as((apex, ls) -> {
                    Name n = Name.of(apex);
                    for (String l : ls) {
                        n = n.child(l);
                    }
                    return n;
                });
        Arbitrary<Integer> types = Arbitraries.of(RrType.A, RrType.AAAA, RrType.MX, RrType.NS, RrType.SOA, RrType.TXT,
                RrType.CNAME, RrType.DS, RrType.SRV, RrType.ANY, 999);
        Arbitrary<Edns> edns = Combinators.combine(Arbitraries.integers().between(0, 5000), Arbitraries.of(true, false))
                .as(Edns::of).injectNull(0.4);
        return Combinators.combine(Arbitraries.integers().between(0, 65535), names, types, edns)
                .as((id, n, t, e) -> Message.query(id, n, t).withEdns(e));
    }

    /** UDP answers are the TCP answer, or it with optional additional records left out, or empty with TC. */
    @Property(tries = 2000)
    void udpAnswersAreTheTcpAnswerOrATruncationOfIt(@ForAll("queries") Message q) {
        Message tcp = CLIENT.ask(q, true);
        Message udp = CLIENT.ask(q, false);
        assertFalse(tcp.tc());
        assertEquals(tcp.rcode(), udp.rcode());
        assertEquals(tcp.aa(), udp.aa());
        if (udp.tc()) {
            assertTrue(udp.answers().isEmpty() && udp.authority().isEmpty() && udp.additional().isEmpty());
        } else {
            assertEquals(tcp.answers(), udp.answers());
            assertEquals(tcp.authority(), udp.authority());
            assertEquals(tcp.additional().subList(0, udp.additional().size()), udp.additional());
        }
    }

    /** The case of the query changes only the case of the answer. */
    @Property(tries = 1000)
    void caseOfTheQueryDoesNotChangeTheAnswer(@ForAll("queries") Message q) {
        Name lower = Name.of(q.question().name().toString().toLowerCase(Locale.ROOT));
        Name upper = Name.of(q.question().name().toString().toUpperCase(Locale.ROOT));
        Message a = CLIENT.ask(Message.query(q.id(), lower, q.question().type()).withEdns(q.edns()), true);
        Message b = CLIENT.ask(Message.query(q.id(), upper, q.question().type()).withEdns(q.edns()), true);
        assertEquals(a, b);
        for (Record r : b.answers()) {
            if (r.owner().equals(upper)) {
                assertTrue(r.owner().equalsExactly(upper), "an owner equal to the query name keeps its case");
            }
        }
    }

    @Property(tries = 500)
    void generatedMessagesAsQueriesNeverThrow(@ForAll("messages") Message m, @ForAll boolean tcp) {
        checkResponse(m.withFlags(m.flags() & 0x7fff).encode(), tcp);
    }

    @Provide
    Arbitrary<Message> messages() {
        return DnsArbitraries.messages();
    }
}
