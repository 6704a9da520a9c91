package io.miragej.tcpip.host;

import static io.miragej.tcpip.host.ReceiveOffloadTest.IID;
import static io.miragej.tcpip.host.ReceiveOffloadTest.LL;
import static io.miragej.tcpip.host.ReceiveOffloadTest.MAC;
import static io.miragej.tcpip.host.ReceiveOffloadTest.PEER;
import static io.miragej.tcpip.host.ReceiveOffloadTest.PEER_IID;
import static io.miragej.tcpip.host.ReceiveOffloadTest.PEER_MAC;
import static io.miragej.tcpip.host.ReceiveOffloadTest.PEER_PORT;
import static io.miragej.tcpip.host.ReceiveOffloadTest.US;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.tcpip.Packets;
import io.miragej.tcpip.Segmenter;
import io.miragej.tcpip.tcp.TcpConnection;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stack over a device with TCP segmentation offload: new data goes out as one large segment
 * with Linux's partial checksum and headers for the whole, which the device's cut turns into
 * correct segments; a retransmission after loss is an ordinary MSS-sized segment.
 */
class SegmentationOffloadTest {
    static final int DEVICE_MAX = 14 + 65_535;

    final ReceiveOffloadTest peer = new ReceiveOffloadTest(); // the scripted peer and its helpers
    boolean v6;
    int tcpStart;

