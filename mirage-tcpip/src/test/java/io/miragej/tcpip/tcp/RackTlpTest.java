package io.miragej.tcpip.tcp;

import static io.miragej.tcpip.tcp.TcpHeader.ACK;
import static io.miragej.tcpip.tcp.TcpHeader.SYN;
import static io.miragej.tcpip.tcp.TcpScript.MS;
import static io.miragej.tcpip.tcp.TcpScript.SECOND;
import static io.miragej.tcpip.tcp.TcpScript.mss;
import static io.miragej.tcpip.tcp.TcpScript.none;
import static io.miragej.tcpip.tcp.TcpScript.opts;
import static io.miragej.tcpip.tcp.TcpScript.sack;
import static io.miragej.tcpip.tcp.TcpScript.sackPermitted;
import static io.miragej.tcpip.tcp.TcpScript.timestamp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.tcpip.tcp.TcpScript.Seg;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RACK-TLP (RFC 8985) against a scripted peer on virtual time: tail losses repaired by a probe
 * instead of the retransmission timeout, lost retransmissions found without a timeout, and
 * reordering within the reordering window not taken for loss.
 */
class RackTlpTest {
    static final int PORT = 80;
    static final int PEER_PORT = 40000;
    static final int PEER_ISS = 1_000_000;
    static final int SEG = 1000;

    TcpScript s;
    TcpConnection c;
    int una;
    int peerTs = 10;

