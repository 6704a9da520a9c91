package io.miragej.tcpip.ipv6;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.Link;

/**
 * Multicast Listener Discovery, listener side (MLDv2, RFC 3810, falling back to MLDv1, RFC 2710,
 * while an MLDv1 querier is present), for the groups the stack listens to by itself: the
 * solicited-node groups of its addresses (all-nodes is never reported, RFC 3810 6). A switch that
 * snoops MLD forwards a group's packets only to ports that reported it, so without these reports
 * neighbour solicitations for our addresses would not reach us behind such a switch.
 *
 * <p>When the set of groups changes, a state-change report (CHANGE_TO_EXCLUDE for the groups
 * joined, CHANGE_TO_INCLUDE for those left) goes out at once and {@link #ROBUSTNESS} − 1 more
 * times at random within {@link #UNSOLICITED_REPORT_INTERVAL}. A query (from a link-local source,
 * hop limit 1) is answered with a current-state report after a random delay within its maximum
 * response delay. Reports go to ff02::16 (MLDv1: to the group; leaving: ff02::2) with hop limit 1
 * and a Router Alert option, from the link-local address, or from the unspecified address while
 * that is still tentative (RFC 3590).
 *
 * <p>Counters: {@code mld.tx.reports}, {@code mld.rx.queries}, {@code mld.drop.invalid},
 * {@code mld.drop.no-buffer}.
 */
public final class Mld {
    static final int QUERY = 130;
    static final int V1_REPORT = 131;
    static final int V1_DONE = 132;
    static final int V2_REPORT = 143;
    static final int MODE_IS_EXCLUDE = 2;
    static final int CHANGE_TO_INCLUDE = 3;
    static final int CHANGE_TO_EXCLUDE = 4;
    static final int ROBUSTNESS = 2;
    static final long SECOND = 1_000_000_000L;
    static final long UNSOLICITED_REPORT_INTERVAL = SECOND;
    /** RFC 3810 9.12: robustness × query interval (125 s) + query response interval (10 s). */
    static final long OLDER_VERSION_QUERIER_TIMEOUT = 260 * SECOND;
    static final long ALL_MLDV2_ROUTERS_LOW = 0x16;
    static final long ALL_ROUTERS_LOW = 2;
    static final int MAX_GROUPS = Ipv6.MAX_ADDRESSES;
    /** Hop-by-hop header with a Router Alert for MLD (RFC 2711) and two bytes of padding. */
    static final int HOP_BY_HOP_LENGTH = 8;

    private final Ipv6 ip;
    private final Link link;
    private final long[] joined = new long[MAX_GROUPS];
    private int joinedCount;
    private final long[] left = new long[MAX_GROUPS];
    private int leftCount;
    private final long[] current = new long[MAX_GROUPS];
    private final long[] scratch = new long[2];
    private int seenGeneration = -1;
    private int changeReportsLeft;
    private long changeReportAt = Long.MAX_VALUE;
    private long queryResponseAt = Long.MAX_VALUE;
    private long v1Until = Long.MIN_VALUE;
    private long random;

    private final Counter txReports;
    private final Counter rxQueries;
    private final Counter dropInvalid;
    private final Counter dropNoBuffer;

    public Mld(Ipv6 ip, Link link, Counters counters, long seed) {
        this.ip = ip;
        this.link = link;
        this.random = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        txReports = counters.counter("mld.tx.reports");
        rxQueries = counters.counter("mld.rx.queries");
        dropInvalid = counters.counter("mld.drop.invalid");
        dropNoBuffer = counters.counter("mld.drop.no-buffer");
    }

    /** The low 64 bits of the groups reported now (all in ff02::/16). */
    public int groups(long[] out) {
        System.arraycopy(joined, 0, out, 0, Math.min(out.length, joinedCount));
        return joinedCount;
    }

    private long nextRandom(long bound) {
        random ^= random << 13;
        random ^= random >>> 7;
        random ^= random << 17;
        return bound <= 0 ? 0 : Math.floorMod(random, bound);
    }

    private boolean v1(long now) {
        return now < v1Until;
    }

    // ---- time ----

    public long nextDeadline() {
        if (ip.generation() != seenGeneration) {
            return Long.MIN_VALUE; // the addresses changed: look at the groups at once
        }
        return Math.min(changeReportAt, queryResponseAt);
    }

    public void onTimer(long now) {
        if (ip.generation() != seenGeneration) {
            seenGeneration = ip.generation();
            sync(now);
        }
        if (changeReportAt <= now) {
            sendChange(now);
            changeReportsLeft--;
            changeReportAt = changeReportsLeft > 0 ? now + 1 + nextRandom(UNSOLICITED_REPORT_INTERVAL) : Long.MAX_VALUE;
            if (changeReportsLeft == 0) {
                leftCount = 0;
            }
        }
        if (queryResponseAt <= now) {
            queryResponseAt = Long.MAX_VALUE;
            sendCurrentState(now);
        }
    }

    /** Compares the groups of the addresses with those reported; a change is reported. */
    private void sync(long now) {
        int n = 0;
        for (int i = 0; i < Ipv6.MAX_ADDRESSES; i++) {
            if (ip.addrState[i] != 0) {
                long g = Ipv6Header.solicitedNodeLow(ip.addrLow[i]);
                if (indexOf(current, n, g) < 0) {
                    current[n++] = g;
                }
            }
        }
        boolean changed = false;
        for (int k = 0; k < joinedCount; k++) {
            if (indexOf(current, n, joined[k]) < 0) {
                if (indexOf(left, leftCount, joined[k]) < 0 && leftCount < MAX_GROUPS) {
                    left[leftCount++] = joined[k];
                }
                changed = true;
            }
        }
        for (int k = 0; k < n; k++) {
            if (indexOf(joined, joinedCount, current[k]) < 0) {
                changed = true;
                int l = indexOf(left, leftCount, current[k]);
                if (l >= 0) {
                    left[l] = left[--leftCount]; // joined again before the leave was done
                }
            }
        }
        System.arraycopy(current, 0, joined, 0, n);
        joinedCount = n;
        if (changed) {
            changeReportsLeft = ROBUSTNESS;
            changeReportAt = now;
        }
    }

