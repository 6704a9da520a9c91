package io.miragej.tcpip.ipv6;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.ethernet.EthernetFrame;

/**
 * Neighbour discovery for a host (RFC 4861) and stateless address autoconfiguration (RFC 4862),
 * sans-IO.
 *
 * <ul>
 *   <li>Address resolution through a bounded {@link NeighborCache}: Neighbor Solicitations to the
 *       target's solicited-node group (unicast to refresh), Neighbor Advertisements answering
 *       solicitations for our addresses, learning from both.
 *   <li>Duplicate address detection: every address starts tentative; one solicitation from the
 *       unspecified address, and if nobody claims it within a second it is ours. A claim (an
 *       advertisement, or another node's DAD solicitation for it) removes it and is counted.
 *   <li>Router discovery: up to three Router Solicitations four seconds apart once the
 *       link-local address is ours; Router Advertisements set default routers, on-link prefixes,
 *       the link MTU, and, for prefixes with the autonomous flag and a 64-bit prefix, form
 *       addresses from the interface identifier (SLAAC), with RFC 4862 5.5.3's two-hour rule
 *       against short-lived advertisements.
 *   <li>Every message is checked as section 6.1 and 7.1 ask: hop limit 255, code 0, lengths,
 *       options of non-zero length; anything else is counted and dropped.
 * </ul>
 *
 * <p>Not done: redirects (ignored), MLD reports for the groups we listen on (the switches we run
 * behind flood multicast), DHCPv6, privacy addresses (RFC 8981).
 *
 * <p>Counters: {@code ndp.rx.ns}, {@code .na}, {@code .ra}, {@code ndp.tx.ns}, {@code .na},
 * {@code .rs}, {@code ndp.dad.succeeded}, {@code .duplicate}, {@code ndp.slaac.addresses}, drops
 * {@code ndp.drop.invalid}, {@code .no-buffer}, plus the cache's.
 */
public final class Ndp {
    static final long SECOND = 1_000_000_000L;
    static final long RETRANS_TIMER = SECOND;
    static final long RTR_SOLICITATION_INTERVAL = 4 * SECOND;
    static final int MAX_RTR_SOLICITATIONS = 3;
    static final long TWO_HOURS = 7200 * SECOND;
    private static final long INFINITE = Long.MAX_VALUE / 4;

    private final Ipv6 ip;
    private final Link link;
    private final long interfaceId;
    private final NeighborCache cache;
    private final long[] dadAt = new long[Ipv6.MAX_ADDRESSES];
    private final long[] scratch = new long[2];
    private boolean slaac;
    private int solicitationsSent;
    private long solicitAt = Long.MAX_VALUE;
    private boolean heardRouter;

    private final Counter rxNs;
    private final Counter rxNa;
    private final Counter rxRa;
    private final Counter txNs;
    private final Counter txNa;
    private final Counter txRs;
    private final Counter dadOk;
    private final Counter dadDuplicate;
    private final Counter slaacAddresses;
    private final Counter dropInvalid;
    private final Counter dropNoBuffer;

    public Ndp(Ipv6 ip, Link link, Counters counters) {
        this.ip = ip;
        this.link = link;
        this.interfaceId = Ipv6Header.interfaceId(link.mac());
        this.cache = new NeighborCache(link, this::solicit, 256, 64, 512, 30 * SECOND, RETRANS_TIMER, 3, counters);
        ip.neighbors = cache;
        rxNs = counters.counter("ndp.rx.ns");
        rxNa = counters.counter("ndp.rx.na");
        rxRa = counters.counter("ndp.rx.ra");
        txNs = counters.counter("ndp.tx.ns");
        txNa = counters.counter("ndp.tx.na");
        txRs = counters.counter("ndp.tx.rs");
        dadOk = counters.counter("ndp.dad.succeeded");
        dadDuplicate = counters.counter("ndp.dad.duplicate");
        slaacAddresses = counters.counter("ndp.slaac.addresses");
        dropInvalid = counters.counter("ndp.drop.invalid");
        dropNoBuffer = counters.counter("ndp.drop.no-buffer");
    }

    /** Brings IPv6 up: the link-local address (after DAD), then router solicitation when SLAAC is on. */
    public void start(boolean slaac, long now) {
        this.slaac = slaac;
        int i = ip.addAddress(Ipv6Header.LINK_LOCAL_PREFIX, interfaceId, 64, false, INFINITE);
        if (i >= 0) {
            beginDad(i, now);
        }
    }

