package io.miragej.tcpip.tcp;

import static io.miragej.tcpip.tcp.TcpHeader.ACK;
import static io.miragej.tcpip.tcp.TcpHeader.FIN;
import static io.miragej.tcpip.tcp.TcpHeader.PSH;
import static io.miragej.tcpip.tcp.TcpHeader.RST;
import static io.miragej.tcpip.tcp.TcpHeader.SYN;
import static io.miragej.tcpip.tcp.TcpScript.MS;
import static io.miragej.tcpip.tcp.TcpScript.SECOND;
import static io.miragej.tcpip.tcp.TcpScript.mss;
import static io.miragej.tcpip.tcp.TcpScript.none;
import static io.miragej.tcpip.tcp.TcpScript.opts;
import static io.miragej.tcpip.tcp.TcpScript.sack;
import static io.miragej.tcpip.tcp.TcpScript.sackPermitted;
import static io.miragej.tcpip.tcp.TcpScript.timestamp;
import static io.miragej.tcpip.tcp.TcpScript.wscale;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.tcpip.core.IcmpErrorListener;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.tcp.TcpConnection.Failure;
import io.miragej.tcpip.tcp.TcpConnection.State;
import io.miragej.tcpip.tcp.TcpScript.Seg;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TCP behaviours one by one, against a scripted peer. */
class TcpStateMachineTest {
    static final int PORT = 80;
    static final int PEER_PORT = 40000;
    static final int PEER_ISS = 1_000_000;

    final TcpScript s = new TcpScript();
    final List<TcpConnection> accepted = new ArrayList<>();

