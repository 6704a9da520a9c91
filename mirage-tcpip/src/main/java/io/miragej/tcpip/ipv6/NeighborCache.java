package io.miragej.tcpip.ipv6;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.ethernet.EthernetFrame;

/**
 * IPv6's neighbour cache (RFC 4861 section 7.3), bounded like ARP's: at most {@link #entries}
 * entries (least recently used evicted), a queue of packets per entry while its address is being
 * resolved, multicast solicitations every second up to three times, and unicast probes to refresh
 * an entry confirmed longer than the reachable time ago. The states are RFC 4861's: INCOMPLETE,
 * REACHABLE, STALE (learnt without confirmation, or aged), DELAY (used while stale: five seconds
 * for upper layers to confirm) and PROBE (unicast solicitations).
 *
 * <p>Counters: {@code ndp.cache.evicted}, drops {@code ndp.drop.queue-full}, {@code
 * .unresolved}.
 */
final class NeighborCache {
    /** Sends a Neighbor Solicitation for the target, to {@code mac} or (-1) its solicited-node group. */
    interface Solicitor {
        void solicit(long targetHigh, long targetLow, long mac, long now);
    }

    static final byte FREE = 0;
    static final byte INCOMPLETE = 1;
    static final byte REACHABLE = 2;
    static final byte STALE = 3;
    static final byte PROBE = 4;
    static final byte DELAY = 5;
    static final long DELAY_FIRST_PROBE = 5_000_000_000L;

    final int entries;
    private final int queuedPerEntry;
    private final int queuedTotal;
    private final long reachable;
    private final long retransmit;
    private final int probes;
    private final Link link;
    private final Solicitor solicitor;
    private final long[] high;
    private final long[] low;
    private final long[] mac;
    private final byte[] state;
    private final boolean[] router;
    private final long[] confirmed;
    private final long[] used;
    private final long[] probeAt;
    private final int[] probesSent;
    private final PacketBuffer[][] queue;
    private final int[] queued;
    private int queuedCount;
    private long deadline = Long.MAX_VALUE;
    private final Counter evicted;
    private final Counter dropQueueFull;
    private final Counter dropUnresolved;
    private final Counter dropOffloadUnresolved;

    NeighborCache(Link link, Solicitor solicitor, int entries, int queuedPerEntry, int queuedTotal, long reachable,
            long retransmit, int probes, Counters counters) {
        this.link = link;
        this.solicitor = solicitor;
        this.entries = entries;
        this.queuedPerEntry = queuedPerEntry;
        this.queuedTotal = queuedTotal;
        this.reachable = reachable;
        this.retransmit = retransmit;
        this.probes = probes;
        high = new long[entries];
        low = new long[entries];
        mac = new long[entries];
        state = new byte[entries];
        router = new boolean[entries];
        confirmed = new long[entries];
        used = new long[entries];
        probeAt = new long[entries];
        probesSent = new int[entries];
        queue = new PacketBuffer[entries][queuedPerEntry];
        queued = new int[entries];
        evicted = counters.counter("ndp.cache.evicted");
        dropQueueFull = counters.counter("ndp.drop.queue-full");
        dropUnresolved = counters.counter("ndp.drop.unresolved");
        dropOffloadUnresolved = counters.counter("ndp.drop.offload-unresolved");
    }

    int find(long h, long l) {
        for (int i = 0; i < entries; i++) {
            if (state[i] != FREE && low[i] == l && high[i] == h) {
                return i;
            }
        }
        return -1;
    }

    /** The link-layer address of a neighbour, or -1 when unknown or still being resolved. */
    long lookup(long h, long l) {
        int i = find(h, l);
        return i >= 0 && state[i] != INCOMPLETE ? mac[i] : -1;
    }

    int size() {
        int n = 0;
        for (byte s : state) {
            if (s != FREE) {
                n++;
            }
        }
        return n;
    }

    int queuedPackets() {
        return queuedCount;
    }

    long nextDeadline() {
        return deadline;
    }

    /**
     * A link-layer address learnt for a neighbour: from a solicitation or advertisement ({@code
     * solicited} and {@code override} as the NA flags; a solicitation's source option counts as
     * unsolicited with override).
     */
    void learn(long h, long l, long linkAddress, boolean solicited, boolean override, boolean create, long now) {
        int i = find(h, l);
        if (i < 0) {
            if (!create) {
                return;
            }
            i = allocate(h, l, now);
            mac[i] = linkAddress;
            state[i] = solicited ? REACHABLE : STALE;
            confirmed[i] = now;
            return;
        }
        byte before = state[i];
        if (before == INCOMPLETE) {
            mac[i] = linkAddress;
            state[i] = solicited ? REACHABLE : STALE;
            confirmed[i] = now;
            probeAt[i] = Long.MAX_VALUE;
            flush(i);
            return;
        }
        boolean changed = mac[i] != linkAddress;
        if (override || !changed) {
            mac[i] = linkAddress;
            if (solicited) {
                state[i] = REACHABLE;
                confirmed[i] = now;
                probeAt[i] = Long.MAX_VALUE;
            } else if (changed) {
                state[i] = STALE;
            }
        } else if (state[i] == REACHABLE) {
            state[i] = STALE; // a different address without override: doubt the one we have (7.2.5)
        }
    }