    /** A static address with its prefix, which is on-link. */
    public void addStatic(long high, long low, int prefix, long now) {
        int i = ip.addAddress(high, low, prefix, false, INFINITE);
        if (i >= 0) {
            ip.addPrefix(high, low, prefix, INFINITE);
            beginDad(i, now);
        }
    }

    /** A static default router. */
    public void addStaticRouter(long high, long low) {
        ip.setRouter(high, low, INFINITE);
    }

    public long interfaceId() {
        return interfaceId;
    }

    /** The cached link-layer address of a neighbour, or -1. */
    public long lookup(long high, long low) {
        return cache.lookup(high, low);
    }

    public int cacheSize() {
        return cache.size();
    }

    /** Packets waiting for address resolution. */
    public int queuedPackets() {
        return cache.queuedPackets();
    }

    // ---- duplicate address detection ----

    private void beginDad(int i, long now) {
        dadAt[i] = now + RETRANS_TIMER;
        sendSolicitation(0, 0, Ipv6Header.ALL_NODES_HIGH, Ipv6Header.solicitedNodeLow(ip.addrLow[i]), ip.addrHigh[i],
                ip.addrLow[i], false, now);
    }

    private void duplicate(int i) {
        dadDuplicate.increment();
        ip.removeAddress(i);
        dadAt[i] = Long.MAX_VALUE;
    }

    // ---- time ----

    public long nextDeadline() {
        long d = solicitAt;
        for (int i = 0; i < Ipv6.MAX_ADDRESSES; i++) {
            if (ip.addrState[i] == Ipv6.TENTATIVE) {
                d = Math.min(d, dadAt[i]);
            } else if (ip.addrState[i] != 0) {
                d = Math.min(d, ip.addrValidUntil[i]);
            }
        }
        return d;
    }

    public void onTimer(long now) {
        for (int i = 0; i < Ipv6.MAX_ADDRESSES; i++) {
            if (ip.addrState[i] == Ipv6.TENTATIVE && dadAt[i] <= now) {
                ip.markPreferred(i);
                dadAt[i] = Long.MAX_VALUE;
                dadOk.increment();
                if (Ipv6Header.isLinkLocal(ip.addrHigh[i]) && slaac && solicitationsSent == 0) {
                    solicitAt = now;
                }
            } else if (ip.addrState[i] != 0 && ip.addrValidUntil[i] <= now) {
                ip.removeAddress(i); // the lease of an autoconfigured address ran out
            }
        }
        if (solicitAt <= now) {
            if (heardRouter || solicitationsSent >= MAX_RTR_SOLICITATIONS) {
                solicitAt = Long.MAX_VALUE;
            } else {
                sendRouterSolicitation(now);
                solicitationsSent++;
                solicitAt = solicitationsSent < MAX_RTR_SOLICITATIONS ? now + RTR_SOLICITATION_INTERVAL
                        : Long.MAX_VALUE;
            }
        }
    }

    // ---- messages in ----

    private boolean valid(IpContext c, PacketBuffer b, int off, int len, int minimum) {
        if (c.hopLimit != 255 || len < minimum || b.getU8(off + 1) != 0) {
            dropInvalid.increment();
            return false;
        }
        for (int p = off + minimum; p < off + len; ) {
            if (p + 2 > off + len) {
                dropInvalid.increment();
                return false;
            }
            int olen = b.getU8(p + 1) * 8;
            if (olen == 0 || p + olen > off + len) {
                dropInvalid.increment();
                return false;
            }
            p += olen;
        }
        return true;
    }

    /** The link-layer address in option {@code type} (1 source, 2 target), or -1. */
    private static long linkOption(PacketBuffer b, int from, int end, int type) {
        for (int p = from; p + 2 <= end; ) {
            int olen = b.getU8(p + 1) * 8;
            if (olen == 0) {
                return -1;
            }
            if (b.getU8(p) == type && olen >= 8 && p + 8 <= end) {
                return EthernetFrame.readMac(b, p + 2);
            }
            p += olen;
        }
        return -1;
    }

