package io.miragej.tcpip.arp;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.ethernet.EthernetFrame;

/**
 * ARP for IPv4 over Ethernet (RFC 826), as a sans-IO core: ARP packets and the time in, frames
 * through the {@link Link} and the next deadline out.
 *
 * <ul>
 *   <li>A cache of at most {@link Limits#entries} entries. A new entry evicts the least recently
 *       used resolved one (or, when all are still resolving, the least recently used of those).
 *   <li>Resolution: a broadcast request, repeated every {@link Limits#probeIntervalNanos} up to
 *       {@link Limits#probes} times; packets for the address wait in a queue of at most {@link
 *       Limits#queuedPerEntry} (oldest dropped first), {@link Limits#queuedTotal} over all entries.
 *       When no reply comes the queued packets are dropped and counted.
 *   <li>Aging, as Linux's neighbour states: an entry confirmed longer than {@link
 *       Limits#reachableNanos} ago is still used, but the next use sends unicast requests to
 *       refresh it; unanswered, the entry is removed.
 *   <li>Merging per RFC 826: an ARP packet from a cached address updates it; a request or reply
 *       addressed to us adds its sender. Requests for our address are answered.
 *   <li>Gratuitous ARP: two announcements two seconds apart when the address is set (RFC 5227
 *       section 2.3); a packet claiming our address from another MAC is counted as a conflict
 *       and answered with an announcement at most every ten seconds (section 2.4 (b)).
 * </ul>
 *
 * <p>Counters: {@code arp.rx.packets}, {@code arp.rx.ignored}, {@code arp.tx.requests}, {@code
 * .replies}, {@code .announcements}, {@code arp.cache.evicted}, {@code arp.conflict}, and drops
 * {@code arp.drop.short}, {@code .unsupported}, {@code .bad-sender}, {@code .own-mac}, {@code
 * .queue-full}, {@code .unresolved}, {@code .no-buffer}.
 */
public final class Arp {
    /** Bounds and timers of the cache. */
    public record Limits(int entries, int queuedPerEntry, int queuedTotal, long reachableNanos,
            long probeIntervalNanos, int probes) {
        public Limits {
            if (entries < 1 || queuedPerEntry < 1 || queuedTotal < 1 || reachableNanos <= 0
                    || probeIntervalNanos <= 0 || probes < 1) {
                throw new IllegalArgumentException("ARP limits must all be positive: " + this);
            }
        }

        /**
         * 256 entries, 64 packets queued per entry (a fragmented 64 KiB datagram fits; Linux
         * queues about as much) and 512 in all, 60 s reachable, 3 probes 1 s apart.
         */
        public static Limits defaults() {
            return new Limits(256, 64, 512, 60_000_000_000L, 1_000_000_000L, 3);
        }
    }

    static final long ANNOUNCE_INTERVAL = 2_000_000_000L;
    static final long DEFEND_INTERVAL = 10_000_000_000L;
    private static final byte FREE = 0;
    private static final byte INCOMPLETE = 1;
    private static final byte REACHABLE = 2;
    /** Past its reachable time and being refreshed with unicast requests; still used. */
    private static final byte PROBING = 3;

    private final Link link;
    private final Limits limits;
    private final ArpPacket packet = new ArpPacket();
    private final int[] ip;
    private final long[] mac;
    private final byte[] state;
    private final long[] confirmed;
    private final long[] lastUsed;
    private final long[] probeAt;
    private final int[] probesSent;
    private final PacketBuffer[][] queue;
    private final int[] queued;
    private int queuedTotal;
    private int lastHit;
    private int address;
    private int announcementsLeft;
    private long announceAt = Long.MAX_VALUE;
    private long lastDefence = Long.MIN_VALUE / 2;
    private long deadline = Long.MAX_VALUE;