    TcpConnection connect(boolean ipv6, int maxOffloadFrame) {
        v6 = ipv6;
        tcpStart = ipv6 ? 54 : 34;
        peer.link.maxOffloadFrame = maxOffloadFrame;
        peer.connect(ipv6);
        return peer.accepted.getFirst();
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void newDataGoesOutAsOneLargeSegmentThatTheDeviceCutsIntoCorrectSegments(boolean ipv6) {
        TcpConnection c = connect(ipv6, DEVICE_MAX);
        int mss = c.mss();
        assertEquals(ipv6 ? 1440 : 1460, mss, "the peer's MSS, within our MTU");
        byte[] data = ReceiveOffloadTest.random(100_000, 5);
        assertEquals(data.length, c.write(data, 0, data.length, peer.now));
        // The initial window is ten segments: one large segment of ten.
        assertEquals(1, peer.link.segmented.size());
        assertEquals(List.of(mss), peer.link.segmentSizes);
        assertTrue(peer.link.drain().isEmpty(), "no ordinary segment beside it");
        assertEquals(1, peer.counters.get("tcp.tx.offloaded"));
        byte[] f = peer.link.segmented.getFirst();
        int payload = 10 * mss;
        int tcpLength = 20 + payload;
        assertEquals(tcpStart + tcpLength, f.length);
        assertEquals(PEER_MAC, Packets.getMac(f, 0));
        assertEquals(MAC, Packets.getMac(f, 6));
        if (ipv6) {
            assertEquals(0x86dd, Packets.getU16(f, 12));
            assertEquals(tcpLength, Packets.getU16(f, 18), "payload length of the whole");
            assertEquals(6, f[20], "TCP, no extension header");
        } else {
            assertEquals(0x0800, Packets.getU16(f, 12));
            assertEquals(0x45, f[14] & 0xff);
            assertEquals(20 + tcpLength, Packets.getU16(f, 16), "total length of the whole");
            assertEquals(0x4000, Packets.getU16(f, 20), "don't fragment");
            assertEquals(6, f[23]);
            assertEquals(0, Packets.checksum(f, 14, 20, 0), "IP header checksum");
        }
        assertEquals(80, Packets.getU16(f, tcpStart));
        assertEquals(PEER_PORT, Packets.getU16(f, tcpStart + 2));
        assertEquals(peer.ourSeq, Packets.getInt(f, tcpStart + 4));
        assertEquals(0x10, f[tcpStart + 13], "ACK; no PSH, more data follows");
        assertEquals(ReceiveOffloadTest.fold(pseudo(tcpLength)), Packets.getU16(f, tcpStart + 16),
                "the partial checksum: the folded pseudo-header sum");

        List<byte[]> pieces = Segmenter.cut(f, mss);
        assertEquals(10, pieces.size());
        int firstId = Packets.getU16(f, 18);
        for (int k = 0; k < pieces.size(); k++) {
            byte[] p = pieces.get(k);
            assertEquals(tcpStart + 20 + mss, p.length);
            assertTrue(p.length <= 1514, "each segment fits the MTU");
            assertEquals(peer.ourSeq + k * mss, Packets.getInt(p, tcpStart + 4));
            assertEquals(0, Packets.checksum(p, tcpStart, 20 + mss, pseudo(20 + mss)), "segment " + k + "'s checksum");
            assertArrayEquals(Arrays.copyOfRange(data, k * mss, (k + 1) * mss),
                    Arrays.copyOfRange(p, tcpStart + 20, p.length));
            if (!ipv6) {
                assertEquals((firstId + k) & 0xffff, Packets.getU16(p, 18));
            }
        }
        if (!ipv6) {
            // The next packet's identification follows the ten the device used.
            peer.receivePlain(peer.segment(peer.peerSeq, peer.ourSeq + payload, 0x10, new byte[0], new byte[0],
                    ReceiveOffloadTest.Csum.FULL));
            List<byte[]> after = new java.util.ArrayList<>(peer.link.drain());
            after.addAll(peer.link.segmented.subList(1, peer.link.segmented.size()));
            assertTrue(!after.isEmpty());
            int lowest = after.stream().mapToInt(x -> (Packets.getU16(x, 18) - firstId) & 0xffff).min().getAsInt();
            assertEquals(10, lowest, "the identifications the device used are not used again");
        }
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void aSegmentLostFromALargeOneIsResentAloneMssSizedWithAFullChecksum(boolean ipv6) {
        TcpConnection c = connect(ipv6, DEVICE_MAX);
        int mss = c.mss();
        byte[] data = ReceiveOffloadTest.random(100_000, 6);
        c.write(data, 0, data.length, peer.now);
        assertEquals(1, peer.link.segmented.size());
        int s = peer.ourSeq;
        // The peer got all ten but the second: it acknowledges the first and SACKs the rest.
        byte[] sack = {1, 1, 5, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        Packets.putInt(sack, 4, s + 2 * mss);
        Packets.putInt(sack, 8, s + 10 * mss);
        byte[] lostFrame = null;
        int largeBefore = peer.link.segmented.size();
        for (int step = 0; step < 2000 && lostFrame == null; step++) {
            if (step < 3) { // three duplicate ACKs' worth, as the peer would send
                peer.receivePlain(peer.segment(peer.peerSeq, s + mss, 0x10, sack, new byte[0],
                        ReceiveOffloadTest.Csum.FULL));
            } else {
                peer.now += 1_000_000L;
                peer.core.onTimer(peer.now);
            }
            for (byte[] f : peer.link.drain()) {
                if (f.length > tcpStart + 20 && Packets.getInt(f, tcpStart + 4) == s + mss) {
                    lostFrame = f;
                }
            }
        }
        assertNotNull(lostFrame, "the lost segment was never resent: " + peer.counters.report());
        int hl = ((lostFrame[tcpStart + 12] & 0xf0) >>> 4) * 4;
        int len = lostFrame.length - tcpStart - hl;
        assertEquals(mss, len, "one MSS");
        assertTrue(lostFrame.length <= 1514);
        assertEquals(0, Packets.checksum(lostFrame, tcpStart, hl + len, pseudo(hl + len)), "a complete checksum");
        assertArrayEquals(Arrays.copyOfRange(data, mss, 2 * mss), Arrays.copyOfRange(lostFrame, tcpStart + hl,
                lostFrame.length));
        for (int i = largeBefore; i < peer.link.segmented.size(); i++) {
            int seq = Packets.getInt(peer.link.segmented.get(i), tcpStart + 4);
            assertTrue(seq - (s + 10 * mss) >= 0, "only new data goes out large, not " + (seq - s));
        }
        assertEquals(1, peer.counters.get("tcp.tx.retransmits"), peer.counters.report());
    }

    /** A large segment does not wait for address resolution: dropped, counted, resent MSS-sized once resolved. */
    @Test
    void aLargeSegmentToAnUnresolvedNeighbourIsDroppedAndResentMssSized() {
        TcpConnection c = connect(false, DEVICE_MAX);
        peer.core.arp().clear();
        byte[] data = ReceiveOffloadTest.random(30_000, 9);
        c.write(data, 0, data.length, peer.now);
        assertEquals(1, peer.counters.get("arp.drop.offload-unresolved"));
        assertTrue(peer.link.segmented.isEmpty(), "nothing large reached the device");
        List<byte[]> out = peer.link.drain();
        assertTrue(out.stream().anyMatch(f -> Packets.getU16(f, 12) == 0x0806), "an ARP request went out");
        peer.core.arp().input(io.miragej.buffer.PacketBuffer.wrap(Packets.arp(2, PEER_MAC, PEER, MAC, US)), 0, 28,
                peer.now);
        byte[] resent = null;
        for (int step = 0; step < 3000 && resent == null; step++) {
            peer.now += 1_000_000L;
            peer.core.onTimer(peer.now);
            for (byte[] f : peer.link.drain()) {
                if (Packets.getU16(f, 12) == 0x0800 && Packets.getInt(f, tcpStart + 4) == peer.ourSeq
                        && f.length > tcpStart + 20) {
                    resent = f;
                }
            }
        }
        assertNotNull(resent, "never resent: " + peer.counters.report());
        assertTrue(resent.length <= 1514, "resent MSS-sized, " + resent.length + " bytes");
        assertArrayEquals(Arrays.copyOfRange(data, 0, resent.length - tcpStart - 20),
                Arrays.copyOfRange(resent, tcpStart + 20, resent.length));
    }

    @Test
    void withoutTheOffloadEverySegmentIsOrdinary() {
        TcpConnection c = connect(false, 0);
        byte[] data = ReceiveOffloadTest.random(100_000, 7);
        c.write(data, 0, data.length, peer.now);
        List<byte[]> frames = peer.link.drain();
        assertEquals(10, frames.size());
        assertTrue(frames.stream().allMatch(f -> f.length <= 1514));
        assertTrue(peer.link.segmented.isEmpty());
        assertEquals(0, peer.counters.get("tcp.tx.offloaded"));
    }

    /** A device whose largest frame holds fewer than two segments offers nothing worth cutting. */
    @Test
    void aDeviceMaximumBelowTwoSegmentsGivesOrdinarySegments() {
        TcpConnection c = connect(false, 14 + 20 + 20 + 2 * 1460 - 1);
        c.write(ReceiveOffloadTest.random(50_000, 8), 0, 50_000, peer.now);
        assertTrue(peer.link.segmented.isEmpty());
        assertEquals(10, peer.link.drain().size());
    }

    /** Our pseudo-header sum towards the peer for a TCP message of {@code length} bytes. */
    long pseudo(int length) {
        return v6 ? Packets.pseudo6(LL, IID, LL, PEER_IID, 6, length)
                : (US >>> 16) + (US & 0xffff) + (PEER >>> 16) + (PEER & 0xffff) + 6 + length;
    }
}
