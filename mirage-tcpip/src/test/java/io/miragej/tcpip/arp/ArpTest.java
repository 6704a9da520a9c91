package io.miragej.tcpip.arp;

import static io.miragej.tcpip.Packets.arp;
import static io.miragej.tcpip.Packets.getInt;
import static io.miragej.tcpip.Packets.getMac;
import static io.miragej.tcpip.Packets.getU16;
import static io.miragej.tcpip.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counters;
import io.miragej.tcpip.TestLink;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArpTest {
    static final long US_MAC = 0x02_00_00_00_00_01L;
    static final long PEER_MAC = 0x02_00_00_00_00_02L;
    static final int US = ip("10.0.0.1");
    static final int PEER = ip("10.0.0.2");
    static final long SECOND = 1_000_000_000L;

    final TestLink link = new TestLink(US_MAC);
    final Counters counters = new Counters();
    final Arp arp = new Arp(link, Arp.Limits.defaults(), counters);

    void input(byte[] packet, long now) {
        arp.input(PacketBuffer.wrap(packet), 0, packet.length, now);
    }

    PacketBuffer ipPacket(int marker) {
        PacketBuffer p = link.allocate();
        p.extend(20).setI32(0, marker);
        return p;
    }

    @Test
    void announcesItsAddressTwiceTwoSecondsApart() {
        arp.setAddress(US, 0);
        arp.onTimer(0);
        arp.onTimer(SECOND);
        assertEquals(2 * SECOND, arp.nextDeadline());
        arp.onTimer(2 * SECOND);
        List<byte[]> sent = link.drain();
        assertEquals(2, sent.size());
        for (byte[] f : sent) {
            assertEquals(0xffff_ffff_ffffL, getMac(f, 0));
            assertEquals(0x0806, getU16(f, 12));
            assertEquals(1, getU16(f, 20), "a gratuitous ARP is a request");
            assertEquals(US, getInt(f, 28), "sender is us");
            assertEquals(US, getInt(f, 38), "target is us too");
        }
        assertEquals(Long.MAX_VALUE, arp.nextDeadline());
    }

    @Test
    void answersRequestsForItsAddressAndLearnsTheAsker() {
        arp.setAddress(US, 0);
        link.drain();
        input(arp(1, PEER_MAC, PEER, 0, US), 10);
        byte[] reply = link.drain().getFirst();
        assertEquals(PEER_MAC, getMac(reply, 0));
        assertEquals(2, getU16(reply, 20));
        assertEquals(US_MAC, getMac(reply, 22));
        assertEquals(US, getInt(reply, 28));
        assertEquals(PEER_MAC, getMac(reply, 32));
        assertEquals(PEER, getInt(reply, 38));
        assertEquals(PEER_MAC, arp.lookup(PEER));
    }

    @Test
    void ignoresRequestsForOthersAndDoesNotLearnFromThem() {
        arp.setAddress(US, 0);
        link.drain();
        input(arp(1, PEER_MAC, PEER, 0, ip("10.0.0.9")), 10);
        assertTrue(link.drain().isEmpty());
        assertEquals(-1, arp.lookup(PEER));
        assertEquals(1, counters.get("arp.rx.ignored"));
    }

    @Test
    void queuesPacketsWhileResolvingAndSendsThemOnTheReply() {
        arp.setAddress(US, 0);
        link.drain();
        arp.send(ipPacket(1), PEER, 0);
        arp.send(ipPacket(2), PEER, 0);
        List<byte[]> sent = link.drain();
        assertEquals(1, sent.size(), "one request, the packets wait");
        assertEquals(PEER, getInt(sent.getFirst(), 38));
        assertEquals(2, arp.queuedPackets());
        input(arp(2, PEER_MAC, PEER, US_MAC, US), 100);
        sent = link.drain();
        assertEquals(2, sent.size());
        assertEquals(PEER_MAC, getMac(sent.get(0), 0));
        assertEquals(0x0800, getU16(sent.get(0), 12));
        assertEquals(1, getInt(sent.get(0), 14));
        assertEquals(2, getInt(sent.get(1), 14));
        assertEquals(0, arp.queuedPackets());
        arp.send(ipPacket(3), PEER, 200);
        assertEquals(3, getInt(link.drain().getFirst(), 14), "resolved: straight out");
    }

    @Test
    void theQueueOfAnEntryIsBoundedAndDropsTheOldest() {
        arp.setAddress(US, 0);
        link.drain();
        int bound = Arp.Limits.defaults().queuedPerEntry();
        for (int i = 0; i < bound + 3; i++) {
            arp.send(ipPacket(i), PEER, 0);
        }
        assertEquals(bound, arp.queuedPackets());
        assertEquals(3, counters.get("arp.drop.queue-full"));
        link.drain();
        input(arp(2, PEER_MAC, PEER, US_MAC, US), 1);
        List<byte[]> sent = link.drain();
        assertEquals(bound, sent.size());
        assertEquals(3, getInt(sent.getFirst(), 14), "the three oldest were dropped");
        assertEquals(link.pool.capacity(), link.pool.available(), "no buffer leaked");
    }

    @Test
    void unansweredResolutionProbesThreeTimesThenDropsThePackets() {
        arp.setAddress(US, 0);
        link.drain();
        arp.send(ipPacket(1), PEER, 0);
        for (long t = 1; t <= 3; t++) {
            arp.onTimer(t * SECOND);
        }
        List<byte[]> sent = link.drain();
        assertEquals(3, sent.stream().filter(f -> getInt(f, 38) == PEER).count(), "three requests in all");
        assertEquals(1, counters.get("arp.drop.unresolved"));
        assertEquals(0, arp.size());
        assertEquals(link.pool.capacity(), link.pool.available());
    }

    @Test
    void theCacheIsBoundedAndEvictsTheLeastRecentlyUsed() {
        Arp small = new Arp(link, new Arp.Limits(4, 2, 8, 60 * SECOND, SECOND, 3), counters);
        small.setAddress(US, 0);
        for (int i = 0; i < 4; i++) {
            small.input(PacketBuffer.wrap(arp(1, PEER_MAC + i, PEER + i, 0, US)), 0, 28, i);
        }
        assertEquals(4, small.size());
        small.send(ipPacket(0), PEER, 10); // PEER is now the most recently used
        small.input(PacketBuffer.wrap(arp(1, PEER_MAC + 9, PEER + 9, 0, US)), 0, 28, 11);
        assertEquals(4, small.size());
        assertEquals(1, counters.get("arp.cache.evicted"));
        assertEquals(-1, small.lookup(PEER + 1), "the least recently used went");
        assertEquals(PEER_MAC, small.lookup(PEER));
        assertEquals(PEER_MAC + 9, small.lookup(PEER + 9));
    }

    @Test
    void aFullCacheOfResolvingEntriesStillResolvesNewAddresses() {
        Arp small = new Arp(link, new Arp.Limits(2, 2, 8, 60 * SECOND, SECOND, 3), counters);
        small.setAddress(US, 0);
        for (int i = 0; i < 5; i++) {
            small.send(ipPacket(i), PEER + i, i);
        }
        assertEquals(2, small.size());
        link.drain();
        small.input(PacketBuffer.wrap(arp(2, PEER_MAC + 4, PEER + 4, US_MAC, US)), 0, 28, 10);
        assertEquals(PEER_MAC + 4, small.lookup(PEER + 4));
        assertEquals(1, link.drain().size(), "the newest packet went out");
        assertEquals(3, counters.get("arp.drop.unresolved"), "evicted entries dropped their queues");
    }

    @Test
    void staleEntriesAreRefreshedByUnicastAndRemovedWhenSilent() {
        arp.setAddress(US, 0);
        input(arp(1, PEER_MAC, PEER, 0, US), 0);
        link.drain();
        long later = 61 * SECOND;
        arp.send(ipPacket(1), PEER, later);
        List<byte[]> sent = link.drain();
        assertEquals(2, sent.size(), "a unicast probe and the packet");
        assertEquals(PEER_MAC, getMac(sent.get(0), 0), "the probe is unicast");
        assertEquals(0x0806, getU16(sent.get(0), 12));
        assertEquals(PEER_MAC, getMac(sent.get(1), 0), "the packet still goes out");
        for (long t = 1; t <= 3; t++) {
            arp.onTimer(later + t * SECOND);
        }
        assertEquals(-1, arp.lookup(PEER));
    }

    @Test
    void aStaleEntryConfirmedByAReplyStays() {
        arp.setAddress(US, 0);
        input(arp(1, PEER_MAC, PEER, 0, US), 0);
        arp.send(ipPacket(1), PEER, 61 * SECOND);
        input(arp(2, PEER_MAC, PEER, US_MAC, US), 61 * SECOND + 5);
        for (long t = 1; t <= 5; t++) {
            arp.onTimer(61 * SECOND + t * SECOND);
        }
        assertEquals(PEER_MAC, arp.lookup(PEER));
    }

    @Test
    void anotherHostClaimingOurAddressIsCountedAndDefendedOncePerTenSeconds() {
        arp.setAddress(US, 0);
        arp.onTimer(0);
        arp.onTimer(2 * SECOND);
        link.drain();
        input(arp(1, PEER_MAC, US, 0, US), 5 * SECOND);
        input(arp(1, PEER_MAC, US, 0, US), 6 * SECOND);
        assertEquals(2, counters.get("arp.conflict"));
        assertEquals(1, link.drain().size(), "one defence within ten seconds");
        assertEquals(-1, arp.lookup(US));
    }

    @Test
    void malformedPacketsAreCountedByReason() {
        arp.setAddress(US, 0);
        input(new byte[10], 0);
        byte[] wrongType = arp(1, PEER_MAC, PEER, 0, US);
        wrongType[1] = 6;
        input(wrongType, 0);
        input(arp(1, 0xff_ff_ff_ff_ff_ffL, PEER, 0, US), 0);
        input(arp(1, US_MAC, PEER, 0, US), 0);
        byte[] badOp = arp(7, PEER_MAC, PEER, 0, US);
        input(badOp, 0);
        assertEquals(1, counters.get("arp.drop.short"));
        assertEquals(2, counters.get("arp.drop.unsupported"));
        assertEquals(1, counters.get("arp.drop.bad-sender"));
        assertEquals(1, counters.get("arp.drop.own-mac"));
        assertEquals(0, arp.size());
    }

    @Test
    void probesFromUnconfiguredHostsAreAnsweredButNotCached() {
        arp.setAddress(US, 0);
        link.drain();
        input(arp(1, PEER_MAC, 0, 0, US), 0); // RFC 5227 probe for our address
        assertEquals(1, link.drain().size());
        assertEquals(0, arp.size());
    }
}