    /** A connection accepted on PORT after a handshake with the given SYN options; returns our ISS. */
    int acceptWith(byte[] synOptions) {
        s.tcp.listen(PORT, accepted::add);
        s.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, synOptions, none());
        Seg synAck = s.only();
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535,
                synOptions.length > 12 ? timestamp(2, (int) synAck.tsVal()) : none(), none());
        return synAck.seq();
    }

    /** An accepted connection without options: MSS 536, no SACK, no timestamps, no scaling. */
    TcpConnection plain() {
        acceptWith(none());
        assertEquals(1, accepted.size());
        return accepted.getFirst();
    }

    int iss(TcpConnection c) {
        return c.iss;
    }

    // ---- handshake and options ----

    @Test
    void aPassiveOpenAnswersWithTheOptionsThePeerOffered() {
        s.tcp.listen(PORT, accepted::add);
        byte[] o = opts(mss(1000), sackPermitted(), timestamp(77, 0), wscale(7));
        s.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, o, none());
        Seg synAck = s.only();
        assertTrue(synAck.has(SYN | ACK));
        assertEquals(PEER_ISS + 1, synAck.ack());
        assertEquals(1460, synAck.mss());
        assertTrue(synAck.sackPermitted());
        assertEquals(77, synAck.tsEcr());
        assertEquals(3, synAck.wscale(), "256 KiB of buffer needs a shift of 3");
        assertTrue(accepted.isEmpty(), "not accepted before the handshake completes");
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 100, timestamp(78, (int) synAck.tsVal()), none());
        TcpConnection c = accepted.getFirst();
        assertEquals(State.ESTABLISHED, c.state());
        assertEquals(1000 - 12, c.mss(), "the peer's MSS less the timestamp option");
        assertTrue(c.sackEnabled() && c.timestampsEnabled() && c.windowScalingEnabled());
        assertEquals(100 << 7, c.sendWindow(), "the peer's window is scaled by its shift");
    }

    @Test
    void aSynAckOffersOnlyWhatTheSynOffered() {
        s.tcp.listen(PORT, accepted::add);
        s.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, mss(1400), none());
        Seg synAck = s.only();
        assertEquals(1460, synAck.mss());
        assertFalse(synAck.sackPermitted());
        assertFalse(synAck.hasTimestamp());
        assertEquals(-1, synAck.wscale());
        assertTrue(synAck.window() <= 65535);
    }

    @Test
    void anActiveOpenOffersEverythingAndCompletes() {
        TcpConnection c = s.tcp.connect(0, IpContext.mapped(TcpScript.PEER), 80, s.now);
        Seg syn = s.only();
        assertTrue(syn.has(SYN) && !syn.has(ACK));
        assertEquals(1460, syn.mss());
        assertTrue(syn.sackPermitted());
        assertTrue(syn.hasTimestamp());
        assertEquals(3, syn.wscale());
        assertEquals(State.SYN_SENT, c.state());
        s.now += 10 * MS;
        s.inject(80, syn.srcPort(), PEER_ISS, syn.seq() + 1, SYN | ACK, 29200,
                opts(mss(1460), sackPermitted(), timestamp(5, (int) syn.tsVal()), wscale(7)), none());
        Seg ack = s.only();
        assertTrue(ack.has(ACK) && !ack.has(SYN));
        assertEquals(PEER_ISS + 1, ack.ack());
        assertEquals(State.ESTABLISHED, c.state());
        assertEquals(29200, c.sendWindow(), "a SYN-ACK's window is not scaled");
        assertEquals(7, c.sendWindowScale());
    }

    @Test
    void simultaneousOpenGoesThroughSynReceived() {
        TcpConnection c = s.tcp.connect(0, IpContext.mapped(TcpScript.PEER), 80, s.now);
        Seg syn = s.only();
        // The peer's SYN crosses ours.
        s.inject(80, syn.srcPort(), PEER_ISS, 0, SYN, 65535, mss(1460), none());
        Seg synAck = s.only();
        assertTrue(synAck.has(SYN | ACK));
        assertEquals(syn.seq(), synAck.seq(), "the SYN-ACK repeats our ISS");
        assertEquals(PEER_ISS + 1, synAck.ack());
        assertEquals(State.SYN_RECEIVED, c.state());
        s.inject(80, syn.srcPort(), PEER_ISS + 1, syn.seq() + 1, ACK, 65535, none(), none());
        assertEquals(State.ESTABLISHED, c.state());
    }

    @Test
    void closedPortsAreAnsweredWithResetsAndResetsAreNot() {
        s.inject(PEER_PORT, 81, PEER_ISS, 0, SYN, 65535, none(), new byte[] {1, 2, 3});
        Seg r = s.only();
        assertTrue(r.has(RST | ACK));
        assertEquals(0, r.seq());
        assertEquals(PEER_ISS + 1 + 3, r.ack(), "SYN and data acknowledged");
        s.inject(PEER_PORT, 81, PEER_ISS, 555, ACK, 65535, none(), none());
        Seg r2 = s.only();
        assertTrue(r2.has(RST) && !r2.has(ACK));
        assertEquals(555, r2.seq(), "sequence taken from the ACK");
        s.inject(PEER_PORT, 81, PEER_ISS, 0, RST, 0, none(), none());
        assertTrue(s.drain().isEmpty());
        assertEquals(3, s.counters.get("tcp.drop.closed-port"));
    }

    @Test
    void anAckToAListenerIsReset() {
        s.tcp.listen(PORT, accepted::add);
        s.inject(PEER_PORT, PORT, PEER_ISS, 4242, ACK, 65535, none(), none());
        Seg r = s.only();
        assertTrue(r.has(RST));
        assertEquals(4242, r.seq());
    }

    @Test
    void initialSequenceNumbersDependOnTheConnectionAndOnTime() {
        TcpConnection a = s.tcp.connect(0, IpContext.mapped(TcpScript.PEER), 80, 0);
        TcpConnection b = s.tcp.connect(0, IpContext.mapped(TcpScript.PEER), 81, 0);
        assertNotEquals(a.iss, b.iss, "different connections, unrelated ISNs");
        s.tcp.listen(PORT, accepted::add);
        s.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
        int first = s.drain().getLast().seq();
        s.advance(75 * SECOND); // the half-open connection gives up meanwhile
        s.drain();
        s.now = 100 * SECOND;
        s.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
        int later = s.drain().getLast().seq();
        assertEquals(100 * SECOND / 4000, Integer.toUnsignedLong(later - first) & 0xffff_ffffL,
                "same connection later: the ISN moved on by the 4 µs clock (RFC 6528)");
    }

    @Test
    void sipHashMatchesTheReferenceVectors() {
        SipHash h = new SipHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
        assertEquals(0x726fdb47dd0e0e31L, h.hash());
        assertEquals(0x93f5f5799a932462L, h.hash(0x0706050403020100L));
    }

    // ---- data, acknowledgments, windows ----

    @Test
    void acksEverySecondSegmentAndDelaysALoneOneBy40Ms() {
        TcpConnection c = plain();
        s.drain();
        int seq = PEER_ISS + 1;
        int ackFor = iss(c) + 1;
        s.inject(PEER_PORT, PORT, seq, ackFor, ACK, 65535, none(), new byte[500]);
        assertTrue(s.drain().isEmpty(), "the first segment's ACK is delayed");
        s.inject(PEER_PORT, PORT, seq + 500, ackFor, ACK, 65535, none(), new byte[500]);
        assertEquals(seq + 1000, s.only().ack(), "the second is acknowledged at once");
        s.inject(PEER_PORT, PORT, seq + 1000, ackFor, ACK, 65535, none(), new byte[500]);
        s.advance(39 * MS);
        assertTrue(s.drain().isEmpty());
        s.advance(1 * MS);
        assertEquals(seq + 1500, s.only().ack(), "after 40 ms");
    }

    @Test
    void smallSegmentsAfterFullOnesAreAcknowledgedPerFullSegmentOfBytes() {
        TcpConnection c = plain();
        s.drain();
        int seq = PEER_ISS + 1;
        int ackFor = iss(c) + 1;
        s.inject(PEER_PORT, PORT, seq, ackFor, ACK, 65535, none(), new byte[1000]);
        s.inject(PEER_PORT, PORT, seq + 1000, ackFor, ACK, 65535, none(), new byte[1000]);
        assertEquals(seq + 2000, s.only().ack(), "two full segments: acknowledged at once");
        for (int i = 0; i < 10; i++) {
            s.inject(PEER_PORT, PORT, seq + 2000 + 100 * i, ackFor, ACK, 65535, none(), new byte[100]);
            assertTrue(s.drain().isEmpty(), "a full segment's worth not yet unacknowledged");
        }
        s.inject(PEER_PORT, PORT, seq + 3000, ackFor, ACK, 65535, none(), new byte[100]);
        assertEquals(seq + 3100, s.only().ack(), "more than one full segment's worth");
    }

    @Test
    void outOfOrderDataIsAcknowledgedAtOnceWithSackBlocks() {
        int ours = acceptWith(opts(mss(1460), sackPermitted(), timestamp(1, 0)));
        s.drain();
        int seq = PEER_ISS + 1;
        s.inject(PEER_PORT, PORT, seq + 1000, ours + 1, ACK, 65535, timestamp(3, 0), new byte[1000]);
        Seg dup = s.only();
        assertEquals(seq, dup.ack(), "a duplicate ACK for the hole");
        assertArrayEquals(new int[] {seq + 1000, seq + 2000}, dup.sack());
        s.inject(PEER_PORT, PORT, seq + 3000, ours + 1, ACK, 65535, timestamp(4, 0), new byte[500]);
        assertArrayEquals(new int[] {seq + 3000, seq + 3500, seq + 1000, seq + 2000}, s.only().sack(),
                "the most recent block first (RFC 2018 4)");
        s.inject(PEER_PORT, PORT, seq, ours + 1, ACK, 65535, timestamp(5, 0), new byte[1000]);
        Seg filled = s.only();
        assertEquals(seq + 2000, filled.ack(), "filling the hole is acknowledged at once");
        assertArrayEquals(new int[] {seq + 3000, seq + 3500}, filled.sack());
        TcpConnection c = accepted.getFirst();
        assertEquals(2000, c.readable());
    }

    @Test
    void dataReceivedTwiceIsReportedByADsackBlockFirst() {
        int ours = acceptWith(opts(mss(1460), sackPermitted(), timestamp(1, 0)));
        s.drain();
        int seq = PEER_ISS + 1;
        s.inject(PEER_PORT, PORT, seq, ours + 1, ACK, 65535, timestamp(3, 0), new byte[1000]);
        s.inject(PEER_PORT, PORT, seq, ours + 1, ACK, 65535, timestamp(4, 0), new byte[1000]);
        Seg below = s.drain().getLast();
        assertEquals(seq + 1000, below.ack());
        assertArrayEquals(new int[] {seq, seq + 1000}, below.sack(), "a D-SACK below the ACK (RFC 2883 4.1.1)");
        s.inject(PEER_PORT, PORT, seq + 2000, ours + 1, ACK, 65535, timestamp(5, 0), new byte[500]);
        s.drain();
        s.inject(PEER_PORT, PORT, seq + 2000, ours + 1, ACK, 65535, timestamp(6, 0), new byte[500]);
        assertArrayEquals(new int[] {seq + 2000, seq + 2500, seq + 2000, seq + 2500}, s.only().sack(),
                "a duplicate above a hole: the D-SACK block, then the block holding it (RFC 2883 4.1.2)");
        s.inject(PEER_PORT, PORT, seq + 1000, ours + 1, ACK, 65535, timestamp(7, 0), new byte[1000]);
        assertArrayEquals(new int[0], s.only().sack(), "reported once");
    }

    @Test
    void theReceiveWindowIsTheFreeBufferAndNeverShrinks() {
        TcpScript small = new TcpScript(TcpConfig.defaults().withBuffers(4096, 4000).withOptions(false, false, false));
        small.tcp.listen(PORT, accepted::add);
        small.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
        Seg synAck = small.only();
        assertEquals(4000, synAck.window());
        small.inject(PEER_PORT, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535, none(), none());
        TcpConnection c = accepted.getFirst();
        int seq = PEER_ISS + 1;
        for (int i = 0; i < 8; i++) {
            small.inject(PEER_PORT, PORT, seq + i * 500, synAck.seq() + 1, ACK, 65535, none(), new byte[500]);
        }
        Seg full = small.drain().getLast();
        assertEquals(0, full.window(), "a full buffer closes the window");
        // Beyond the window: not stored, answered with an ACK.
        small.inject(PEER_PORT, PORT, seq + 4000, synAck.seq() + 1, ACK, 65535, none(), new byte[100]);
        assertEquals(seq + 4000, small.only().ack());
        assertEquals(4000, c.readable());
        // Reading a little does not reopen it by a silly amount (receiver SWS avoidance) ...
        c.read(new byte[100], 0, 100, small.now);
        assertTrue(small.drain().isEmpty());
        // ... reading half the buffer does, and the peer is told.
        c.read(new byte[2000], 0, 2000, small.now);
        Seg update = small.only();
        assertEquals(2100, update.window());
    }

    @Test
    void writesTakeWhatFitsInTheSendBuffer() {
        TcpScript small = new TcpScript(TcpConfig.defaults().withBuffers(3000, 4096).withOptions(false, false, false));
        small.tcp.listen(PORT, accepted::add);
        small.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 0, none(), none());
        Seg synAck = small.only();
        small.inject(PEER_PORT, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 0, none(), none());
        TcpConnection c = accepted.getFirst();
        assertEquals(3000, c.writable());
        assertEquals(3000, c.write(new byte[5000], 0, 5000, small.now));
        assertEquals(0, c.write(new byte[10], 0, 10, small.now));
        assertEquals(0, c.writable());
    }

    @Test
    void nagleHoldsSmallSegmentsWhileDataIsUnacknowledgedAndTheSwitchTurnsItOff() {
        TcpConnection c = plain();
        s.drain();
        int una = iss(c) + 1;
        c.write(new byte[10], 0, 10, s.now);
        assertEquals(10, s.only().payload().length, "nothing in flight: sent at once");
        c.write(new byte[10], 0, 10, s.now);
        c.write(new byte[10], 0, 10, s.now);
        assertTrue(s.drain().isEmpty(), "held while the first is unacknowledged");
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una + 10, ACK, 65535, none(), none());
        assertEquals(20, s.only().payload().length, "coalesced once the ACK came");
        c.setNoDelay(true, s.now);
        c.write(new byte[10], 0, 10, s.now);
        assertEquals(10, s.only().payload().length, "no delay: sent at once");
        assertTrue(c.noDelay());
    }

    @Test
    void fullSegmentsAreSentWithoutWaitingAndThePushFlagMarksTheEnd() {
        TcpConnection c = plain();
        s.drain();
        c.write(new byte[1200], 0, 1200, s.now);
        List<Seg> out = s.drain();
        assertEquals(2, out.size(), "two full 536-byte segments; Nagle holds the 128-byte tail");
        assertEquals(536, out.get(0).payload().length);
        assertFalse(out.get(0).has(PSH));
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, out.get(1).seq() + 536, ACK, 65535, none(), none());
        Seg tail = s.only();
        assertEquals(128, tail.payload().length);
        assertTrue(tail.has(PSH), "the end of the written data is pushed");
    }

    @Test
    void theInitialWindowIsTenSegmentsAndSlowStartGrowsIt() {
        acceptWith(opts(mss(1460)));
        TcpConnection c = accepted.getFirst();
        s.drain();
        c.write(new byte[100_000], 0, 100_000, s.now);
        List<Seg> first = s.drain();
        assertEquals(10, first.size(), "RFC 6928: ten segments");
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, iss(c) + 1 + 2 * 1460, ACK, 65535, none(), none());
        assertEquals(4, s.drain().size(), "an ACK of two segments lets four more go (slow start, L=2)");
    }

    @Test
    void outOfOrderRangesAreBoundedAndTheStreamStillCompletes() {
        acceptWith(opts(mss(1460), sackPermitted(), timestamp(1, 0)));
        TcpConnection c = accepted.getFirst();
        s.drain();
        int base = PEER_ISS + 1;
        int ours = c.iss + 1;
        // Every other 100-byte piece of 8,000 bytes: 40 disjoint ranges, more than are kept.
        for (int i = 1; i < 80; i += 2) {
            s.inject(PEER_PORT, PORT, base + i * 100, ours, ACK, 65535, timestamp(2, 0), new byte[100]);
        }
        assertTrue(s.counters.get("tcp.drop.out-of-order-full") > 0);
        // The sender resends everything in order: the stream completes.
        for (int i = 0; i < 80; i++) {
            s.inject(PEER_PORT, PORT, base + i * 100, ours, ACK, 65535, timestamp(3, 0), new byte[100]);
        }
        assertEquals(8000, c.readable());
    }

    // ---- loss recovery and timers ----

    @Test
    void threeDuplicateAcksTriggerAFastRetransmit() {
        acceptWith(opts(mss(1000)));
        TcpConnection c = accepted.getFirst();
        s.drain();
        c.write(new byte[8000], 0, 8000, s.now);
        List<Seg> flight = s.drain();
        assertEquals(8, flight.size());
        int una = flight.getFirst().seq();
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una + 1000, ACK, 65535, none(), none());
        s.drain();
        for (int i = 0; i < 2; i++) {
            s.inject(PEER_PORT, PORT, PEER_ISS + 1, una + 1000, ACK, 65535, none(), none());
        }
        assertTrue(s.drain().stream().noneMatch(x -> x.seq() == una + 1000), "two duplicates are not enough");
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una + 1000, ACK, 65535, none(), none());
        Seg rtx = s.drain().getFirst();
        assertEquals(una + 1000, rtx.seq(), "the third duplicate retransmits the missing segment");
        assertEquals(1, s.counters.get("tcp.fast-retransmits"));
        assertTrue(c.congestionWindow() < 10 * 1000);
    }

    @Test
    void withSackTheHolesAreRetransmittedNotTheSackedData() {
        acceptWith(opts(mss(1000 + 12), sackPermitted(), timestamp(1, 0)));
        TcpConnection c = accepted.getFirst();
        s.drain();
        c.write(new byte[10_000], 0, 10_000, s.now);
        List<Seg> flight = s.drain();
        int una = flight.getFirst().seq();
        // Segments 0 and 2 lost; the peer SACKs 1 and 3..9.
        int[] edges = {una + 3000, una + 10_000, una + 1000, una + 2000};
        for (int i = 0; i < 3; i++) {
            s.inject(PEER_PORT, PORT, PEER_ISS + 1, una, ACK, 65535, opts(timestamp(2 + i, 0), sack(edges)), none());
        }
        List<Seg> rtx = s.drain();
        assertEquals(List.of(una, una + 2000), rtx.stream().map(Seg::seq).toList(), "exactly the two holes");
    }

    @Test
    void theRetransmissionTimeoutBacksOffExponentiallyAndGivesUp() {
        TcpScript few = new TcpScript(TcpConfig.defaults().withRetries(5, 3));
        TcpConnection c = few.tcp.connect(0, IpContext.mapped(TcpScript.PEER), 80, 0);
        List<Long> times = new ArrayList<>();
        few.drain();
        for (int i = 0; i < 700 && c.state() != State.CLOSED; i++) {
            few.advance(100 * MS);
            if (!few.drain().isEmpty()) {
                times.add(few.now / MS);
            }
        }
        // SYN at 0, then after 1 s, 2 s, 4 s, 8 s, 16 s; the fifth retry's 32 s run out at 63 s.
        assertEquals(List.of(1000L, 3000L, 7000L, 15000L, 31000L), times);
        assertEquals(State.CLOSED, c.state());
        assertEquals(63_000, few.now / MS);
        assertEquals(Failure.TIMED_OUT, c.failure());
    }

    @Test
    void dataRetransmissionsUseTheMeasuredRttAndGiveUpAfterTheRetryLimit() {
        TcpScript few = new TcpScript(TcpConfig.defaults().withRetries(5, 3));
        few.tcp.listen(PORT, accepted::add);
        few.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
        Seg synAck = few.only();
        few.now += 50 * MS; // a 50 ms RTT sample from the handshake
        few.inject(PEER_PORT, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535, none(), none());
        TcpConnection c = accepted.getFirst();
        assertEquals(200 * MS, c.retransmissionTimeout(), "SRTT 50 + 4 x 25 = 150 ms, raised to the 200 ms floor");
        c.write(new byte[100], 0, 100, few.now);
        few.drain();
        long start = few.now;
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 400 && c.state() != State.CLOSED; i++) {
            few.advance(10 * MS);
            if (!few.drain().isEmpty()) {
                times.add((few.now - start) / MS);
            }
        }
        assertEquals(List.of(200L, 600L, 1400L), times);
        assertEquals(Failure.TIMED_OUT, c.failure());
    }

    @Test
    void aZeroWindowIsProbedWithBackOffUntilItOpens() {
        TcpConnection c = plain();
        s.drain();
        int una = iss(c) + 1;
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una, ACK, 0, none(), none()); // window closed
        c.write(new byte[100], 0, 100, s.now);
        assertTrue(s.drain().isEmpty(), "nothing goes into a zero window");
        List<Long> probes = new ArrayList<>();
        long start = s.now;
        for (int i = 0; i < 800; i++) {
            s.advance(10 * MS);
            for (Seg p : s.drain()) {
                assertEquals(una - 1, p.seq(), "a probe carries an old sequence number");
                assertEquals(0, p.payload().length);
                probes.add((s.now - start) / MS);
            }
        }
        assertEquals(List.of(200L, 600L, 1400L, 3000L, 6200L), probes, "the RTO (200 ms here), then doubling");
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una, ACK, 65535, none(), none());
        assertEquals(100, s.only().payload().length, "the window opened: data flows");
    }

    @Test
    void keepAliveProbesAnIdleConnectionAndGivesUpWhenUnanswered() {
        TcpScript k = new TcpScript(TcpConfig.defaults().withKeepAlive(10 * SECOND, SECOND, 3));
        k.tcp.listen(PORT, accepted::add);
        k.inject(PEER_PORT, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
        Seg synAck = k.only();
        k.inject(PEER_PORT, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535, none(), none());
        TcpConnection c = accepted.getFirst();
        k.advance(10 * SECOND);
        Seg probe = k.only();
        assertEquals(synAck.seq(), probe.seq(), "SND.UNA - 1");
        k.inject(PEER_PORT, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535, none(), none()); // answered
        k.advance(9 * SECOND);
        assertTrue(k.drain().isEmpty(), "an answer restarts the idle time");
        k.advance(1 * SECOND + 3 * SECOND + 1);
        assertEquals(3, k.drain().size());
        k.advance(SECOND);
        assertEquals(Failure.TIMED_OUT, c.failure());
    }

    // ---- closing ----

    @Test
    void halfCloseLetsTheOtherDirectionGoOn() {
        TcpConnection c = plain();
        s.drain();
        int una = iss(c) + 1;
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una, ACK | FIN, 65535, none(), "bye".getBytes());
        assertEquals(PEER_ISS + 1 + 3 + 1, s.only().ack(), "the FIN is acknowledged at once");
        assertEquals(State.CLOSE_WAIT, c.state());
        byte[] got = new byte[10];
        assertEquals(3, c.read(got, 0, 10, s.now));
        assertTrue(c.atEndOfStream());
        c.write("still here".getBytes(), 0, 10, s.now);
        assertEquals("still here", new String(s.only().payload()));
        c.shutdownOutput(s.now);
        Seg fin = s.only();
        assertTrue(fin.has(FIN));
        assertEquals(State.LAST_ACK, c.state());
        s.inject(PEER_PORT, PORT, PEER_ISS + 5, fin.seq() + 1, ACK, 65535, none(), none());
        assertEquals(State.CLOSED, c.state());
        assertEquals(Failure.NONE, c.failure());
        assertEquals(0, s.tcp.connections());
    }

    @Test
    void simultaneousCloseGoesThroughClosingToTimeWait() {
        TcpConnection c = plain();
        s.drain();
        int una = iss(c) + 1;
        c.shutdownOutput(s.now);
        Seg fin = s.only();
        assertTrue(fin.has(FIN));
        assertEquals(State.FIN_WAIT_1, c.state());
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una, ACK | FIN, 65535, none(), none()); // crosses ours
        assertEquals(State.CLOSING, c.state());
        assertEquals(PEER_ISS + 2, s.only().ack());
        s.inject(PEER_PORT, PORT, PEER_ISS + 2, una + 1, ACK, 65535, none(), none());
        assertEquals(State.TIME_WAIT, c.state());
    }

    @Test
    void timeWaitLastsTwoMslAcksARetransmittedFinAndIgnoresResets() {
        TcpConnection c = plain();
        s.drain();
        int una = iss(c) + 1;
        c.shutdownOutput(s.now);
        s.drain();
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una + 1, ACK, 65535, none(), none());
        assertEquals(State.FIN_WAIT_2, c.state());
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una + 1, ACK | FIN, 65535, none(), none());
        assertEquals(State.TIME_WAIT, c.state());
        s.drain();
        s.advance(30 * SECOND);
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una + 1, ACK | FIN, 65535, none(), none()); // our ACK was lost
        assertEquals(PEER_ISS + 2, s.only().ack());
        s.inject(PEER_PORT, PORT, PEER_ISS + 2, 0, RST, 0, none(), none());
        assertEquals(State.TIME_WAIT, c.state(), "RFC 1337: no assassination");
        s.advance(59 * SECOND);
        assertEquals(State.TIME_WAIT, c.state(), "the retransmitted FIN restarted the 60 s");
        s.advance(1 * SECOND);
        assertEquals(State.CLOSED, c.state());
        assertEquals(0, s.tcp.connections());
    }

    @Test
    void aNewSynEndsTimeWaitWhenItIsClearlyNewer() {
        TcpConnection c = plain();
        s.drain();
        int una = iss(c) + 1;
        c.shutdownOutput(s.now);
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, una + 1, ACK | FIN, 65535, none(), none());
        assertEquals(State.TIME_WAIT, c.state());
        s.drain();
        accepted.clear();
        s.inject(PEER_PORT, PORT, PEER_ISS + 100_000, 0, SYN, 65535, none(), none());
        Seg synAck = s.only();
        assertTrue(synAck.has(SYN | ACK), "a new incarnation is accepted");
        assertEquals(PEER_ISS + 100_001, synAck.ack());
    }

    @Test
    void closingWithUnreadDataResets() {
        TcpConnection c = plain();
        s.drain();
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, iss(c) + 1, ACK | PSH, 65535, none(), new byte[10]);
        s.drain();
        c.close(s.now);
        Seg r = s.only();
        assertTrue(r.has(RST));
        assertEquals(State.CLOSED, c.state());
    }

    @Test
    void dataForAnApplicationThatClosedIsAnsweredWithAReset() {
        TcpConnection c = plain();
        s.drain();
        c.close(s.now);
        Seg fin = s.only();
        assertTrue(fin.has(FIN));
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, fin.seq() + 1, ACK, 65535, none(), new byte[10]);
        assertTrue(s.only().has(RST));
        assertEquals(State.CLOSED, c.state());
    }

    @Test
    void anOrphanedFinWait2ConnectionTimesOut() {
        TcpConnection c = plain();
        s.drain();
        c.close(s.now);
        Seg fin = s.only();
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, fin.seq() + 1, ACK, 65535, none(), none());
        assertEquals(State.FIN_WAIT_2, c.state());
        s.advance(60 * SECOND);
        assertEquals(State.CLOSED, c.state());
    }

    // ---- resets and blind attacks (RFC 5961), PAWS ----

    @Test
    void onlyAnExactResetResetsOthersInTheWindowGetAChallengeAck() {
        TcpConnection c = plain();
        s.drain();
        s.inject(PEER_PORT, PORT, PEER_ISS + 100, 0, RST, 0, none(), none());
        Seg challenge = s.only();
        assertTrue(challenge.has(ACK) && !challenge.has(RST));
        assertEquals(PEER_ISS + 1, challenge.ack());
        assertEquals(State.ESTABLISHED, c.state());
        s.inject(PEER_PORT, PORT, PEER_ISS + 1_000_000, 0, RST, 0, none(), none());
        assertTrue(s.drain().isEmpty(), "outside the window: ignored");
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, 0, RST, 0, none(), none());
        assertEquals(State.CLOSED, c.state());
        assertEquals(Failure.RESET, c.failure());
    }

    @Test
    void aSynOnAnEstablishedConnectionGetsAChallengeAck() {
        TcpConnection c = plain();
        s.drain();
        s.inject(PEER_PORT, PORT, PEER_ISS + 5, 0, SYN, 65535, none(), none());
        Seg challenge = s.only();
        assertTrue(challenge.has(ACK) && !challenge.has(SYN) && !challenge.has(RST));
        assertEquals(State.ESTABLISHED, c.state());
        assertEquals(1, s.counters.get("tcp.challenge-acks"));
    }

    @Test
    void challengeAcksAreRateLimited() {
        plain();
        s.drain();
        for (int i = 0; i < 3000; i++) {
            s.inject(PEER_PORT, PORT, PEER_ISS + 5, 0, SYN, 65535, none(), none());
        }
        assertEquals(Tcp.CHALLENGE_ACKS_PER_SECOND, s.drain().size());
    }

    @Test
    void pawsDropsSegmentsWithOldTimestamps() {
        int ours = acceptWith(opts(mss(1460), timestamp(1, 0)));
        TcpConnection c = accepted.getFirst();
        s.drain();
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, ours + 1, ACK, 65535, timestamp(2000, 0), new byte[10]);
        s.advance(SECOND);
        s.drain();
        s.inject(PEER_PORT, PORT, PEER_ISS + 11, ours + 1, ACK, 65535, timestamp(1500, 0), new byte[10]);
        assertEquals(1, s.counters.get("tcp.drop.paws"));
        assertEquals(10, c.readable(), "the old segment's data was not taken");
        assertEquals(PEER_ISS + 11, s.only().ack(), "and it is answered with an ACK");
    }

    @Test
    void pawsToleratesOneTickAndAnOvertakenDuplicateAck() {
        int ours = acceptWith(opts(mss(1460), timestamp(1, 0)));
        TcpConnection c = accepted.getFirst();
        s.drain();
        s.inject(PEER_PORT, PORT, PEER_ISS + 1, ours + 1, ACK, 65535, timestamp(2000, 0), new byte[10]);
        s.inject(PEER_PORT, PORT, PEER_ISS + 11, ours + 1, ACK, 65535, timestamp(1999, 0), new byte[10]);
        assertEquals(20, c.readable(), "one tick older: taken");
        s.inject(PEER_PORT, PORT, PEER_ISS + 21, ours + 1, ACK, 65535, timestamp(1500, 0), none());
        assertEquals(0, s.counters.get("tcp.drop.paws"), "a pure duplicate ACK that was overtaken");
        s.inject(PEER_PORT, PORT, PEER_ISS + 21, ours + 1, ACK, 65535, timestamp(1500, 0), new byte[10]);
        assertEquals(1, s.counters.get("tcp.drop.paws"), "old data is still refused");
        assertEquals(20, c.readable());
    }

    // ---- bounds ----

    @Test
    void theSynBacklogIsBoundedTheOldestHalfOpenGivesWayAndTheListenerStillServes() {
        TcpScript b = new TcpScript(TcpConfig.defaults().withLimits(4, 100, 10));
        b.tcp.listen(PORT, accepted::add);
        for (int i = 0; i < 20; i++) {
            b.inject(PEER_PORT + i, PORT, PEER_ISS, 0, SYN, 65535, none(), none()); // a flood of SYNs
        }
        assertEquals(4, b.tcp.halfOpen(PORT));
        assertEquals(16, b.counters.get("tcp.syn.backlog-evicted"));
        b.drain();
        b.inject(PEER_PORT + 100, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
        Seg synAck = b.only();
        b.inject(PEER_PORT + 100, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535, none(), none());
        assertEquals(1, accepted.size(), "a real client still gets in");
        assertEquals(3, b.tcp.halfOpen(PORT));
        assertEquals(4, b.tcp.connections());
    }

    @Test
    void theConnectionTableIsBoundedAndFreesTimeWaitFirst() {
        TcpScript b = new TcpScript(TcpConfig.defaults().withLimits(100, 3, 10));
        b.tcp.listen(PORT, accepted::add);
        for (int i = 0; i < 3; i++) {
            b.inject(PEER_PORT + i, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
            Seg synAck = b.drain().getLast();
            b.inject(PEER_PORT + i, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535, none(), none());
        }
        assertEquals(3, b.tcp.connections());
        b.inject(PEER_PORT + 10, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
        assertEquals(1, b.counters.get("tcp.drop.table-full"));
        TcpConnection out = b.tcp.connect(0, IpContext.mapped(TcpScript.PEER), 9, b.now);
        assertEquals(Failure.NO_RESOURCES, out.failure());
        // One connection finishes into TIME-WAIT: a new SYN takes its slot.
        TcpConnection first = accepted.getFirst();
        b.drain();
        first.shutdownOutput(b.now);
        Seg fin = b.only();
        b.inject(PEER_PORT, PORT, PEER_ISS + 1, fin.seq() + 1, ACK | FIN, 65535, none(), none());
        assertEquals(State.TIME_WAIT, first.state());
        b.drain();
        b.inject(PEER_PORT + 11, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
        assertTrue(b.only().has(SYN | ACK));
        assertEquals(State.CLOSED, first.state(), "TIME-WAIT gave way");
        assertEquals(1, b.counters.get("tcp.time-wait.evicted"));
    }

    @Test
    void timeWaitIsBounded() {
        TcpScript b = new TcpScript(TcpConfig.defaults().withLimits(100, 100, 2));
        b.tcp.listen(PORT, accepted::add);
        for (int i = 0; i < 5; i++) {
            b.inject(PEER_PORT + i, PORT, PEER_ISS, 0, SYN, 65535, none(), none());
            Seg synAck = b.drain().getLast();
            b.inject(PEER_PORT + i, PORT, PEER_ISS + 1, synAck.seq() + 1, ACK, 65535, none(), none());
            TcpConnection c = accepted.getLast();
            c.shutdownOutput(b.now);
            b.inject(PEER_PORT + i, PORT, PEER_ISS + 1, synAck.seq() + 2, ACK | FIN, 65535, none(), none());
        }
        assertEquals(2, b.tcp.timeWaitConnections());
        assertEquals(2, b.tcp.connections());
        assertEquals(3, b.counters.get("tcp.time-wait.evicted"));
    }

    // ---- ICMP ----

    @Test
    void portUnreachableDuringConnectRefusesAndPacketTooBigShrinksSegments() {
        TcpConnection c = s.tcp.connect(0, IpContext.mapped(TcpScript.PEER), 80, s.now);
        Seg syn = s.only();
        s.tcp.icmpError(0, IpContext.mapped(TcpScript.US), syn.srcPort(), 0, IpContext.mapped(TcpScript.PEER), 80,
                syn.seq() + 12345, IcmpErrorListener.HARD_UNREACHABLE, 0, s.now);
        assertEquals(State.SYN_SENT, c.state(), "a quote that is not our segment is ignored");
        s.tcp.icmpError(0, IpContext.mapped(TcpScript.US), syn.srcPort(), 0, IpContext.mapped(TcpScript.PEER), 80,
                syn.seq(), IcmpErrorListener.HARD_UNREACHABLE, 0, s.now);
        assertEquals(Failure.REFUSED, c.failure());

        acceptWith(opts(mss(1460)));
        TcpConnection d = accepted.getFirst();
        s.drain();
        d.write(new byte[3000], 0, 3000, s.now);
        List<Seg> big = s.drain();
        assertEquals(1460, big.getFirst().payload().length);
        s.tcp.icmpError(0, IpContext.mapped(TcpScript.US), PORT, 0, IpContext.mapped(TcpScript.PEER), PEER_PORT,
                big.getFirst().seq(), IcmpErrorListener.PACKET_TOO_BIG, 1280, s.now);
        List<Seg> again = s.drain();
        assertNotNull(again);
        assertFalse(again.isEmpty());
        assertEquals(1240, again.getFirst().payload().length, "resent to fit 1280 bytes");
    }
}