    void solicitation(IpContext c, PacketBuffer b, int off, int len, long now) {
        rxNs.increment();
        if (!valid(c, b, off, len, 24)) {
            return;
        }
        long th = b.getI64(off + 8);
        long tl = b.getI64(off + 16);
        boolean fromUnspecified = Ipv6Header.isUnspecified(c.sourceHigh, c.sourceLow);
        long slla = linkOption(b, off + 24, off + len, 1);
        if (Ipv6Header.isMulticast(th) || (fromUnspecified
                && (!Ipv6Header.isSolicitedNodeOf(c.destinationHigh, c.destinationLow, tl) || slla != -1))) {
            dropInvalid.increment();
            return;
        }
        int i = ip.findAddress(th, tl);
        if (i < 0) {
            return; // not for one of our addresses
        }
        if (ip.addrState[i] == Ipv6.TENTATIVE) {
            if (fromUnspecified) {
                duplicate(i); // someone else is probing for the same address (RFC 4862 5.4.3)
            }
            return;
        }
        if (!fromUnspecified && slla != -1) {
            cache.learn(c.sourceHigh, c.sourceLow, slla, false, true, true, now);
        }
        if (fromUnspecified) {
            sendAdvertisement(th, tl, Ipv6Header.ALL_NODES_HIGH, Ipv6Header.ALL_NODES_LOW, false, now);
        } else {
            sendAdvertisement(th, tl, c.sourceHigh, c.sourceLow, true, now);
        }
    }

    void advertisement(IpContext c, PacketBuffer b, int off, int len, long now) {
        rxNa.increment();
        if (!valid(c, b, off, len, 24)) {
            return;
        }
        int flags = b.getI32(off + 4);
        boolean router = (flags & 0x8000_0000) != 0;
        boolean solicited = (flags & 0x4000_0000) != 0;
        boolean override = (flags & 0x2000_0000) != 0;
        long th = b.getI64(off + 8);
        long tl = b.getI64(off + 16);
        if (Ipv6Header.isMulticast(th) || (solicited && Ipv6Header.isMulticast(c.destinationHigh))) {
            dropInvalid.increment();
            return;
        }
        int i = ip.findAddress(th, tl);
        if (i >= 0) {
            if (ip.addrState[i] == Ipv6.TENTATIVE) {
                duplicate(i);
            }
            return; // someone claims our address; counted by DAD when tentative, ignored after
        }
        long tlla = linkOption(b, off + 24, off + len, 2);
        if (tlla != -1) {
            cache.learn(th, tl, tlla, solicited, override, false, now);
            cache.setRouter(th, tl, router);
        }
    }

    void routerAdvertisement(IpContext c, PacketBuffer b, int off, int len, long now) {
        rxRa.increment();
        if (!valid(c, b, off, len, 16)) {
            return;
        }
        if (!Ipv6Header.isLinkLocal(c.sourceHigh)) {
            dropInvalid.increment(); // routers advertise from their link-local address (6.1.2)
            return;
        }
        heardRouter = true;
        long lifetime = b.getU16(off + 6) * SECOND;
        ip.setRouter(c.sourceHigh, c.sourceLow, lifetime == 0 ? 0 : now + lifetime);
        int end = off + len;
        for (int p = off + 16; p + 2 <= end; ) {
            int type = b.getU8(p);
            int olen = b.getU8(p + 1) * 8;
            switch (type) {
                case 1 -> {
                    if (olen >= 8) {
                        cache.learn(c.sourceHigh, c.sourceLow, EthernetFrame.readMac(b, p + 2), false, true, true, now);
                        cache.setRouter(c.sourceHigh, c.sourceLow, true);
                    }
                }
                case 5 -> {
                    if (olen == 8) {
                        ip.setMtu((int) Math.min(Integer.MAX_VALUE, b.getU32(p + 4)));
                    }
                }
                case 3 -> {
                    if (olen == 32) {
                        prefixInformation(b, p, now);
                    }
                }
                default -> {}
            }
            p += olen;
        }
    }

    private void prefixInformation(PacketBuffer b, int p, long now) {
        int length = b.getU8(p + 2);
        int flags = b.getU8(p + 3);
        long valid = lifetime(b.getU32(p + 4));
        long preferred = lifetime(b.getU32(p + 8));
        long ph = b.getI64(p + 16);
        long pl = b.getI64(p + 24);
        if (Ipv6Header.isLinkLocal(ph) || length > 128 || preferred > valid) {
            dropInvalid.increment();
            return;
        }
        if ((flags & 0x80) != 0) {
            ip.addPrefix(ph, pl, length, valid == 0 ? 0 : now + valid);
        }
        if ((flags & 0x40) == 0 || !slaac || length != 64 || valid == 0) {
            return;
        }
        long ah = ph;
        long al = interfaceId;
        int i = ip.findAddress(ah, al);
        if (i >= 0) {
            // RFC 4862 5.5.3 e: a short valid lifetime may not cut an address below two hours.
            long remaining = ip.addrValidUntil[i] - now;
            if (valid > TWO_HOURS || valid > remaining) {
                ip.addrValidUntil[i] = now + valid;
            } else if (remaining > TWO_HOURS) {
                ip.addrValidUntil[i] = now + TWO_HOURS;
            }
            return;
        }
        int k = ip.addAddress(ah, al, 64, true, now + valid);
        if (k >= 0) {
            slaacAddresses.increment();
            beginDad(k, now);
        }
    }