    private static int indexOf(long[] a, int n, long v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    // ---- queries ----

    /** An MLD query (ICMPv6 type 130), from {@link Icmpv6}. */
    void query(IpContext c, PacketBuffer b, int off, int len, long now) {
        rxQueries.increment();
        if (len < 24 || c.hopLimit != 1 || !Ipv6Header.isLinkLocal(c.sourceHigh)) {
            dropInvalid.increment(); // RFC 3810 5.1.14: only from a link-local router on this link
            return;
        }
        long maxDelay;
        if (len == 24) {
            v1Until = now + OLDER_VERSION_QUERIER_TIMEOUT; // an MLDv1 querier: answer in its language
            maxDelay = b.getU16(off + 4) * 1_000_000L;
        } else if (len >= 28) {
            int code = b.getU16(off + 4);
            long ms = code < 32768 ? code : (long) ((code & 0x0fff) | 0x1000) << (((code >>> 12) & 0x7) + 3);
            maxDelay = ms * 1_000_000L;
        } else {
            dropInvalid.increment();
            return;
        }
        long groupHigh = b.getI64(off + 8);
        long groupLow = b.getI64(off + 16);
        boolean general = groupHigh == 0 && groupLow == 0;
        if (!general && (groupHigh != Ipv6Header.ALL_NODES_HIGH || indexOf(joined, joinedCount, groupLow) < 0)) {
            return; // about a group we are not in
        }
        if (joinedCount == 0) {
            return;
        }
        long at = now + nextRandom(maxDelay + 1);
        if (at < queryResponseAt) {
            queryResponseAt = at;
        }
    }

    // ---- reports ----

    private void sendChange(long now) {
        if (v1(now)) {
            for (int k = 0; k < joinedCount; k++) {
                sendV1(V1_REPORT, joined[k], Ipv6Header.ALL_NODES_HIGH, joined[k], now);
            }
            for (int k = 0; k < leftCount; k++) {
                sendV1(V1_DONE, left[k], Ipv6Header.ALL_NODES_HIGH, ALL_ROUTERS_LOW, now);
            }
            return;
        }
        sendV2(joined, joinedCount, CHANGE_TO_EXCLUDE, left, leftCount, CHANGE_TO_INCLUDE, now);
    }

    private void sendCurrentState(long now) {
        if (v1(now)) {
            for (int k = 0; k < joinedCount; k++) {
                sendV1(V1_REPORT, joined[k], Ipv6Header.ALL_NODES_HIGH, joined[k], now);
            }
        } else {
            sendV2(joined, joinedCount, MODE_IS_EXCLUDE, left, 0, 0, now);
        }
    }

    /** Our link-local address if it is usable, else the unspecified address (RFC 3590). */
    private void source() {
        if (!ip.linkLocal(scratch)) {
            scratch[0] = 0;
            scratch[1] = 0;
        }
    }

    private void sendV2(long[] a, int na, int typeA, long[] b, int nb, int typeB, long now) {
        if (na + nb == 0) {
            return;
        }
        PacketBuffer out = link.allocate();
        if (out == null) {
            dropNoBuffer.increment();
            return;
        }
        int len = 8 + 20 * (na + nb);
        out.extend(len);
        out.setU8(0, V2_REPORT).setU8(1, 0).setU16(2, 0).setU16(4, 0).setU16(6, na + nb);
        int p = 8;
        for (int k = 0; k < na + nb; k++) {
            boolean first = k < na;
            out.setU8(p, first ? typeA : typeB).setU8(p + 1, 0).setU16(p + 2, 0)
                    .setI64(p + 4, Ipv6Header.ALL_NODES_HIGH).setI64(p + 12, first ? a[k] : b[k - na]);
            p += 20;
        }
        send(out, len, Ipv6Header.ALL_NODES_HIGH, ALL_MLDV2_ROUTERS_LOW, now);
    }

    private void sendV1(int type, long group, long dh, long dl, long now) {
        PacketBuffer out = link.allocate();
        if (out == null) {
            dropNoBuffer.increment();
            return;
        }
        out.extend(24);
        out.setU8(0, type).setU8(1, 0).setU16(2, 0).setU16(4, 0).setU16(6, 0).setI64(8, Ipv6Header.ALL_NODES_HIGH)
                .setI64(16, group);
        send(out, 24, dh, dl, now);
    }

    private void send(PacketBuffer out, int len, long dh, long dl, long now) {
        source();
        long sh = scratch[0];
        long sl = scratch[1];
        out.setU16(2, Icmpv6.checksum(out, len, sh, sl, dh, dl));
        // Hop-by-hop options: next header ICMPv6, length 0 (8 bytes), Router Alert 0 (MLD), PadN.
        out.prepend(HOP_BY_HOP_LENGTH).setU8(0, Ipv6Header.ICMPV6).setU8(1, 0).setU8(2, 5).setU8(3, 2)
                .setU16(4, 0).setU8(6, 1).setU8(7, 0);
        txReports.increment();
        ip.send(out, Ipv6Header.HOP_BY_HOP, sh, sl, dh, dl, 1, now);
    }
}