    private final Counter rxPackets;
    private final Counter rxIgnored;
    private final Counter txRequests;
    private final Counter txReplies;
    private final Counter txAnnouncements;
    private final Counter evicted;
    private final Counter conflict;
    private final Counter dropShort;
    private final Counter dropUnsupported;
    private final Counter dropBadSender;
    private final Counter dropOwnMac;
    private final Counter dropQueueFull;
    private final Counter dropUnresolved;
    private final Counter dropNoBuffer;
    private final Counter dropOffloadUnresolved;

    public Arp(Link link, Limits limits, Counters counters) {
        this.link = link;
        this.limits = limits;
        int n = limits.entries();
        ip = new int[n];
        mac = new long[n];
        state = new byte[n];
        confirmed = new long[n];
        lastUsed = new long[n];
        probeAt = new long[n];
        probesSent = new int[n];
        queue = new PacketBuffer[n][limits.queuedPerEntry()];
        queued = new int[n];
        rxPackets = counters.counter("arp.rx.packets");
        rxIgnored = counters.counter("arp.rx.ignored");
        txRequests = counters.counter("arp.tx.requests");
        txReplies = counters.counter("arp.tx.replies");
        txAnnouncements = counters.counter("arp.tx.announcements");
        evicted = counters.counter("arp.cache.evicted");
        conflict = counters.counter("arp.conflict");
        dropShort = counters.counter("arp.drop.short");
        dropUnsupported = counters.counter("arp.drop.unsupported");
        dropBadSender = counters.counter("arp.drop.bad-sender");
        dropOwnMac = counters.counter("arp.drop.own-mac");
        dropQueueFull = counters.counter("arp.drop.queue-full");
        dropUnresolved = counters.counter("arp.drop.unresolved");
        dropNoBuffer = counters.counter("arp.drop.no-buffer");
        dropOffloadUnresolved = counters.counter("arp.drop.offload-unresolved");
    }

    /** Sets our IPv4 address (0 for none) and announces it with gratuitous ARP. */
    public void setAddress(int address, long now) {
        this.address = address;
        if (address != 0) {
            announcementsLeft = 2;
            announceAt = now;
            deadline = Math.min(deadline, now);
        } else {
            announcementsLeft = 0;
            announceAt = Long.MAX_VALUE;
        }
    }

    public int address() {
        return address;
    }

    /** The next time {@link #onTimer} has work, or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        return deadline;
    }

    /** The MAC cached for {@code ipv4} (resolved or being refreshed), or -1. */
    public long lookup(int ipv4) {
        int i = find(ipv4);
        return i >= 0 && state[i] != INCOMPLETE ? mac[i] : -1;
    }

    /** Number of entries in the cache, resolving ones included. */
    public int size() {
        int n = 0;
        for (byte s : state) {
            if (s != FREE) {
                n++;
            }
        }
        return n;
    }

    /** Packets waiting for resolution, over all entries. */
    public int queuedPackets() {
        return queuedTotal;
    }

    // ---- input ----

    /** Handles an ARP packet at {@code buf[offset, offset+length)}. */
    public void input(PacketBuffer buf, int offset, int length, long now) {
        rxPackets.increment();
        if (length < ArpPacket.LENGTH) {
            dropShort.increment();
            return;
        }
        packet.wrap(buf, offset);
        if (!packet.isEthernetIpv4()) {
            dropUnsupported.increment();
            return;
        }
        long sha = packet.senderMac();
        int spa = packet.senderIp();
        int tpa = packet.targetIp();
        if (sha == 0 || EthernetFrame.isGroup(sha)) {
            dropBadSender.increment();
            return;
        }
        if (sha == link.mac()) {
            dropOwnMac.increment();
            return;
        }
        if (address != 0 && spa == address) {
            // Someone else uses our address (RFC 5227 2.4): count it, defend at most every 10 s.
            conflict.increment();
            if (now - lastDefence >= DEFEND_INTERVAL) {
                lastDefence = now;
                announce();
            }
            return;
        }
        boolean merged = false;
        if (spa != 0) { // a probe (sender 0.0.0.0) must not enter caches (RFC 5227 2.1.1)
            int i = find(spa);
            if (i >= 0) {
                confirm(i, sha, now);
                merged = true;
            }
        }
        if (address == 0 || tpa != address) {
            rxIgnored.increment();
            return;
        }
        if (!merged && spa != 0) {
            int i = allocateSlot(spa, now);
            confirm(i, sha, now);
        }
        if (packet.operation() == ArpPacket.REQUEST) {
            transmitArp(ArpPacket.REPLY, sha, sha, spa);
            txReplies.increment();
        }
    }