    void setRouter(long h, long l, boolean isRouter) {
        int i = find(h, l);
        if (i >= 0) {
            router[i] = isRouter;
        }
    }

    /** Sends an IPv6 packet to the neighbour {@code (h, l)}, taking ownership. */
    void send(PacketBuffer packet, long h, long l, long now) {
        send(packet, h, l, 0, now);
    }

    /**
     * Sends, for a TCP segment the device cuts at {@code segmentSize} payload bytes (0: an
     * ordinary packet); such a packet does not wait for resolution but is dropped and counted.
     */
    void send(PacketBuffer packet, long h, long l, int segmentSize, long now) {
        int i = find(h, l);
        if (i < 0) {
            i = allocate(h, l, now);
            state[i] = INCOMPLETE;
            probesSent[i] = 1;
            probeAt[i] = now + retransmit;
            deadline = Math.min(deadline, probeAt[i]);
            solicitor.solicit(h, l, -1, now);
        }
        used[i] = now;
        if (segmentSize > 0 && state[i] == INCOMPLETE) {
            dropOffloadUnresolved.increment();
            packet.release();
            return;
        }
        switch (state[i]) {
            case INCOMPLETE -> enqueue(i, packet);
            case REACHABLE, STALE -> {
                if (state[i] == STALE || now - confirmed[i] > reachable) {
                    state[i] = DELAY; // give the peer five seconds to show it is there (7.3.3)
                    probesSent[i] = 0;
                    probeAt[i] = now + DELAY_FIRST_PROBE;
                    deadline = Math.min(deadline, probeAt[i]);
                }
                transmit(packet, mac[i], segmentSize);
            }
            default -> transmit(packet, mac[i], segmentSize);
        }
    }

    private void transmit(PacketBuffer packet, long to, int segmentSize) {
        EthernetFrame.prepend(packet, to, link.mac(), EthernetFrame.TYPE_IPV6);
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
        if (queuedCount >= queuedTotal) {
            p.release();
            dropQueueFull.increment();
            return;
        }
        q[queued[i]++] = p;
        queuedCount++;
    }

    private void flush(int i) {
        for (int k = 0; k < queued[i]; k++) {
            PacketBuffer p = queue[i][k];
            queue[i][k] = null;
            transmit(p, mac[i], 0);
        }
        queuedCount -= queued[i];
        queued[i] = 0;
    }

    void onTimer(long now) {
        if (now < deadline) {
            return;
        }
        long next = Long.MAX_VALUE;
        for (int i = 0; i < entries; i++) {
            byte s = state[i];
            if (s != INCOMPLETE && s != PROBE && s != DELAY) {
                continue;
            }
            if (s == DELAY && probeAt[i] <= now) {
                state[i] = s = PROBE;
            }
            if (probeAt[i] <= now) {
                if (probesSent[i] >= probes) {
                    if (s == INCOMPLETE) {
                        dropUnresolved.add(queued[i]);
                    }
                    free(i);
                    continue;
                }
                probesSent[i]++;
                probeAt[i] = now + retransmit;
                solicitor.solicit(high[i], low[i], s == INCOMPLETE ? -1 : mac[i], now);
            }
            next = Math.min(next, probeAt[i]);
        }
        deadline = next;
    }

    private int allocate(long h, long l, long now) {
        int victim = -1;
        int resolving = -1;
        for (int i = 0; i < entries; i++) {
            if (state[i] == FREE) {
                victim = i;
                resolving = -1;
                break;
            }
            if (state[i] == INCOMPLETE) {
                if (resolving < 0 || used[i] < used[resolving]) {
                    resolving = i;
                }
            } else if (victim < 0 || used[i] < used[victim]) {
                victim = i;
            }
        }
        int i = victim >= 0 ? victim : resolving;
        if (state[i] != FREE) {
            evicted.increment();
            dropUnresolved.add(queued[i]);
            free(i);
        }
        high[i] = h;
        low[i] = l;
        state[i] = STALE;
        router[i] = false;
        used[i] = now;
        confirmed[i] = now;
        probeAt[i] = Long.MAX_VALUE;
        probesSent[i] = 0;
        return i;
    }

    private void free(int i) {
        for (int k = 0; k < queued[i]; k++) {
            queue[i][k].release();
            queue[i][k] = null;
        }
        queuedCount -= queued[i];
        queued[i] = 0;
        state[i] = FREE;
    }
}
