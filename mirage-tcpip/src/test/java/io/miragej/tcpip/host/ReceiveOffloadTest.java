package io.miragej.tcpip.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.device.FrameOffload;
import io.miragej.stats.Counters;
import io.miragej.tcpip.Packets;
import io.miragej.tcpip.TestLink;
import io.miragej.tcpip.tcp.TcpConnection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * What a device with receive offloads hands the stack: TCP segments coalesced from many (longer
 * than the MTU) whose checksum the host left partial, or that the device verified. Linux's way of
 * writing a partial checksum is followed: the field holds the folded pseudo-header sum.
 */
class ReceiveOffloadTest {
    static final long MAC = 0x02_00_00_00_00_01L;
    static final long PEER_MAC = 0x02_00_00_00_00_02L;
    static final int US = Packets.ip("10.0.0.1");
    static final int PEER = Packets.ip("10.0.0.2");
    static final long LL = 0xfe80_0000_0000_0000L;
    static final long IID = 0x0000_00ff_fe00_0001L; // modified EUI-64 of MAC
    static final long PEER_IID = 0x0000_00ff_fe00_0002L;
    static final int PEER_PORT = 40000;
    static final int MSS = 1448;

    enum Csum { FULL, PARTIAL, GARBAGE }

    final TestLink link = new TestLink(MAC);
    final Counters counters = new Counters();
    final StackCore core = new StackCore(link, StackCore.Limits.defaults(), counters, 1, 2);
    final FrameOffload offload = new FrameOffload();
    final List<TcpConnection> accepted = new ArrayList<>();
    boolean v6;
    int peerSeq = 1000;
    int ourSeq;
    long now = 1_000_000_000L;

