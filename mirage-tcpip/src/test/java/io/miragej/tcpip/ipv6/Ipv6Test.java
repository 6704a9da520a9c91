package io.miragej.tcpip.ipv6;

import static io.miragej.tcpip.Packets.concat;
import static io.miragej.tcpip.Packets.ethernet;
import static io.miragej.tcpip.Packets.getLong;
import static io.miragej.tcpip.Packets.getMac;
import static io.miragej.tcpip.Packets.getU16;
import static io.miragej.tcpip.Packets.icmpv6;
import static io.miragej.tcpip.Packets.ipv6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.Ipv6Address;
import io.miragej.stats.Counters;
import io.miragej.tcpip.Packets;
import io.miragej.tcpip.TestLink;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.host.StackCore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** IPv6, ICMPv6, neighbour discovery and SLAAC on one host, against hand-built packets. */
class Ipv6Test {
    static final long MAC = 0x52_54_00_12_34_56L;
    static final long PEER_MAC = 0x02_00_00_00_00_99L;
    static final long LL = 0xfe80_0000_0000_0000L;
    static final long IID = 0x5054_00ff_fe12_3456L;
    static final long PEER_LL = 0x0200_00ff_fe00_0099L;
    static final long PREFIX = 0x2001_0db8_0001_0000L;
    static final long ALL_NODES_H = 0xff02_0000_0000_0000L;
    static final long S = 1_000_000_000L;

    final TestLink link = new TestLink(MAC);
    final Counters counters = new Counters();
    final StackCore core = new StackCore(link, StackCore.Limits.defaults(), counters, 5, 6);
    long now;

    record Sent(long dstMac, long sh, long sl, long dh, long dl, int nh, int hop, byte[] payload) {
        int icmpType() {
            return payload[0] & 0xff;
        }
    }

    /** MLD reports (behind a hop-by-hop header) drained by {@link #sent}, kept apart. */
    final List<Sent> mld = new ArrayList<>();

    /** IPv6 packets sent since the last call, MLD reports set aside in {@link #mld}. */
    List<Sent> sent() {
        List<Sent> out = new ArrayList<>();
        for (byte[] f : link.drain()) {
            if (getU16(f, 12) != 0x86dd) {
                continue;
            }
            Sent x = new Sent(getMac(f, 0), getLong(f, 22), getLong(f, 30), getLong(f, 38), getLong(f, 46),
                    f[20] & 0xff, f[21] & 0xff, Arrays.copyOfRange(f, 54, f.length));
            (x.nh() == 0 ? mld : out).add(x);
        }
        return out;
    }

    void advance(long t) {
        while (core.nextDeadline() <= now + t) {
            now = Math.max(now, core.nextDeadline());
            core.onTimer(now);
        }
        now += t;
    }

    void receive(long dstMac, byte[] ipv6Packet) {
        core.receive(Packets.frame(ethernet(dstMac, PEER_MAC, 0x86dd, ipv6Packet)), now);
    }

    byte[] na(long th, long tl, int flags, long tlla) {
        byte[] body = new byte[4 + 16 + 8];
        Packets.putInt(body, 0, flags);
        Packets.putLong(body, 4, th);
        Packets.putLong(body, 12, tl);
        body[20] = 2;
        body[21] = 1;
        for (int i = 0; i < 6; i++) {
            body[22 + i] = (byte) (tlla >>> (40 - 8 * i));
        }
        return body;
    }

