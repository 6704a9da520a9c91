package io.miragej.tcpip.tcp;

import static io.miragej.tcpip.tcp.TcpHeader.ACK;
import static io.miragej.tcpip.tcp.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.tcpip.tcp.TcpScript.Seg;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Whatever arrives, TCP neither throws nor stops serving. */
class TcpProperties {
    static final int PORT = 80;
    static final int PEER_PORT = 40000;
    static final int PEER_ISS = 1_000_000;

    @Property(tries = 500)
    void theHeaderParserTakesArbitraryBytes(@ForAll @Size(max = 120) byte[] bytes) {
        TcpHeader h = new TcpHeader();
        if (h.parse(PacketBuffer.wrap(bytes), 0, bytes.length)) {
            assertTrue(h.headerLength() >= 20 && h.headerLength() <= bytes.length);
            assertTrue(h.payloadLength() >= 0);
            assertTrue(h.sackBlocks <= TcpHeader.MAX_SACK_BLOCKS);
            h.seq();
            h.ack();
            h.window();
            h.sequenceLength();
        }
    }

    record Segment(int dstPort, int seqOffset, int ack, int flags, int window, byte[] options, byte[] payload) {}

    @Provide
    Arbitrary<List<Segment>> segments() {
        Arbitrary<Integer> ports = Arbitraries.oneOf(Arbitraries.just(PORT), Arbitraries.integers().between(0, 65535));
        Arbitrary<Integer> seqs = Arbitraries.oneOf(Arbitraries.integers().between(-70_000, 70_000),
                Arbitraries.integers());
        Arbitrary<byte[]> options = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Arbitraries.of(TcpScript.opts(TcpScript.mss(1)), TcpScript.opts(TcpScript.wscale(200)),
                        TcpScript.opts(TcpScript.sack(1, 2, 3)), TcpScript.opts(TcpScript.timestamp(-1, -1)),
                        TcpScript.opts(TcpScript.mss(0), TcpScript.sackPermitted(), TcpScript.wscale(14))));
        return Combinators.combine(ports, seqs, Arbitraries.integers(), Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 65535), options, Arbitraries.bytes().array(byte[].class).ofMaxSize(1400))
                .as(Segment::new).list().ofMaxSize(40);
    }

    @Property(tries = 300)
    void arbitrarySegmentsNeverBreakTheLayer(@ForAll("segments") List<Segment> segments) {
        TcpScript s = new TcpScript();
        java.util.List<TcpConnection> accepted = new java.util.ArrayList<>();
        s.tcp.listen(PORT, accepted::add);
        s.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, TcpScript.none(), TcpScript.none());
        Seg synAck = s.only();
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535, TcpScript.none(), TcpScript.none());
        TcpConnection c = accepted.getFirst();
        c.write(new byte[5000], 0, 5000, s.now);
        for (Segment g : segments) {
            byte[] opts = g.options().length > 40 ? TcpScript.none() : g.options();
            s.inject(PEER_PORT, g.dstPort(), PEER_ISS + 1 + g.seqOffset(), g.ack(), g.flags(), g.window(), opts,
                    g.payload());
            s.advance(50 * TcpScript.MS);
            if (c.readable() > 0) {
                c.read(new byte[4096], 0, 4096, s.now);
            }
        }
        s.advance(200 * TcpScript.SECOND); // every timer runs out
        s.drain();
        // The listener still serves a new client.
        s.inject(PEER_PORT + 1, PORT, 77, 0, SYN, 65535, TcpScript.none(), TcpScript.none());
        Seg answer = s.drain().getLast();
        assertTrue(answer.has(SYN | ACK), "still answers SYNs: " + answer);
    }
}