    void connect(boolean ipv6) {
        v6 = ipv6;
        if (ipv6) {
            core.enableIpv6(false, now);
            while (core.nextDeadline() <= now + 2_000_000_000L) {
                now = Math.max(now, core.nextDeadline());
                core.onTimer(now);
            }
            now += 2_000_000_000L;
            // The peer introduces itself with a neighbour solicitation, so our segments go out at once.
            byte[] ns = new byte[4 + 16 + 8];
            Packets.putLong(ns, 4, LL);
            Packets.putLong(ns, 12, IID);
            ns[20] = 1;
            ns[21] = 1;
            for (int i = 0; i < 6; i++) {
                ns[22 + i] = (byte) (PEER_MAC >>> (40 - 8 * i));
            }
            receivePlain(Packets.ethernet(MAC, PEER_MAC, 0x86dd, Packets.ipv6(LL, PEER_IID, LL, IID, 58, 255,
                    Packets.icmpv6(LL, PEER_IID, LL, IID, 135, 0, ns))));
            link.drain();
        } else {
            core.configureIpv4(US, 24, 0, now);
            core.arp().input(io.miragej.buffer.PacketBuffer.wrap(Packets.arp(2, PEER_MAC, PEER, MAC, US)), 0, 28, now);
        }
        core.tcp().listen(80, accepted::add);
        byte[] synOptions = {2, 4, (byte) (1460 >>> 8), (byte) 1460, 1, 1, 4, 2}; // MSS, NOP, NOP, SACK permitted
        receivePlain(segment(peerSeq, 0, 0x02, synOptions, new byte[0], Csum.FULL));
        byte[] synAck = lastTcp();
        ourSeq = Packets.getInt(synAck, 4) + 1;
        peerSeq++;
        receivePlain(segment(peerSeq, ourSeq, 0x10, new byte[0], new byte[0], Csum.FULL));
        assertEquals(1, accepted.size(), "handshake");
        link.drain();
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void coalescedSegmentsWithPartialChecksumsArriveWhole(boolean ipv6) {
        connect(ipv6);
        byte[] data = random(3 * MSS + 40_000, 7);
        byte[] first = Arrays.copyOfRange(data, 0, 3 * MSS);
        byte[] second = Arrays.copyOfRange(data, 3 * MSS, data.length);
        receiveOffloaded(segment(peerSeq, ourSeq, 0x18, new byte[0], first, Csum.PARTIAL), Csum.PARTIAL, MSS);
        receiveOffloaded(segment(peerSeq + first.length, ourSeq, 0x18, new byte[0], second, Csum.PARTIAL),
                Csum.PARTIAL, MSS);
        assertArrayEquals(data, readAll());
        assertEquals(2, counters.get("tcp.rx.coalesced"));
        assertEquals(2, counters.get("tcp.rx.checksum-offloaded"));
        assertEquals(0, counters.get("tcp.drop.checksum"));
        assertEquals(0, counters.get("tcp.drop.beyond-window"));
        assertEquals(peerSeq + data.length, lastAckNumber(), "everything acknowledged");
    }

    @Test
    void aPartialChecksumWithoutTheDevicesWordIsABadChecksum() {
        connect(false);
        receivePlain(segment(peerSeq, ourSeq, 0x18, new byte[0], random(5000, 1), Csum.PARTIAL));
        assertEquals(1, counters.get("tcp.drop.checksum"));
        assertEquals(0, accepted.getFirst().readable());
    }

    @Test
    void aPartialChecksumElsewhereInTheFrameVouchesForNothing() {
        connect(false);
        byte[] frame = segment(peerSeq, ourSeq, 0x18, new byte[0], random(5000, 1), Csum.PARTIAL);
        offload.clear().checksumPartial(14, 10).coalesced(FrameOffload.Segmentation.TCP_V4, MSS); // the IP header's
        core.receive(Packets.frame(frame), offload, now);
        assertEquals(1, counters.get("tcp.drop.checksum"));
        assertEquals(0, counters.get("tcp.rx.checksum-offloaded"));
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void aChecksumTheDeviceVerifiedIsNotSummedAgain(boolean ipv6) {
        connect(ipv6);
        byte[] data = random(1000, 3);
        receiveOffloaded(segment(peerSeq, ourSeq, 0x18, new byte[0], data, Csum.GARBAGE), Csum.FULL, 0);
        assertArrayEquals(data, readAll());
        assertEquals(1, counters.get("tcp.rx.checksum-offloaded"));
        assertEquals(0, counters.get("tcp.rx.coalesced"));
        receivePlain(segment(peerSeq + data.length, ourSeq, 0x18, new byte[0], data, Csum.GARBAGE));
        assertEquals(1, counters.get("tcp.drop.checksum"), "the same bytes without the device's word");
    }

    /** A coalesced segment out of order is held and SACKed like any other; the hole's filling delivers both. */
    @Test
    void aCoalescedSegmentOutOfOrderIsSackedAndDeliveredWhenTheHoleFills() {
        connect(false);
        byte[] data = random(20 * MSS, 9);
        int cut = 4 * MSS;
        byte[] later = Arrays.copyOfRange(data, cut, data.length);
        receiveOffloaded(segment(peerSeq + cut, ourSeq, 0x18, new byte[0], later, Csum.PARTIAL), Csum.PARTIAL, MSS);
        byte[] dupAck = lastTcp();
        assertEquals(peerSeq, Packets.getInt(dupAck, 8), "a duplicate ACK for the hole");
        int[] sack = sackBlock(dupAck);
        assertEquals(peerSeq + cut, sack[0]);
        assertEquals(peerSeq + data.length, sack[1]);
        receiveOffloaded(segment(peerSeq, ourSeq, 0x18, new byte[0], Arrays.copyOf(data, cut), Csum.PARTIAL),
                Csum.PARTIAL, MSS);
        assertArrayEquals(data, readAll());
        assertEquals(peerSeq + data.length, lastAckNumber());
    }

    @Test
    void udpWithAVerifiedChecksumIsDeliveredAndWithoutItDropped() {
        connect(false);
        List<Integer> got = new ArrayList<>();
        core.udp().bind(7, (c, sp, dp, b, off, len, t) -> got.add(len));
        byte[] datagram = Packets.udp(PEER, US, 5000, 7, new byte[100]);
        datagram[6] ^= 0x55; // now wrong
        byte[] frame = Packets.ethernet(MAC, PEER_MAC, 0x0800, Packets.ipv4(PEER, US, 17, datagram));
        core.receive(Packets.frame(frame), offload.clear().checksumVerified(), now);
        core.receive(Packets.frame(frame), now);
        assertEquals(List.of(100), got);
        assertEquals(1, counters.get("udp.drop.checksum"));
    }

    // ---- helpers ----

    void receivePlain(byte[] frame) {
        core.receive(Packets.frame(frame), now);
    }

    void receiveOffloaded(byte[] frame, Csum how, int segmentSize) {
        offload.clear();
        int transport = v6 ? 54 : 34;
        if (how == Csum.PARTIAL) {
            offload.checksumPartial(transport, 16);
        } else {
            offload.checksumVerified();
        }
        int payload = frame.length - transport - 20;
        if (segmentSize > 0 && payload > segmentSize) {
            offload.coalesced(v6 ? FrameOffload.Segmentation.TCP_V6 : FrameOffload.Segmentation.TCP_V4, segmentSize);
        }
        core.receive(Packets.frame(frame), offload, now);
        assertTrue(frame.length > 1514 || segmentSize == 0 || payload <= segmentSize);
    }

    byte[] readAll() {
        TcpConnection c = accepted.getFirst();
        byte[] out = new byte[c.readable()];
        int n = 0;
        while (n < out.length) {
            n += c.read(out, n, out.length - n, now);
        }
        return out;
    }

    /** The TCP header and payload of the last frame we sent. */
    byte[] lastTcp() {
        List<byte[]> frames = link.drain();
        assertTrue(!frames.isEmpty(), "we sent nothing");
        byte[] f = frames.getLast();
        return Arrays.copyOfRange(f, v6 ? 54 : 34, f.length);
    }

    int lastAckNumber() {
        return Packets.getInt(lastTcp(), 8);
    }

    static int[] sackBlock(byte[] tcp) {
        int hl = (tcp[12] & 0xf0) >>> 2;
        for (int p = 20; p < hl; ) {
            int kind = tcp[p] & 0xff;
            if (kind == 1) {
                p++;
                continue;
            }
            if (kind == 5) {
                return new int[] {Packets.getInt(tcp, p + 2), Packets.getInt(tcp, p + 6)};
            }
            p += tcp[p + 1] & 0xff;
        }
        throw new AssertionError("no SACK block");
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** An Ethernet frame holding one TCP segment from the peer to port 80, checksummed as asked. */
    byte[] segment(int seq, int ack, int flags, byte[] options, byte[] payload, Csum how) {
        int hl = 20 + options.length;
        byte[] s = new byte[hl + payload.length];
        s[0] = (byte) (PEER_PORT >>> 8);
        s[1] = (byte) PEER_PORT;
        s[3] = 80;
        Packets.putInt(s, 4, seq);
        Packets.putInt(s, 8, ack);
        s[12] = (byte) ((hl / 4) << 4);
        s[13] = (byte) flags;
        s[14] = (byte) 0xff;
        s[15] = (byte) 0xff;
        System.arraycopy(options, 0, s, 20, options.length);
        System.arraycopy(payload, 0, s, hl, payload.length);
        long pseudo = v6 ? Packets.pseudo6(LL, PEER_IID, LL, IID, 6, s.length)
                : (PEER >>> 16) + (PEER & 0xffff) + (US >>> 16) + (US & 0xffff) + 6 + s.length;
        int cs = switch (how) {
            case FULL -> Packets.checksum(s, 0, s.length, pseudo);
            case PARTIAL -> fold(pseudo); // as Linux leaves it for the device: the pseudo-header sum
            case GARBAGE -> Packets.checksum(s, 0, s.length, pseudo) ^ 0x1234;
        };
        s[16] = (byte) (cs >>> 8);
        s[17] = (byte) cs;
        byte[] ip = v6 ? Packets.ipv6(LL, PEER_IID, LL, IID, 6, 64, s) : Packets.ipv4(PEER, US, 6, s);
        return Packets.ethernet(MAC, PEER_MAC, v6 ? 0x86dd : 0x0800, ip);
    }

    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }
}