    /** The peer introduces itself with a solicitation: we learn its link-layer address. */
    void learnPeer() {
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 58, 255, icmpv6(LL, PEER_LL, LL, IID, 135, 0, nsBody(LL, IID))));
        sent();
    }

    /** Brings the link-local address up (DAD passes) and answers nothing else. */
    void up(boolean slaac) {
        core.enableIpv6(slaac, now);
        advance(S + 1);
    }

    @Test
    void theInterfaceIdentifierIsModifiedEui64() {
        assertEquals(IID, Ipv6Header.interfaceId(MAC));
        assertEquals(0x0000_0001_ff12_3456L, Ipv6Header.solicitedNodeLow(IID));
    }

    @Test
    void theLinkLocalAddressPassesDadThenRoutersAreSolicited() {
        core.enableIpv6(true, 0);
        List<Sent> dad = sent();
        assertEquals(1, dad.size());
        Sent ns = dad.getFirst();
        assertEquals(135, ns.icmpType());
        assertEquals(0, ns.sh());
        assertEquals(0, ns.sl(), "DAD comes from the unspecified address");
        assertEquals(ALL_NODES_H, ns.dh());
        assertEquals(0x0000_0001_ff12_3456L, ns.dl(), "to our solicited-node group");
        assertEquals(0x33_33_ff_12_34_56L, ns.dstMac());
        assertEquals(255, ns.hop());
        assertEquals(LL, getLong(ns.payload(), 8));
        assertEquals(IID, getLong(ns.payload(), 16));
        assertFalse(core.ipv6().isOurs(LL, IID), "tentative until DAD is done");
        advance(S);
        assertTrue(core.ipv6().isOurs(LL, IID));
        List<Sent> rs = sent();
        assertEquals(133, rs.getFirst().icmpType());
        assertEquals(2, rs.getFirst().dl(), "to all routers");
        advance(20 * S);
        assertEquals(2, sent().size(), "three solicitations in all, four seconds apart");
        assertEquals(3, counters.get("ndp.tx.rs"));
    }

    @Test
    void aDuplicateAddressIsGivenUp() {
        core.enableIpv6(false, 0);
        sent();
        // Someone answers for our tentative address.
        receive(0x33_33_00_00_00_01L, ipv6(LL, PEER_LL, ALL_NODES_H, 1, 58, 255,
                icmpv6(LL, PEER_LL, ALL_NODES_H, 1, 136, 0, na(LL, IID, 0x2000_0000, PEER_MAC))));
        advance(2 * S);
        assertFalse(core.ipv6().isOurs(LL, IID));
        assertEquals(1, counters.get("ndp.dad.duplicate"));
    }

    @Test
    void solicitationsForOurAddressAreAnsweredAndTheSenderIsLearnt() {
        up(false);
        sent();
        byte[] body = new byte[4 + 16 + 8];
        Packets.putLong(body, 4, LL);
        Packets.putLong(body, 12, IID);
        body[20] = 1;
        body[21] = 1;
        for (int i = 0; i < 6; i++) {
            body[22 + i] = (byte) (PEER_MAC >>> (40 - 8 * i));
        }
        long snH = ALL_NODES_H;
        long snL = Ipv6Header.solicitedNodeLow(IID);
        receive(0x33_33_ff_12_34_56L, ipv6(LL, PEER_LL, snH, snL, 58, 255, icmpv6(LL, PEER_LL, snH, snL, 135, 0, body)));
        Sent na = sent().getFirst();
        assertEquals(136, na.icmpType());
        assertEquals(PEER_MAC, na.dstMac(), "unicast to the asker, whose address we learnt");
        assertEquals(PEER_LL, na.dl());
        assertEquals(0x6000_0000, Packets.getInt(na.payload(), 4), "solicited and override");
        assertEquals(MAC, getMac(na.payload(), 26), "with our link-layer address");
        assertEquals(PEER_MAC, core.ndp().lookup(LL, PEER_LL));
    }

    @Test
    void aStaleNeighbourIsProbedAfterTheDelayAndForgottenWhenSilent() {
        up(false);
        learnPeer();
        core.udp().send(LL, IID, 1000, LL, PEER_LL, 9, PacketBuffer.wrap(new byte[1]), 0, 1, now);
        assertEquals(17, sent().getFirst().nh(), "a stale entry is used at once");
        advance(5 * S);
        Sent probe = sent().getFirst();
        assertEquals(135, probe.icmpType());
        assertEquals(PEER_MAC, probe.dstMac(), "the probe is unicast");
        advance(3 * S);
        assertEquals(-1, core.ndp().lookup(LL, PEER_LL));
    }

    @Test
    void neighbourDiscoveryWithAHopLimitBelow255IsDropped() {
        up(false);
        sent();
        byte[] body = new byte[4 + 16];
        Packets.putLong(body, 4, LL);
        Packets.putLong(body, 12, IID);
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 58, 64, icmpv6(LL, PEER_LL, LL, IID, 135, 0, body)));
        assertTrue(sent().isEmpty());
        assertEquals(1, counters.get("ndp.drop.invalid"));
    }

    @Test
    void answersEchoRequestsOnTheLinkLocalAddressAndToAllNodes() {
        up(false);
        learnPeer();
        byte[] echo = new byte[4 + 20];
        echo[1] = 7; // identifier 7
        echo[3] = 1; // sequence 1
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 58, 64, icmpv6(LL, PEER_LL, LL, IID, 128, 0, echo)));
        Sent reply = sent().getFirst();
        assertEquals(129, reply.icmpType());
        assertEquals(PEER_LL, reply.dl());
        assertEquals(0, Packets.checksum(reply.payload(), 0, reply.payload().length,
                Packets.pseudo6(LL, IID, LL, PEER_LL, 58, reply.payload().length)));
        receive(0x33_33_00_00_00_01L, ipv6(LL, PEER_LL, ALL_NODES_H, 1, 58, 64,
                icmpv6(LL, PEER_LL, ALL_NODES_H, 1, 128, 0, echo)));
        Sent toAll = sent().getFirst();
        assertEquals(129, toAll.icmpType());
        assertEquals(IID, toAll.sl(), "answered from our link-local address");
    }

    byte[] nsBody(long th, long tl) {
        byte[] body = new byte[4 + 16 + 8];
        Packets.putLong(body, 4, th);
        Packets.putLong(body, 12, tl);
        body[20] = 1;
        body[21] = 1;
        for (int i = 0; i < 6; i++) {
            body[22 + i] = (byte) (PEER_MAC >>> (40 - 8 * i));
        }
        return body;
    }

    byte[] ra(int routerLifetime, long prefixHigh, int flags, long valid, long preferred, int mtu) {
        byte[] body = new byte[12 + 8 + 8 + 32];
        body[0] = 64;
        body[2] = (byte) (routerLifetime >>> 8);
        body[3] = (byte) routerLifetime;
        int p = 12;
        body[p] = 1;
        body[p + 1] = 1;
        for (int i = 0; i < 6; i++) {
            body[p + 2 + i] = (byte) (PEER_MAC >>> (40 - 8 * i));
        }
        p += 8;
        body[p] = 5;
        body[p + 1] = 1;
        Packets.putInt(body, p + 4, mtu);
        p += 8;
        body[p] = 3;
        body[p + 1] = 4;
        body[p + 2] = 64;
        body[p + 3] = (byte) flags;
        Packets.putInt(body, p + 4, (int) valid);
        Packets.putInt(body, p + 8, (int) preferred);
        Packets.putLong(body, p + 16, prefixHigh);
        return body;
    }

    @Test
    void routerAdvertisementsConfigureAnAddressARouterAndTheMtu() {
        up(true);
        sent();
        receive(0x33_33_00_00_00_01L, ipv6(LL, PEER_LL, ALL_NODES_H, 1, 58, 255,
                icmpv6(LL, PEER_LL, ALL_NODES_H, 1, 134, 0, ra(1800, PREFIX, 0xc0, 86400, 14400, 1400))));
        assertFalse(core.ipv6().isOurs(PREFIX, IID), "the new address starts tentative");
        Sent dad = sent().getFirst();
        assertEquals(IID, getLong(dad.payload(), 16));
        advance(S + 1);
        assertTrue(core.ipv6().isOurs(PREFIX, IID));
        assertEquals(1400, core.ipv6().mtu());
        assertTrue(core.ipv6().hasDefaultRouter(now));
        long[] src = new long[2];
        assertTrue(core.ipv6().sourceFor(0x2001_0db8_9999_0000L, 1, src), "off-link: via the router");
        assertEquals(PREFIX, src[0]);
        // Off-link traffic goes to the router's MAC (learnt from the advertisement).
        core.udp().send(PREFIX, IID, 1000, 0x2001_0db8_9999_0000L, 1, 53, PacketBuffer.wrap(new byte[4]), 0, 4, now);
        Sent out = sent().getFirst();
        assertEquals(PEER_MAC, out.dstMac());
        assertEquals(17, out.nh());
    }

    @Test
    void shortLifetimesCannotCutAnAddressBelowTwoHours() {
        up(true);
        byte[] first = ipv6(LL, PEER_LL, ALL_NODES_H, 1, 58, 255,
                icmpv6(LL, PEER_LL, ALL_NODES_H, 1, 134, 0, ra(1800, PREFIX, 0xc0, 86400, 14400, 1500)));
        receive(0x33_33_00_00_00_01L, first);
        advance(S + 1);
        byte[] spoof = ipv6(LL, PEER_LL, ALL_NODES_H, 1, 58, 255,
                icmpv6(LL, PEER_LL, ALL_NODES_H, 1, 134, 0, ra(1800, PREFIX, 0xc0, 10, 5, 1500)));
        receive(0x33_33_00_00_00_01L, spoof);
        advance(3600 * S);
        assertTrue(core.ipv6().isOurs(PREFIX, IID), "still valid an hour later");
        advance(3601 * S);
        assertFalse(core.ipv6().isOurs(PREFIX, IID), "gone after two hours");
    }

    @Test
    void resolvesNeighboursAndSendsTheQueuedPacketOnTheAdvertisement() {
        up(false);
        sent();
        core.udp().send(LL, IID, 1000, LL, PEER_LL, 9, PacketBuffer.wrap(new byte[] {1, 2, 3}), 0, 3, now);
        Sent ns = sent().getFirst();
        assertEquals(135, ns.icmpType());
        assertEquals(Ipv6Header.solicitedNodeLow(PEER_LL), ns.dl());
        assertEquals(IID, ns.sl(), "from our link-local address");
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 58, 255,
                icmpv6(LL, PEER_LL, LL, IID, 136, 0, na(LL, PEER_LL, 0x6000_0000, PEER_MAC))));
        Sent udp = sent().getFirst();
        assertEquals(PEER_MAC, udp.dstMac());
        assertEquals(17, udp.nh());
        assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOfRange(udp.payload(), 8, 11));
    }

    byte[] udp6(long sh, long sl, long dh, long dl, int port, byte[] payload) {
        byte[] u = new byte[8 + payload.length];
        u[2] = (byte) (port >>> 8);
        u[3] = (byte) port;
        u[4] = (byte) (u.length >>> 8);
        u[5] = (byte) u.length;
        System.arraycopy(payload, 0, u, 8, payload.length);
        int cs = Packets.checksum(u, 0, u.length, Packets.pseudo6(sh, sl, dh, dl, 17, u.length));
        u[6] = (byte) (cs >>> 8);
        u[7] = (byte) cs;
        return u;
    }

    List<byte[]> bind(int port) {
        List<byte[]> got = new ArrayList<>();
        core.udp().bind(port, (IpContext c, int sp, int dp, PacketBuffer b, int off, int len, long t) -> {
            byte[] d = new byte[len];
            b.getBytes(off, d, 0, len);
            got.add(d);
        });
        return got;
    }

    @Test
    void walksExtensionHeadersAndDropsRoutingHeadersWithSegmentsLeft() {
        up(false);
        List<byte[]> got = bind(9);
        byte[] udp = udp6(LL, PEER_LL, LL, IID, 9, new byte[] {42});
        byte[] hbh = {60, 0, 1, 4, 0, 0, 0, 0}; // next: destination options; PadN
        byte[] dst = {17, 0, 1, 4, 0, 0, 0, 0}; // next: UDP
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 0, 64, concat(hbh, dst, udp)));
        assertEquals(1, got.size());
        byte[] routing = {17, 0, 0, 1, 0, 0, 0, 0}; // type 0, one segment left
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 43, 64, concat(routing, udp)));
        assertEquals(1, got.size());
        assertEquals(1, counters.get("ipv6.drop.extension-header"));
    }

    @Test
    void reassemblesFragmentsAndDropsOverlaps() {
        up(false);
        List<byte[]> got = bind(9);
        byte[] data = new byte[3000];
        new Random(4).nextBytes(data);
        byte[] udp = udp6(LL, PEER_LL, LL, IID, 9, data);
        int[] cuts = {0, 1232, 2464, udp.length};
        int[] order = {2, 0, 1};
        for (int k : order) {
            byte[] frag = new byte[8];
            frag[0] = 17;
            int off = cuts[k];
            int flags = off | (k < 2 ? 1 : 0);
            frag[2] = (byte) (flags >>> 8);
            frag[3] = (byte) flags;
            Packets.putInt(frag, 4, 77);
            receive(MAC, ipv6(LL, PEER_LL, LL, IID, 44, 64, concat(frag, Arrays.copyOfRange(udp, off, cuts[k + 1]))));
        }
        assertEquals(1, got.size());
        assertArrayEquals(data, got.getFirst());
        // overlapping fragments (RFC 5722): nothing is delivered
        for (int[] piece : new int[][] {{0, 1232, 1}, {1224, udp.length, 0}}) {
            byte[] frag = new byte[8];
            frag[0] = 17;
            int flags = piece[0] | piece[2];
            frag[2] = (byte) (flags >>> 8);
            frag[3] = (byte) flags;
            Packets.putInt(frag, 4, 78);
            receive(MAC, ipv6(LL, PEER_LL, LL, IID, 44, 64, concat(frag, Arrays.copyOfRange(udp, piece[0], piece[1]))));
        }
        assertEquals(1, got.size());
        assertEquals(1, counters.get("ipv6.reassembly.drop.overlap"));
    }

    @Test
    void fragmentsWhatExceedsTheMtu() {
        up(false);
        learnPeer();
        core.udp().send(LL, IID, 1000, LL, PEER_LL, 9, PacketBuffer.wrap(new byte[4000]), 0, 4000, now);
        List<Sent> frags = sent();
        assertEquals(3, frags.size());
        assertTrue(frags.stream().allMatch(f -> f.nh() == 44));
        assertTrue(frags.stream().allMatch(f -> f.payload().length + 40 <= 1500));
    }

    @Test
    void closedPortsGetPortUnreachable() {
        up(false);
        learnPeer();
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 17, 64, udp6(LL, PEER_LL, LL, IID, 4444, new byte[3])));
        Sent err = sent().getFirst();
        assertEquals(1, err.icmpType());
        assertEquals(4, err.payload()[1]);
    }

    @Test
    void theAddressTableIsBoundedAndTheStackStillServesItsAddresses() {
        up(true);
        for (int i = 0; i < 20; i++) { // twenty prefixes advertised: more than the table holds
            receive(0x33_33_00_00_00_01L, ipv6(LL, PEER_LL, ALL_NODES_H, 1, 58, 255,
                    icmpv6(LL, PEER_LL, ALL_NODES_H, 1, 134, 0, ra(1800, PREFIX + ((long) i << 16), 0xc0, 86400,
                            14400, 1500))));
        }
        advance(2 * S);
        assertEquals(Ipv6.MAX_ADDRESSES, core.ipv6().addressCount(), "link-local plus seven SLAAC addresses");
        assertTrue(core.ipv6().isOurs(LL, IID));
        learnPeer();
        byte[] echo = new byte[4 + 8];
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 58, 64, icmpv6(LL, PEER_LL, LL, IID, 128, 0, echo)));
        assertEquals(129, sent().getFirst().icmpType(), "still answers");
    }

    @Test
    void theNeighbourCacheIsBoundedAndStillResolves() {
        up(false);
        sent();
        for (int i = 0; i < 300; i++) { // more neighbours than entries, none of which answers
            core.udp().send(LL, IID, 1000, LL, PEER_LL + 1000 + i, 9, PacketBuffer.wrap(new byte[1]), 0, 1, now);
        }
        assertTrue(core.ndp().cacheSize() <= 256);
        assertTrue(counters.get("ndp.cache.evicted") >= 44);
        sent();
        core.udp().send(LL, IID, 1000, LL, PEER_LL, 9, PacketBuffer.wrap(new byte[] {7}), 0, 1, now);
        sent();
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 58, 255,
                icmpv6(LL, PEER_LL, LL, IID, 136, 0, na(LL, PEER_LL, 0x6000_0000, PEER_MAC))));
        Sent udp = sent().getFirst();
        assertEquals(PEER_MAC, udp.dstMac(), "a new neighbour still resolves");
        assertEquals(link.pool.capacity(), link.pool.available() + core.ndp().queuedPackets(), "no buffer leaked");
    }

    @Test
    void reassemblyIsBoundedAndStillCompletesNewDatagrams() {
        up(false);
        List<byte[]> got = bind(9);
        for (int id = 0; id < 40; id++) { // first pieces only: each holds a slot until evicted
            byte[] frag = new byte[8];
            frag[0] = 17;
            frag[3] = 1; // offset 0, more fragments
            Packets.putInt(frag, 4, id);
            receive(MAC, ipv6(LL, PEER_LL, LL, IID, 44, 64, concat(frag, new byte[1232])));
        }
        assertTrue(counters.get("ipv6.reassembly.evicted") >= 24);
        byte[] udp = udp6(LL, PEER_LL, LL, IID, 9, new byte[100]);
        byte[] frag = new byte[8];
        frag[0] = 17;
        Packets.putInt(frag, 4, 999);
        receive(MAC, ipv6(LL, PEER_LL, LL, IID, 44, 64, concat(frag, udp)));
        assertEquals(1, got.size(), "an atomic fragment still completes");
    }

    @Test
    void anIpv6AddressValueFormsAsExpected() {
        assertEquals("fe80::5054:ff:fe12:3456", new Ipv6Address(LL, IID).toString());
    }
}