    private void confirm(int i, long sha, long now) {
        byte before = state[i];
        mac[i] = sha;
        state[i] = REACHABLE;
        confirmed[i] = now;
        probesSent[i] = 0;
        probeAt[i] = Long.MAX_VALUE;
        if (before == INCOMPLETE) {
            flush(i);
        }
    }

    private void flush(int i) {
        PacketBuffer[] q = queue[i];
        for (int k = 0; k < queued[i]; k++) {
            PacketBuffer p = q[k];
            q[k] = null;
            EthernetFrame.prepend(p, mac[i], link.mac(), EthernetFrame.TYPE_IPV4);
            link.transmit(p);
        }
        queuedTotal -= queued[i];
        queued[i] = 0;
    }

    // ---- output ----

    /**
     * Sends {@code packet} (an IPv4 packet with headroom for an Ethernet header) to the neighbour
     * {@code nextHop}, taking ownership: it goes out now when the MAC is known, waits in the queue
     * while the address is being resolved, or is dropped and counted.
     */
    public void send(PacketBuffer packet, int nextHop, long now) {
        send(packet, nextHop, 0, now);
    }

    /**
     * As {@link #send(PacketBuffer, int, long)}, for a TCP segment the device cuts at {@code
     * segmentSize} payload bytes (0: an ordinary packet). Such a packet does not wait for
     * resolution: it is dropped and counted ({@code arp.drop.offload-unresolved}), and TCP resends
     * its data in ordinary segments.
     */
    public void send(PacketBuffer packet, int nextHop, int segmentSize, long now) {
        int i = find(nextHop);
        if (i < 0) {
            i = allocateSlot(nextHop, now);
            state[i] = INCOMPLETE;
            probesSent[i] = 1;
            probeAt[i] = now + limits.probeIntervalNanos();
            deadline = Math.min(deadline, probeAt[i]);
            request(EthernetFrame.BROADCAST, nextHop);
        }
        lastUsed[i] = now;
        if (segmentSize > 0 && state[i] == INCOMPLETE) {
            dropOffloadUnresolved.increment();
            packet.release();
            return;
        }
        switch (state[i]) {
            case INCOMPLETE -> enqueue(i, packet);
            case REACHABLE -> {
                if (now - confirmed[i] > limits.reachableNanos()) {
                    state[i] = PROBING;
                    probesSent[i] = 1;
                    probeAt[i] = now + limits.probeIntervalNanos();
                    deadline = Math.min(deadline, probeAt[i]);
                    request(mac[i], nextHop);
                }
                transmit(packet, mac[i], segmentSize);
            }
            default -> transmit(packet, mac[i], segmentSize);
        }
    }

    private void transmit(PacketBuffer packet, long to, int segmentSize) {
        EthernetFrame.prepend(packet, to, link.mac(), EthernetFrame.TYPE_IPV4);
        if (segmentSize > 0) {
            link.transmitSegmented(packet, segmentSize);
        } else {
            link.transmit(packet);
        }
    }

    private void enqueue(int i, PacketBuffer p) {
        PacketBuffer[] q = queue[i];
        if (queued[i] == q.length) {
            q[0].release();
            System.arraycopy(q, 1, q, 0, q.length - 1);
            q[q.length - 1] = p;
            dropQueueFull.increment();
            return;
        }
        if (queuedTotal >= limits.queuedTotal()) {
            p.release();
            dropQueueFull.increment();
            return;
        }
        q[queued[i]++] = p;
        queuedTotal++;
    }