    /** A connection with SACK and timestamps, 1000-byte segments and a 20 ms RTT measured in the handshake. */
    void establish(TcpConfig config) {
        s = new TcpScript(config);
        List<TcpConnection> accepted = new ArrayList<>();
        s.tcp.listen(PORT, accepted::add);
        s.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, opts(mss(SEG + 12), sackPermitted(), timestamp(1, 0)),
                none());
        Seg synAck = s.only();
        s.now += 20 * MS;
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535, timestamp(2, (int) synAck.tsVal()),
                none());
        c = accepted.getFirst();
        assertEquals(config.rack(), c.rackOn());
        assertEquals(SEG, c.mss());
        una = synAck.seq() + 1;
    }

    /** The peer acknowledges up to {@code ack} with SACK blocks, echoing {@code echo}. */
    void peerAck(int ack, long echo, int... sackEdges) {
        byte[] o = sackEdges.length == 0 ? timestamp(++peerTs, (int) echo)
                : opts(timestamp(++peerTs, (int) echo), sack(sackEdges));
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, ack, ACK, 65535, o, none());
    }

    /** Segments sent, as offsets of their first byte from the first data byte. */
    List<Integer> offsets(List<Seg> segs) {
        return segs.stream().filter(x -> x.payload().length > 0).map(x -> x.seq() - una).toList();
    }

    long counter(String name) {
        return s.counters.get(name);
    }

    @Test
    void aLossAtTheTailIsRepairedByAProbeLongBeforeTheRetransmissionTimeout() {
        establish(TcpConfig.defaults());
        c.write(new byte[10 * SEG], 0, 10 * SEG, s.now);
        List<Seg> flight = s.drain();
        assertEquals(10, flight.size());
        long ts0 = flight.getLast().tsVal();
        s.advance(20 * MS);
        peerAck(una + 7 * SEG, ts0); // the last three segments are lost
        assertTrue(s.drain().isEmpty());
        // The probe timeout is two RTTs (plus 2 ms): the last segment goes again as the probe.
        s.advance(41 * MS);
        assertTrue(s.drain().isEmpty(), "no probe before 2 SRTT");
        s.advance(2 * MS);
        Seg probe = s.only();
        assertEquals(9 * SEG, probe.seq() - una, "the probe is the last segment");
        assertEquals(1, counter("tcp.tlp.probes"));
        // Its SACK shows segments 7 and 8, sent well before it, are lost: RACK resends them at once.
        s.advance(20 * MS);
        peerAck(una + 7 * SEG, probe.tsVal(), una + 9 * SEG, una + 10 * SEG);
        assertEquals(List.of(7 * SEG, 8 * SEG), offsets(s.drain()));
        long repairedAt = s.now;
        s.advance(20 * MS);
        peerAck(una + 10 * SEG, probe.tsVal() + 60);
        s.advance(2 * SECOND);
        assertEquals(0, counter("tcp.rto"), "no retransmission timeout");
        assertTrue(repairedAt < 200 * MS, "repaired " + repairedAt / MS + " ms in, before a 200 ms RTO would fire");
        assertEquals(0, c.unacknowledged());
    }

    @Test
    void withoutRackTheSameTailLossWaitsForTheRetransmissionTimeout() {
        establish(TcpConfig.defaults().withRack(false));
        c.write(new byte[10 * SEG], 0, 10 * SEG, s.now);
        long ts0 = s.drain().getLast().tsVal();
        s.advance(20 * MS);
        peerAck(una + 7 * SEG, ts0);
        long acked = s.now;
        s.advance(199 * MS);
        assertTrue(s.drain().isEmpty(), "nothing until the timeout");
        s.advance(2 * MS);
        List<Seg> rtx = s.drain();
        assertEquals(7 * SEG, rtx.getFirst().seq() - una);
        assertEquals(1, counter("tcp.rto"));
        assertTrue(s.now - acked >= 200 * MS);
        assertEquals(0, counter("tcp.tlp.probes"));
    }

    @Test
    void aProbeCarriesNewDataWhenThereIsSome() {
        establish(TcpConfig.defaults());
        c.write(new byte[14 * SEG], 0, 14 * SEG, s.now); // ten go out (the initial window), four wait
        assertEquals(10, s.drain().size());
        s.advance(43 * MS); // no ACK at all
        Seg probe = s.only();
        assertEquals(10 * SEG, probe.seq() - una, "new data, beyond the congestion window");
        assertEquals(0, counter("tcp.tx.retransmits"));
    }

    @Test
    void aLostRetransmissionIsFoundByRackWithoutATimeout() {
        establish(TcpConfig.defaults());
        c.write(new byte[10 * SEG], 0, 10 * SEG, s.now);
        long ts0 = s.drain().getLast().tsVal();
        s.advance(20 * MS);
        // Segment 1 is lost; eight SACKed above it: lost at once (like three duplicate ACKs).
        peerAck(una + SEG, ts0, una + 2 * SEG, una + 10 * SEG);
        List<Seg> first = s.drain();
        assertEquals(List.of(SEG), offsets(first));
        assertEquals(1, counter("tcp.fast-retransmits"));
        c.write(new byte[3 * SEG], 0, 3 * SEG, s.now); // new data after the retransmission
        List<Seg> fresh = s.drain();
        assertEquals(List.of(10 * SEG, 11 * SEG, 12 * SEG), offsets(fresh));
        // The retransmission is lost too; the new data, sent after it, arrives.
        s.advance(20 * MS);
        peerAck(una + SEG, fresh.getLast().tsVal(), una + 2 * SEG, una + 13 * SEG);
        assertEquals(List.of(SEG), offsets(s.drain()), "segment 1 again, found lost by RACK");
        assertEquals(0, counter("tcp.rto"));
        assertEquals(2, counter("tcp.tx.retransmits"));
    }

    @Test
    void reorderingWithinTheReorderingWindowIsNotTakenForLoss() {
        establish(TcpConfig.defaults());
        c.write(new byte[10 * SEG], 0, 10 * SEG, s.now);
        long ts0 = s.drain().getLast().tsVal();
        s.advance(20 * MS);
        // Segment 1 arrives after segment 2: one SACKed segment, a reordering window of RTT/4 = 5 ms.
        peerAck(una + SEG, ts0, una + 2 * SEG, una + 3 * SEG);
        assertTrue(s.drain().isEmpty(), "not lost yet");
        s.advance(MS);
        peerAck(una + 3 * SEG, ts0);
        s.advance(10 * MS);
        assertTrue(s.drain().isEmpty(), "it came: nothing to resend");
        // Reordering has been seen: now even seven SACKed segments above a hole wait RTT/4.
        peerAck(una + 3 * SEG, ts0, una + 4 * SEG, una + 10 * SEG);
        assertTrue(s.drain().isEmpty(), "within the reordering window");
        s.advance(2 * MS);
        peerAck(una + 10 * SEG, ts0);
        s.advance(SECOND);
        assertEquals(0, counter("tcp.tx.retransmits"));
        assertEquals(0, counter("tcp.fast-retransmits"));
    }

    @Test
    void aHoleThatStaysOpenIsResentWhenTheReorderingTimerExpires() {
        establish(TcpConfig.defaults());
        c.write(new byte[10 * SEG], 0, 10 * SEG, s.now);
        long ts0 = s.drain().getLast().tsVal();
        s.advance(20 * MS);
        peerAck(una + SEG, ts0, una + 2 * SEG, una + 3 * SEG); // one segment above the hole
        assertTrue(s.drain().isEmpty());
        s.advance(4 * MS);
        assertTrue(s.drain().isEmpty(), "still within RTT/4");
        s.advance(2 * MS);
        assertEquals(List.of(SEG), offsets(s.drain()), "lost when the reordering timer expired");
        assertEquals(1, counter("tcp.rack.reorder-timeouts"));
    }

    @Test
    void aProbeThatWasNotNeededIsToldByDsackAndCostsNoWindow() {
        establish(TcpConfig.defaults());
        c.write(new byte[4 * SEG], 0, 4 * SEG, s.now);
        long ts0 = s.drain().getLast().tsVal();
        s.advance(20 * MS);
        peerAck(una + 2 * SEG, ts0); // the ACK for the last two is late, nothing was lost
        int cwnd = c.congestionWindow();
        s.advance(43 * MS);
        Seg probe = s.only();
        assertEquals(3 * SEG, probe.seq() - una);
        s.advance(MS);
        peerAck(una + 4 * SEG, ts0); // the late ACK: covers the probe's data, no D-SACK yet
        s.advance(20 * MS);
        peerAck(una + 4 * SEG, probe.tsVal(), una + 3 * SEG, una + 4 * SEG); // the D-SACK for the probe
        assertEquals(0, counter("tcp.tlp.repairs"));
        assertFalse(c.congestionWindow() < cwnd, "no congestion response for a needless probe");
    }

    @Test
    void aRecoveryForReorderingIsUndoneWhenItsRetransmissionComesBackDsacked() {
        establish(TcpConfig.defaults());
        c.write(new byte[10 * SEG], 0, 10 * SEG, s.now);
        long ts0 = s.drain().getLast().tsVal();
        s.advance(20 * MS);
        peerAck(una + SEG, ts0, una + 2 * SEG, una + 10 * SEG); // segment 1 late: looks lost
        Seg rtx = s.only();
        assertEquals(SEG, rtx.seq() - una);
        int cut = c.congestionWindow();
        assertEquals(1, counter("tcp.fast-retransmits"));
        s.advance(MS);
        peerAck(una + 10 * SEG, ts0); // the original arrives after all
        s.advance(20 * MS);
        peerAck(una + 10 * SEG, rtx.tsVal(), una + SEG, una + 2 * SEG); // and the resend is reported twice
        assertEquals(1, counter("tcp.undo"));
        assertTrue(c.congestionWindow() > cut, "the window is given back: " + cut + " -> " + c.congestionWindow());
        assertTrue(c.congestionWindow() >= 10 * SEG);
    }

    @Test
    void aRealLossIsNotUndone() {
        establish(TcpConfig.defaults());
        c.write(new byte[10 * SEG], 0, 10 * SEG, s.now);
        long ts0 = s.drain().getLast().tsVal();
        s.advance(20 * MS);
        peerAck(una + SEG, ts0, una + 2 * SEG, una + 10 * SEG);
        Seg rtx = s.only();
        s.advance(20 * MS);
        peerAck(una + 10 * SEG, rtx.tsVal()); // the resend filled the hole: no D-SACK
        s.advance(SECOND);
        assertEquals(0, counter("tcp.undo"));
    }
}
