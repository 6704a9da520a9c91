package io.miragej.tcpip.ipv4;

import static io.miragej.tcpip.Packets.ethernet;
import static io.miragej.tcpip.Packets.getInt;
import static io.miragej.tcpip.Packets.getU16;
import static io.miragej.tcpip.Packets.ip;
import static io.miragej.tcpip.Packets.ipv4;
import static io.miragej.tcpip.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.tcpip.Packets;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.host.Host;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ipv4Test {
    static final long A_MAC = 0x02_00_00_00_00_0aL;
    static final long B_MAC = 0x02_00_00_00_00_0bL;
    static final int A = ip("10.0.0.1");
    static final int B = ip("10.0.0.2");
    static final long SECOND = 1_000_000_000L;

    final Host a = new Host(A_MAC, "10.0.0.1", 24, "10.0.0.254");

    byte[] toA(byte[] ipPacket) {
        return ethernet(A_MAC, B_MAC, 0x0800, ipPacket);
    }

    byte[] udpToA(int port, byte[] payload) {
        return toA(ipv4(B, A, 17, udp(B, A, 5000, port, payload)));
    }

    @Test
    void deliversUdpAndSkipsOptions() {
        a.bindRecorder(7);
        byte[] options = {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}; // router alert, NOP, NOP, NOP, EOL
        byte[] payload = "hello".getBytes();
        a.receive(toA(ipv4(B, A, 17, 64, 9, 0, options, udp(B, A, 5000, 7, payload))), 0);
        assertEquals(1, a.datagrams.size());
        assertArrayEquals(payload, a.datagrams.getFirst());
        assertEquals(B, a.datagramSources.getFirst());
    }

    @Test
    void cutsEthernetPaddingOff() {
        a.bindRecorder(7);
        byte[] frame = Arrays.copyOf(udpToA(7, new byte[] {1}), 60);
        frame[59] = 99; // padding after the IP packet
        a.receive(frame, 0);
        assertArrayEquals(new byte[] {1}, a.datagrams.getFirst());
    }

    @Test
    void countsEveryMalformedHeaderByReason() {
        byte[] good = ipv4(B, A, 17, udp(B, A, 1, 7, new byte[4]));
        a.receive(toA(Arrays.copyOf(good, 12)), 0);
        byte[] v6 = good.clone();
        v6[0] = 0x65;
        a.receive(toA(v6), 0);
        byte[] shortIhl = good.clone();
        shortIhl[0] = 0x44;
        a.receive(toA(shortIhl), 0);
        byte[] longTotal = good.clone();
        longTotal[3] = (byte) 200;
        a.receive(toA(longTotal), 0);
        byte[] badSum = good.clone();
        badSum[10] ^= 1;
        a.receive(toA(badSum), 0);
        a.receive(toA(ipv4(ip("224.0.0.5"), A, 17, udp(B, A, 1, 7, new byte[4]))), 0);
        a.receive(toA(ipv4(B, ip("10.0.0.77"), 17, udp(B, A, 1, 7, new byte[4]))), 0);
        assertEquals(1, a.counters.get("ipv4.drop.short"));
        assertEquals(1, a.counters.get("ipv4.drop.version"));
        assertEquals(1, a.counters.get("ipv4.drop.header-length"));
        assertEquals(1, a.counters.get("ipv4.drop.total-length"));
        assertEquals(1, a.counters.get("ipv4.drop.checksum"));
        assertEquals(1, a.counters.get("ipv4.drop.bad-source"));
        assertEquals(1, a.counters.get("ipv4.drop.not-for-us"));
        assertTrue(a.link.drain().isEmpty(), "nothing malformed is answered");
    }

    @Test
    void acceptsTheSubnetAndLimitedBroadcasts() {
        a.bindRecorder(7);
        a.receive(ethernet(-1L & 0xffff_ffff_ffffL, B_MAC, 0x0800,
                ipv4(B, ip("10.0.0.255"), 17, udp(B, ip("10.0.0.255"), 1, 7, new byte[] {1}))), 0);
        a.receive(ethernet(-1L & 0xffff_ffff_ffffL, B_MAC, 0x0800,
                ipv4(B, -1, 17, udp(B, -1, 1, 7, new byte[] {2}))), 0);
        assertEquals(2, a.datagrams.size());
    }

    @Test
    void fragmentsLargeDatagramsAndTheOtherSideReassemblesThem() {
        Host b = new Host(B_MAC, "10.0.0.2", 24, null);
        b.bindRecorder(9);
        byte[] payload = new byte[4000];
        new Random(1).nextBytes(payload);
        assertTrue(a.core.udp().send(0, IpContext.mapped(A), 1234, 0, IpContext.mapped(B), 9,
                PacketBuffer.wrap(payload), 0, payload.length, 0));
        // ARP first, then the fragments
        Host.exchange(a, b, 0);
        assertEquals(1, b.datagrams.size());
        assertArrayEquals(payload, b.datagrams.getFirst());
        assertEquals(3, a.counters.get("ipv4.tx.fragments"));
        assertEquals(1, b.counters.get("ipv4.reassembly.completed"));
    }

    @Test
    void fragmentsAreMultiplesOfEightAndFitTheMtu() {
        a.core.arp().input(PacketBuffer.wrap(Packets.arp(2, B_MAC, B, A_MAC, A)), 0, 28, 0);
        byte[] payload = new byte[3000];
        a.core.udp().send(0, IpContext.mapped(A), 1, 0, IpContext.mapped(B), 9, PacketBuffer.wrap(payload), 0,
                payload.length, 0);
        List<byte[]> frames = a.link.drain();
        assertEquals(3, frames.size());
        int expectedOffset = 0;
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            assertTrue(f.length <= 1514);
            int flags = getU16(f, 14 + 6);
            int offset = (flags & 0x1fff) * 8;
            assertEquals(expectedOffset, offset);
            int dataLen = getU16(f, 14 + 2) - 20;
            boolean more = (flags & 0x2000) != 0;
            assertEquals(i < frames.size() - 1, more);
            if (more) {
                assertEquals(0, dataLen % 8);
            }
            expectedOffset += dataLen;
        }
        assertEquals(3008, expectedOffset);
    }

    byte[][] fragments(byte[] udpDatagram, int id, int size) {
        int n = (udpDatagram.length + size - 1) / size;
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            int off = i * size;
            int len = Math.min(size, udpDatagram.length - off);
            int flags = (i < n - 1 ? 0x2000 : 0) | (off / 8);
            out[i] = toA(ipv4(B, A, 17, 64, id, flags, new byte[0],
                    Arrays.copyOfRange(udpDatagram, off, off + len)));
        }
        return out;
    }

    @Test
    void reassemblesOutOfOrderAndIgnoresDuplicates() {
        a.bindRecorder(7);
        byte[] payload = new byte[1000];
        new Random(2).nextBytes(payload);
        byte[][] f = fragments(udp(B, A, 1, 7, payload), 77, 256);
        a.receive(f[3], 0);
        a.receive(f[1], 0);
        a.receive(f[1], 0);
        a.receive(f[0], 0);
        a.receive(f[2], 0);
        assertEquals(1, a.datagrams.size());
        assertArrayEquals(payload, a.datagrams.getFirst());
        assertEquals(1, a.counters.get("ipv4.reassembly.duplicate"));
    }

    @Test
    void overlappingFragmentsDiscardTheDatagram() {
        a.bindRecorder(7);
        byte[] dgram = udp(B, A, 1, 7, new byte[1000]);
        byte[][] f = fragments(dgram, 5, 256);
        a.receive(f[0], 0);
        // a fragment at offset 128 of 256 bytes overlaps the first half-way
        a.receive(toA(ipv4(B, A, 17, 64, 5, 0x2000 | (128 / 8), new byte[0], Arrays.copyOfRange(dgram, 128, 384))), 0);
        for (int i = 1; i < f.length; i++) {
            a.receive(f[i], 0);
        }
        assertEquals(0, a.datagrams.size());
        assertEquals(1, a.counters.get("ipv4.reassembly.drop.overlap"));
    }

    @Test
    void incompleteDatagramsTimeOutWithAnIcmpTimeExceeded() {
        a.core.arp().input(PacketBuffer.wrap(Packets.arp(2, B_MAC, B, A_MAC, A)), 0, 28, 0);
        byte[][] f = fragments(udp(B, A, 1, 7, new byte[1000]), 6, 256);
        a.receive(f[0], 0);
        assertEquals(30 * SECOND, a.core.ipv4().reassembly().nextDeadline());
        a.core.onTimer(30 * SECOND);
        assertEquals(1, a.counters.get("ipv4.reassembly.timeout"));
        List<byte[]> sent = a.link.drain().stream().filter(x -> getU16(x, 12) == 0x0800).toList();
        assertEquals(1, sent.size());
        byte[] icmp = sent.getFirst();
        assertEquals(1, icmp[14 + 9], "ICMP");
        assertEquals(11, icmp[34], "time exceeded");
        assertEquals(1, icmp[35], "fragment reassembly time exceeded");
        assertEquals(0, a.core.ipv4().reassembly().inProgress());
    }

    @Test
    void reassemblyIsBoundedAndStillServesAfterTheBoundIsHit() {
        a.bindRecorder(7);
        int slots = Ipv4Reassembly.Limits.defaults().datagrams();
        for (int id = 0; id < slots + 10; id++) {
            a.receive(fragments(udp(B, A, 1, 7, new byte[600]), id, 256)[0], id);
        }
        assertEquals(slots, a.core.ipv4().reassembly().inProgress());
        assertEquals(10, a.counters.get("ipv4.reassembly.evicted"));
        byte[] payload = new byte[700];
        new Random(3).nextBytes(payload);
        for (byte[] frag : fragments(udp(B, A, 1, 7, payload), 999, 256)) {
            a.receive(frag, 100);
        }
        assertArrayEquals(payload, a.datagrams.getFirst());
    }

    @Test
    void tooManyPiecesDiscardTheDatagram() {
        a.bindRecorder(7);
        int pieces = Ipv4Reassembly.Limits.defaults().ranges();
        byte[] dgram = udp(B, A, 1, 7, new byte[8 * 2 * (pieces + 2)]);
        byte[][] f = fragments(dgram, 3, 8);
        for (int i = 0; i < f.length; i += 2) { // every other piece: each a range of its own
            a.receive(f[i], 0);
        }
        assertEquals(1, a.counters.get("ipv4.reassembly.drop.too-many-pieces"));
    }

    @Test
    void sendsOffLinkTrafficToTheGatewayAndCountsMissingRoutes() {
        int gateway = ip("10.0.0.254");
        a.core.udp().send(0, IpContext.mapped(A), 1, 0, IpContext.mapped(ip("192.0.2.1")), 9,
                PacketBuffer.wrap(new byte[1]), 0, 1, 0);
        byte[] request = a.link.drain().getFirst();
        assertEquals(0x0806, getU16(request, 12));
        assertEquals(gateway, getInt(request, 38), "the gateway is resolved, not the destination");
        Host isolated = new Host(B_MAC, "10.0.0.2", 24, null);
        assertFalse(isolated.core.udp().send(0, IpContext.mapped(B), 1, 0, IpContext.mapped(ip("192.0.2.1")), 9,
                PacketBuffer.wrap(new byte[1]), 0, 1, 0));
        assertEquals(1, isolated.counters.get("ipv4.tx.drop.no-route"));
    }

    @Test
    void theLoopbackQueueIsBounded() {
        a.bindRecorder(7);
        for (int i = 0; i < 100; i++) {
            a.core.udp().send(0, IpContext.mapped(A), 1, 0, IpContext.mapped(A), 7,
                    PacketBuffer.wrap(new byte[] {(byte) i}), 0, 1, 0);
        }
        assertEquals(36, a.counters.get("ipv4.tx.drop.loopback-full"));
        a.core.onTimer(0);
        assertEquals(64, a.datagrams.size());
        a.core.udp().send(0, IpContext.mapped(A), 1, 0, IpContext.mapped(A), 7, PacketBuffer.wrap(new byte[] {9}),
                0, 1, 0);
        a.core.onTimer(0);
        assertEquals(65, a.datagrams.size(), "room again once delivered");
    }

    @Test
    void packetsToOurOwnAddressLoopBack() {
        a.bindRecorder(7);
        a.core.udp().send(0, IpContext.mapped(A), 1, 0, IpContext.mapped(A), 7, PacketBuffer.wrap(new byte[] {5}),
                0, 1, 0);
        assertEquals(Long.MIN_VALUE, a.core.nextDeadline());
        a.core.onTimer(0);
        assertArrayEquals(new byte[] {5}, a.datagrams.getFirst());
        assertTrue(a.link.drain().isEmpty(), "nothing on the wire");
    }
}