    private void request(long destination, int target) {
        transmitArp(ArpPacket.REQUEST, destination, 0, target);
        txRequests.increment();
    }

    private void announce() {
        transmitArp(ArpPacket.REQUEST, EthernetFrame.BROADCAST, 0, address);
        txAnnouncements.increment();
    }

    private void transmitArp(int op, long destination, long targetMac, int targetIp) {
        PacketBuffer f = link.allocate();
        if (f == null) {
            dropNoBuffer.increment();
            return;
        }
        f.extend(ArpPacket.LENGTH);
        ArpPacket.write(f, op, link.mac(), address, targetMac, targetIp);
        EthernetFrame.prepend(f, destination, link.mac(), EthernetFrame.TYPE_ARP);
        link.transmit(f);
    }

    // ---- time ----

    /** Does what is due at {@code now}: probes, failed resolutions, announcements. */
    public void onTimer(long now) {
        if (now < deadline) {
            return;
        }
        long next = Long.MAX_VALUE;
        for (int i = 0; i < state.length; i++) {
            byte s = state[i];
            if (s != INCOMPLETE && s != PROBING) {
                continue;
            }
            if (probeAt[i] <= now) {
                if (probesSent[i] >= limits.probes()) {
                    if (s == INCOMPLETE) {
                        dropUnresolved.add(queued[i]);
                    }
                    free(i);
                    continue;
                }
                probesSent[i]++;
                probeAt[i] = now + limits.probeIntervalNanos();
                request(s == INCOMPLETE ? EthernetFrame.BROADCAST : mac[i], ip[i]);
            }
            next = Math.min(next, probeAt[i]);
        }
        if (announcementsLeft > 0 && announceAt <= now) {
            announce();
            announcementsLeft--;
            announceAt = announcementsLeft > 0 ? now + ANNOUNCE_INTERVAL : Long.MAX_VALUE;
        }
        deadline = Math.min(next, announceAt);
    }

    // ---- table ----

    private int find(int ipv4) {
        int h = lastHit;
        if (state[h] != FREE && ip[h] == ipv4) {
            return h;
        }
        for (int i = 0; i < ip.length; i++) {
            if (state[i] != FREE && ip[i] == ipv4) {
                lastHit = i;
                return i;
            }
        }
        return -1;
    }

    private int allocateSlot(int ipv4, long now) {
        int victim = -1;
        int resolvingVictim = -1;
        for (int i = 0; i < state.length; i++) {
            if (state[i] == FREE) {
                victim = i;
                resolvingVictim = -1;
                break;
            }
            if (state[i] == INCOMPLETE) {
                if (resolvingVictim < 0 || lastUsed[i] < lastUsed[resolvingVictim]) {
                    resolvingVictim = i;
                }
            } else if (victim < 0 || lastUsed[i] < lastUsed[victim]) {
                victim = i;
            }
        }
        int i = victim >= 0 ? victim : resolvingVictim;
        if (state[i] != FREE) {
            evicted.increment();
            dropUnresolved.add(queued[i]);
            free(i);
        }
        ip[i] = ipv4;
        state[i] = REACHABLE;
        lastUsed[i] = now;
        confirmed[i] = now;
        probeAt[i] = Long.MAX_VALUE;
        probesSent[i] = 0;
        lastHit = i;
        return i;
    }

    private void free(int i) {
        PacketBuffer[] q = queue[i];
        for (int k = 0; k < queued[i]; k++) {
            q[k].release();
            q[k] = null;
        }
        queuedTotal -= queued[i];
        queued[i] = 0;
        state[i] = FREE;
    }

    /** Drops every entry and every queued packet. */
    public void clear() {
        for (int i = 0; i < state.length; i++) {
            if (state[i] != FREE) {
                free(i);
            }
        }
    }
}