    private static long lifetime(long seconds) {
        return seconds == 0xffff_ffffL ? INFINITE : seconds * SECOND;
    }

    // ---- messages out ----

    /** For the neighbour cache: resolve (mac -1, to the solicited-node group) or refresh (unicast). */
    private void solicit(long th, long tl, long mac, long now) {
        if (!ip.sourceFor(th, tl, scratch)) {
            return; // no usable source address yet
        }
        long sh = scratch[0];
        long sl = scratch[1];
        if (mac == -1) {
            sendSolicitation(sh, sl, Ipv6Header.ALL_NODES_HIGH, Ipv6Header.solicitedNodeLow(tl), th, tl, true, now);
        } else {
            sendSolicitation(sh, sl, th, tl, th, tl, true, now);
        }
    }

    private void sendSolicitation(long sh, long sl, long dh, long dl, long th, long tl, boolean withSource,
            long now) {
        PacketBuffer out = link.allocate();
        if (out == null) {
            dropNoBuffer.increment();
            return;
        }
        int len = 24 + (withSource ? 8 : 0);
        out.extend(len);
        out.setU8(0, Icmpv6.NEIGHBOR_SOLICITATION).setU8(1, 0).setU16(2, 0).setI32(4, 0).setI64(8, th).setI64(16, tl);
        if (withSource) {
            out.setU8(24, 1).setU8(25, 1);
            EthernetFrame.writeMac(out, 26, link.mac());
        }
        out.setU16(2, Icmpv6.checksum(out, len, sh, sl, dh, dl));
        txNs.increment();
        ip.send(out, Ipv6Header.ICMPV6, sh, sl, dh, dl, 255, now);
    }

    private void sendAdvertisement(long th, long tl, long dh, long dl, boolean solicited, long now) {
        PacketBuffer out = link.allocate();
        if (out == null) {
            dropNoBuffer.increment();
            return;
        }
        out.extend(32);
        int flags = (solicited ? 0x4000_0000 : 0) | 0x2000_0000;
        out.setU8(0, Icmpv6.NEIGHBOR_ADVERTISEMENT).setU8(1, 0).setU16(2, 0).setI32(4, flags).setI64(8, th)
                .setI64(16, tl).setU8(24, 2).setU8(25, 1);
        EthernetFrame.writeMac(out, 26, link.mac());
        out.setU16(2, Icmpv6.checksum(out, 32, th, tl, dh, dl));
        txNa.increment();
        ip.send(out, Ipv6Header.ICMPV6, th, tl, dh, dl, 255, now);
    }

    private void sendRouterSolicitation(long now) {
        boolean haveLinkLocal = ip.linkLocal(scratch);
        long sh = haveLinkLocal ? scratch[0] : 0;
        long sl = haveLinkLocal ? scratch[1] : 0;
        PacketBuffer out = link.allocate();
        if (out == null) {
            dropNoBuffer.increment();
            return;
        }
        int len = haveLinkLocal ? 16 : 8;
        out.extend(len);
        out.setU8(0, Icmpv6.ROUTER_SOLICITATION).setU8(1, 0).setU16(2, 0).setI32(4, 0);
        if (haveLinkLocal) {
            out.setU8(8, 1).setU8(9, 1);
            EthernetFrame.writeMac(out, 10, link.mac());
        }
        out.setU16(2, Icmpv6.checksum(out, len, sh, sl, Ipv6Header.ALL_NODES_HIGH, Ipv6Header.ALL_ROUTERS_LOW));
        txRs.increment();
        ip.send(out, Ipv6Header.ICMPV6, sh, sl, Ipv6Header.ALL_NODES_HIGH, Ipv6Header.ALL_ROUTERS_LOW, 255, now);
    }
}
