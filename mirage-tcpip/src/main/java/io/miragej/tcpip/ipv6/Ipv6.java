package io.miragej.tcpip.ipv6;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.core.RangeSet;
import io.miragej.tcpip.ethernet.EthernetFrame;

/**
 * IPv6 for a host (RFC 8200, addressing of RFC 4291), as a sans-IO core: packets and the time in;
 * deliveries to transports, frames through the neighbour cache, and the next deadline out.
 *
 * <ul>
 *   <li>Addresses: a link-local address from the MAC's modified EUI-64 identifier, static
 *       addresses, and those {@link Ndp} forms from router advertisements (SLAAC); each is
 *       tentative until duplicate address detection passes. At most {@link #MAX_ADDRESSES}.
 *   <li>Receiving accepts our addresses, all-nodes and the solicited-node groups of our
 *       addresses; walks hop-by-hop, destination-options and routing headers (a routing header
 *       with segments left is dropped, RFC 8200 4.4); reassembles fragments with RFC 5722's rule
 *       (an overlap discards the datagram), bounded like IPv4's reassembly.
 *   <li>Sending routes to on-link prefixes directly and elsewhere through a default router,
 *       fragments what exceeds the MTU, and loops our own addresses back.
 * </ul>
 *
 * <p>Counters: {@code ipv6.rx.packets}, {@code .delivered}, {@code ipv6.tx.packets}, {@code
 * .fragments}; drops {@code ipv6.drop.short}, {@code .version}, {@code .length}, {@code
 * .bad-source}, {@code .not-for-us}, {@code .extension-header}, {@code .unknown-next-header},
 * {@code ipv6.reassembly.*}, {@code ipv6.tx.drop.no-route}, {@code .no-source}, {@code
 * .no-buffer}, {@code .loopback-full}.
 */
public final class Ipv6 {
    /** Takes packets of one next-header value; {@code buf[offset, offset+length)} is the payload. */
    @FunctionalInterface
    public interface Transport {
        void receive(IpContext ip, PacketBuffer buf, int offset, int length, long now);
    }

    /** Reports what ICMPv6 answers. */
    public interface Errors {
        void unrecognizedNextHeader(IpContext ip, int pointer, long now);
    }

    public static final int MAX_ADDRESSES = 8;
    public static final int MAX_PREFIXES = 8;
    public static final int MAX_ROUTERS = 4;
    public static final int DEFAULT_HOP_LIMIT = 64;
    static final byte TENTATIVE = 1;
    static final byte PREFERRED = 2;
    private static final int MAX_EXTENSION_HEADERS = 8;
    private static final int LOOPBACK_QUEUE = 64;
    private static final int MIN_MTU = 1280;

    final Link link;
    private final Ipv6Header header = new Ipv6Header();
    private final IpContext context = new IpContext();
    private final Transport[] transports = new Transport[256];
    private final Reassembly reassembly;
    private Errors errors;
    NeighborCache neighbors;
    private int mtu;
    private int nextId;
    private final long[] scratch = new long[2];
    /** Bumped whenever addresses or routers change, so observers can refresh their view. */
    private int generation;

    // addresses
    final long[] addrHigh = new long[MAX_ADDRESSES];
    final long[] addrLow = new long[MAX_ADDRESSES];
    final int[] addrPrefix = new int[MAX_ADDRESSES];
    final byte[] addrState = new byte[MAX_ADDRESSES];
    final long[] addrValidUntil = new long[MAX_ADDRESSES];
    final boolean[] addrAutoconf = new boolean[MAX_ADDRESSES];
    // on-link prefixes
    final long[] prefixHigh = new long[MAX_PREFIXES];
    final long[] prefixLow = new long[MAX_PREFIXES];
    final int[] prefixLength = new int[MAX_PREFIXES];
    final long[] prefixValidUntil = new long[MAX_PREFIXES];
    // default routers
    final long[] routerHigh = new long[MAX_ROUTERS];
    final long[] routerLow = new long[MAX_ROUTERS];
    final long[] routerUntil = new long[MAX_ROUTERS];

    private final PacketBuffer[] loopback = new PacketBuffer[LOOPBACK_QUEUE];
    private int loopHead;
    private int loopCount;
    private boolean looping;

    private final Counter rxPackets;
    private final Counter rxDelivered;
    private final Counter txPackets;
    private final Counter txFragments;
    private final Counter dropShort;
    private final Counter dropVersion;
    private final Counter dropLength;
    private final Counter dropBadSource;
    private final Counter dropNotForUs;
    private final Counter dropExtension;
    private final Counter dropUnknownNext;
    private final Counter txNoRoute;
    private final Counter txNoSource;
    private final Counter txNoBuffer;
    private final Counter txLoopbackFull;

    public Ipv6(Link link, Counters counters, int firstId) {
        this.link = link;
        this.mtu = link.mtu();
        this.nextId = firstId;
        this.reassembly = new Reassembly(16, 64, 60_000_000_000L, counters);
        rxPackets = counters.counter("ipv6.rx.packets");
        rxDelivered = counters.counter("ipv6.rx.delivered");
        txPackets = counters.counter("ipv6.tx.packets");
        txFragments = counters.counter("ipv6.tx.fragments");
        dropShort = counters.counter("ipv6.drop.short");
        dropVersion = counters.counter("ipv6.drop.version");
        dropLength = counters.counter("ipv6.drop.length");
        dropBadSource = counters.counter("ipv6.drop.bad-source");
        dropNotForUs = counters.counter("ipv6.drop.not-for-us");
        dropExtension = counters.counter("ipv6.drop.extension-header");
        dropUnknownNext = counters.counter("ipv6.drop.unknown-next-header");
        txNoRoute = counters.counter("ipv6.tx.drop.no-route");
        txNoSource = counters.counter("ipv6.tx.drop.no-source");
        txNoBuffer = counters.counter("ipv6.tx.drop.no-buffer");
        txLoopbackFull = counters.counter("ipv6.tx.drop.loopback-full");
    }

    public void register(int nextHeader, Transport t) {
        transports[nextHeader] = t;
    }

    public void setErrors(Errors errors) {
        this.errors = errors;
    }

    public int mtu() {
        return mtu;
    }

    /** A router's MTU option (RFC 4861 4.6.4): taken when between 1280 and the link's. */
    void setMtu(int m) {
        if (m >= MIN_MTU && m <= link.mtu()) {
            mtu = m;
        }
    }

    public int maxPayload() {
        return mtu - Ipv6Header.LENGTH;
    }

    // =====================================================================================
    // Addresses, prefixes, routers
    // =====================================================================================

    /** Adds an address (tentative until DAD passes); returns its slot or -1 when full or present. */
    int addAddress(long high, long low, int prefix, boolean autoconf, long validUntil) {
        if (findAddress(high, low) >= 0) {
            return -1;
        }
        for (int i = 0; i < MAX_ADDRESSES; i++) {
            if (addrState[i] == 0) {
                addrHigh[i] = high;
                addrLow[i] = low;
                addrPrefix[i] = prefix;
                addrState[i] = TENTATIVE;
                addrAutoconf[i] = autoconf;
                addrValidUntil[i] = validUntil;
                generation++;
                return i;
            }
        }
        return -1;
    }

    void removeAddress(int i) {
        addrState[i] = 0;
        generation++;
    }

    void markPreferred(int i) {
        addrState[i] = PREFERRED;
        generation++;
    }

    /** Changes with every change of addresses or routers. */
    public int generation() {
        return generation;
    }

    /** True when some default router is known now. */
    public boolean hasDefaultRouter(long now) {
        return defaultRouter(now) >= 0;
    }

    int findAddress(long high, long low) {
        for (int i = 0; i < MAX_ADDRESSES; i++) {
            if (addrState[i] != 0 && addrLow[i] == low && addrHigh[i] == high) {
                return i;
            }
        }
        return -1;
    }

    /** True when (high, low) is one of our addresses past DAD. */
    public boolean isOurs(long high, long low) {
        int i = findAddress(high, low);
        return i >= 0 && addrState[i] == PREFERRED;
    }

    /** Our preferred addresses with prefix lengths, for the application's view. */
    public int addressCount() {
        int n = 0;
        for (byte s : addrState) {
            if (s == PREFERRED) {
                n++;
            }
        }
        return n;
    }

    /** Fills {@code out} with (high, low, prefix) of the {@code k}-th preferred address. */
    public boolean address(int k, long[] out) {
        for (int i = 0; i < MAX_ADDRESSES; i++) {
            if (addrState[i] == PREFERRED && k-- == 0) {
                out[0] = addrHigh[i];
                out[1] = addrLow[i];
                out[2] = addrPrefix[i];
                return true;
            }
        }
        return false;
    }

    void addPrefix(long high, long low, int length, long validUntil) {
        long mh = maskHigh(length);
        long ml = maskLow(length);
        high &= mh;
        low &= ml;
        int free = -1;
        for (int i = 0; i < MAX_PREFIXES; i++) {
            if (prefixLength[i] > 0 && prefixLength[i] == length && prefixHigh[i] == high && prefixLow[i] == low) {
                prefixValidUntil[i] = validUntil;
                if (validUntil <= 0) {
                    prefixLength[i] = 0;
                }
                return;
            }
            if (prefixLength[i] == 0 && free < 0) {
                free = i;
            }
        }
        if (free >= 0 && validUntil > 0) {
            prefixHigh[free] = high;
            prefixLow[free] = low;
            prefixLength[free] = length;
            prefixValidUntil[free] = validUntil;
        }
    }

    void setRouter(long high, long low, long until) {
        generation++;
        int free = -1;
        for (int i = 0; i < MAX_ROUTERS; i++) {
            if (routerUntil[i] > 0 && routerHigh[i] == high && routerLow[i] == low) {
                routerUntil[i] = until;
                return;
            }
            if (routerUntil[i] <= 0 && free < 0) {
                free = i;
            }
        }
        if (free >= 0 && until > 0) {
            routerHigh[free] = high;
            routerLow[free] = low;
            routerUntil[free] = until;
        }
    }

    static long maskHigh(int length) {
        return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
    }

    static long maskLow(int length) {
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    boolean onLink(long high, long low, long now) {
        if (Ipv6Header.isLinkLocal(high)) {
            return true;
        }
        for (int i = 0; i < MAX_PREFIXES; i++) {
            int len = prefixLength[i];
            if (len > 0 && prefixValidUntil[i] > now && ((high ^ prefixHigh[i]) & maskHigh(len)) == 0
                    && ((low ^ prefixLow[i]) & maskLow(len)) == 0) {
                return true;
            }
        }
        return false;
    }

    private int defaultRouter(long now) {
        for (int i = 0; i < MAX_ROUTERS; i++) {
            if (routerUntil[i] > now) {
                return i;
            }
        }
        return -1;
    }

    /** True when a packet to (high, low) has a way out. */
    public boolean hasRoute(long high, long low, long now) {
        return Ipv6Header.isMulticast(high) || findAddress(high, low) >= 0 || onLink(high, low, now)
                || defaultRouter(now) >= 0;
    }

    /**
     * Our source address towards (high, low) (RFC 6724 in brief: link-local for link-local and
     * multicast-link-scope destinations, otherwise a global one): into {@code out}; false when we
     * have none suitable.
     */
    public boolean sourceFor(long high, long low, long[] out) {
        int i = findAddress(high, low);
        if (i >= 0 && addrState[i] == PREFERRED) {
            out[0] = high;
            out[1] = low;
            return true;
        }
        boolean linkScope = Ipv6Header.isLinkLocal(high) || (Ipv6Header.isMulticast(high) && ((high >>> 48) & 0xf) <= 2);
        int fallback = -1;
        for (int k = 0; k < MAX_ADDRESSES; k++) {
            if (addrState[k] != PREFERRED) {
                continue;
            }
            boolean ll = Ipv6Header.isLinkLocal(addrHigh[k]);
            if (ll == linkScope) {
                out[0] = addrHigh[k];
                out[1] = addrLow[k];
                return true;
            }
            fallback = k;
        }
        if (fallback >= 0 && linkScope) {
            out[0] = addrHigh[fallback];
            out[1] = addrLow[fallback];
            return true;
        }
        return false;
    }

    /** The link-local address, if past DAD, into {@code out}. */
    boolean linkLocal(long[] out) {
        for (int k = 0; k < MAX_ADDRESSES; k++) {
            if (addrState[k] == PREFERRED && Ipv6Header.isLinkLocal(addrHigh[k])) {
                out[0] = addrHigh[k];
                out[1] = addrLow[k];
                return true;
            }
        }
        return false;
    }

    private boolean acceptsDestination(long high, long low) {
        if (high == Ipv6Header.ALL_NODES_HIGH) {
            if (low == Ipv6Header.ALL_NODES_LOW) {
                return true;
            }
            for (int i = 0; i < MAX_ADDRESSES; i++) {
                if (addrState[i] != 0 && low == Ipv6Header.solicitedNodeLow(addrLow[i])) {
                    return true; // tentative addresses too: DAD needs their solicitations
                }
            }
            return false;
        }
        int i = findAddress(high, low);
        return i >= 0;
    }

    // =====================================================================================
    // Receiving
    // =====================================================================================

    public void receive(PacketBuffer buf, int offset, int available, boolean linkGroup, long now) {
        receive(buf, offset, available, linkGroup, IpContext.CHECKSUM_UNKNOWN, 0, now);
    }

    /**
     * Handles an IPv6 packet with what the device said of it: {@code checksumAt} and {@code
     * segmentSize} as in {@link IpContext#offloads}.
     */
    public void receive(PacketBuffer buf, int offset, int available, boolean linkGroup, int checksumAt,
            int segmentSize, long now) {
        rxPackets.increment();
        if (available < Ipv6Header.LENGTH) {
            dropShort.increment();
            return;
        }
        Ipv6Header h = header.wrap(buf, offset);
        if (h.version() != 6) {
            dropVersion.increment();
            return;
        }
        int total = Ipv6Header.LENGTH + h.payloadLength();
        if (total > available) {
            dropLength.increment();
            return;
        }
        long sh = h.sourceHigh();
        long sl = h.sourceLow();
        long dh = h.destinationHigh();
        long dl = h.destinationLow();
        if (Ipv6Header.isMulticast(sh) || (!looping && isOurs(sh, sl))) {
            dropBadSource.increment();
            return;
        }
        if (!acceptsDestination(dh, dl)) {
            dropNotForUs.increment();
            return;
        }
        int nh = h.nextHeader();
        int p = offset + Ipv6Header.LENGTH;
        int end = offset + total;
        boolean reassembled = false;
        for (int n = 0; ; n++) {
            if (n > MAX_EXTENSION_HEADERS) {
                dropExtension.increment();
                return;
            }
            if (nh == Ipv6Header.HOP_BY_HOP || nh == Ipv6Header.DESTINATION_OPTIONS || nh == Ipv6Header.ROUTING) {
                if ((nh == Ipv6Header.HOP_BY_HOP && n != 0) || p + 8 > end) {
                    dropExtension.increment();
                    return;
                }
                int len = (buf.getU8(p + 1) + 1) * 8;
                if (p + len > end || (nh == Ipv6Header.ROUTING && buf.getU8(p + 3) != 0)) {
                    dropExtension.increment(); // truncated, or a route we would have to forward on
                    return;
                }
                nh = buf.getU8(p);
                p += len;
                continue;
            }
            if (nh == Ipv6Header.FRAGMENT) {
                if (p + 8 > end || reassembled) {
                    dropExtension.increment();
                    return;
                }
                PacketBuffer whole = reassembly.add(buf, p, end, sh, sl, dh, dl, h.hopLimit(), now);
                if (whole == null) {
                    return;
                }
                reassembled = true;
                buf = whole;
                offset = 0;
                h = header.wrap(whole, 0);
                nh = h.nextHeader();
                p = Ipv6Header.LENGTH;
                end = whole.length();
                total = end;
                continue;
            }
            break;
        }
        if (nh == Ipv6Header.NO_NEXT_HEADER) {
            return;
        }
        IpContext c = context;
        c.setV6(sh, sl, dh, dl);
        c.reassembled = reassembled;
        c.toGroup = Ipv6Header.isMulticast(dh);
        c.hopLimit = h.hopLimit();
        c.trafficClass = h.trafficClass();
        c.packet = buf;
        c.packetOffset = offset;
        c.packetLength = total;
        c.offloads(checksumAt, segmentSize, p);
        Transport t = transports[nh];
        if (t == null) {
            dropUnknownNext.increment();
            if (errors != null && !c.toGroup) {
                errors.unrecognizedNextHeader(c, 6, now);
            }
            return;
        }
        rxDelivered.increment();
        t.receive(c, buf, p, end - p, now);
    }

    // =====================================================================================
    // Sending
    // =====================================================================================

    /**
     * Sends {@code payload} (its window is the upper-layer message, headroom for the headers)
     * from source (unspecified: chosen) to destination, taking ownership.
     */
    public boolean send(PacketBuffer payload, int nextHeader, long srcHigh, long srcLow, long dstHigh, long dstLow,
            int hopLimit, long now) {
        if (Ipv6Header.isUnspecified(srcHigh, srcLow) && nextHeader != Ipv6Header.ICMPV6
                && nextHeader != Ipv6Header.HOP_BY_HOP) { // ND and MLD may go from the unspecified address
            long[] s = scratch;
            if (!sourceFor(dstHigh, dstLow, s)) {
                txNoSource.increment();
                payload.release();
                return false;
            }
            srcHigh = s[0];
            srcLow = s[1];
        }
        long groupMac = -1;
        long nextHigh = dstHigh;
        long nextLow = dstLow;
        boolean local = false;
        if (Ipv6Header.isMulticast(dstHigh)) {
            groupMac = EthernetFrame.ipv6MulticastMac(dstLow);
        } else if (findAddress(dstHigh, dstLow) >= 0 || (dstHigh == 0 && dstLow == 1)) {
            local = true;
        } else if (!onLink(dstHigh, dstLow, now)) {
            int r = defaultRouter(now);
            if (r < 0) {
                txNoRoute.increment();
                payload.release();
                return false;
            }
            nextHigh = routerHigh[r];
            nextLow = routerLow[r];
        }
        int max = maxPayload();
        if (payload.length() <= max || local) {
            Ipv6Header.prepend(payload, 0, nextHeader, hopLimit, srcHigh, srcLow, dstHigh, dstLow);
            return route(payload, local, groupMac, nextHigh, nextLow, now);
        }
        // Fragment (RFC 8200 4.5): 8-byte fragment headers, pieces a multiple of 8.
        int step = (max - 8) & ~7;
        int id = nextId++;
        int total = payload.length();
        boolean ok = true;
        for (int off = 0; off < total; off += step) {
            int len = Math.min(step, total - off);
            PacketBuffer f = link.allocate();
            if (f == null) {
                txNoBuffer.increment();
                ok = false;
                break;
            }
            f.extend(len);
            payload.copyTo(off, f, 0, len);
            f.prepend(8);
            f.setU8(0, nextHeader).setU8(1, 0).setU16(2, off | (off + len < total ? 1 : 0)).setI32(4, id);
            Ipv6Header.prepend(f, 0, Ipv6Header.FRAGMENT, hopLimit, srcHigh, srcLow, dstHigh, dstLow);
            txFragments.increment();
            ok &= route(f, false, groupMac, nextHigh, nextLow, now);
        }
        payload.release();
        return ok;
    }

    /**
     * Sends {@code payload}, one TCP segment longer than the MTU, as one packet for the device to
     * cut at {@code segmentSize} payload bytes (the link's {@link Link#transmitSegmented}), taking
     * ownership; the payload length covers the whole packet. Only to a unicast destination off
     * this host, from a given source; anything else is dropped and counted.
     */
    public boolean sendSegmented(PacketBuffer payload, long srcHigh, long srcLow, long dstHigh, long dstLow,
            int segmentSize, long now) {
        long nextHigh = dstHigh;
        long nextLow = dstLow;
        if (Ipv6Header.isMulticast(dstHigh) || findAddress(dstHigh, dstLow) >= 0 || (dstHigh == 0 && dstLow == 1)
                || Ipv6Header.isUnspecified(srcHigh, srcLow) || payload.length() > 65_535) {
            txNoRoute.increment();
            payload.release();
            return false;
        }
        if (!onLink(dstHigh, dstLow, now)) {
            int r = defaultRouter(now);
            if (r < 0) {
                txNoRoute.increment();
                payload.release();
                return false;
            }
            nextHigh = routerHigh[r];
            nextLow = routerLow[r];
        }
        Ipv6Header.prepend(payload, 0, 6, DEFAULT_HOP_LIMIT, srcHigh, srcLow, dstHigh, dstLow);
        txPackets.increment();
        neighbors.send(payload, nextHigh, nextLow, segmentSize, now);
        return true;
    }

    private boolean route(PacketBuffer packet, boolean local, long groupMac, long nextHigh, long nextLow, long now) {
        txPackets.increment();
        if (local) {
            if (loopCount == LOOPBACK_QUEUE) {
                txLoopbackFull.increment();
                packet.release();
                return false;
            }
            loopback[(loopHead + loopCount++) % LOOPBACK_QUEUE] = packet;
            return true;
        }
        if (groupMac != -1) {
            EthernetFrame.prepend(packet, groupMac, link.mac(), EthernetFrame.TYPE_IPV6);
            link.transmit(packet);
            return true;
        }
        neighbors.send(packet, nextHigh, nextLow, now);
        return true;
    }

    public long nextDeadline() {
        if (loopCount > 0) {
            return Long.MIN_VALUE;
        }
        return Math.min(neighbors.nextDeadline(), reassembly.deadline);
    }

    public void onTimer(long now) {
        while (loopCount > 0) {
            PacketBuffer p = loopback[loopHead];
            loopback[loopHead] = null;
            loopHead = (loopHead + 1) % LOOPBACK_QUEUE;
            loopCount--;
            looping = true;
            try {
                receive(p, 0, p.length(), false, now);
            } finally {
                looping = false;
                p.release();
            }
        }
        neighbors.onTimer(now);
        reassembly.onTimer(now);
    }

    /** Fragment reassembly for IPv6 (RFC 8200 4.5), bounded, overlaps discard (RFC 5722). */
    static final class Reassembly {
        private static final int MAX = 65_535;
        private final long timeout;
        private final Slot[] slots;
        long deadline = Long.MAX_VALUE;
        private final Counter completed;
        private final Counter timedOut;
        private final Counter dropOverlap;
        private final Counter dropInvalid;
        private final Counter evicted;

        static final class Slot {
            boolean used;
            long sh;
            long sl;
            long dh;
            long dl;
            int id;
            long started;
            long expires;
            int nextHeader = -1;
            int hopLimit;
            int length = -1;
            RangeSet ranges;
            PacketBuffer data;
        }

        Reassembly(int datagrams, int ranges, long timeout, Counters counters) {
            this.timeout = timeout;
            slots = new Slot[datagrams];
            for (int i = 0; i < datagrams; i++) {
                slots[i] = new Slot();
                slots[i].ranges = new RangeSet(ranges);
            }
            completed = counters.counter("ipv6.reassembly.completed");
            timedOut = counters.counter("ipv6.reassembly.timeout");
            dropOverlap = counters.counter("ipv6.reassembly.drop.overlap");
            dropInvalid = counters.counter("ipv6.reassembly.drop.invalid");
            evicted = counters.counter("ipv6.reassembly.evicted");
        }

        /** The fragment header is at {@code p}; its data runs to {@code end}. */
        PacketBuffer add(PacketBuffer buf, int p, int end, long sh, long sl, long dh, long dl, int hop, long now) {
            int nh = buf.getU8(p);
            int offFlags = buf.getU16(p + 2);
            int off = offFlags & ~7;
            boolean more = (offFlags & 1) != 0;
            int id = buf.getI32(p + 4);
            int data = p + 8;
            int len = end - data;
            if (off + len > MAX - Ipv6Header.LENGTH || (more && (len == 0 || len % 8 != 0))) {
                dropInvalid.increment();
                return null;
            }
            Slot s = null;
            Slot victim = null;
            for (Slot x : slots) {
                if (x.used && x.id == id && x.sl == sl && x.sh == sh && x.dl == dl && x.dh == dh) {
                    s = x;
                    break;
                }
                boolean better = victim == null || (victim.used && (!x.used || x.started < victim.started));
                if (better) {
                    victim = x; // a free slot, else the oldest datagram
                }
            }
            if (s == null) {
                s = victim;
                if (s.used) {
                    evicted.increment();
                }
                s.used = true;
                s.sh = sh;
                s.sl = sl;
                s.dh = dh;
                s.dl = dl;
                s.id = id;
                s.started = now;
                s.expires = now + timeout;
                s.nextHeader = -1;
                s.length = -1;
                s.ranges.clear();
                if (s.data == null) {
                    s.data = PacketBuffer.allocate(MAX);
                }
                s.data.reset(0, MAX);
                deadline = Math.min(deadline, s.expires);
            }
            if (!more) {
                if ((s.length >= 0 && s.length != off + len) || s.ranges.intersects(off + len, MAX)) {
                    dropInvalid.increment();
                    s.used = false;
                    return null;
                }
                s.length = off + len;
            }
            if (s.ranges.covers(off, off + len)) {
                return null; // an exact duplicate
            }
            if (s.ranges.intersects(off, off + len) || !s.ranges.add(off, off + len)) {
                dropOverlap.increment();
                s.used = false;
                return null;
            }
            if (off == 0) {
                s.nextHeader = nh;
                s.hopLimit = hop;
            }
            buf.copyTo(data, s.data, Ipv6Header.LENGTH + off, len);
            if (s.length < 0 || s.nextHeader < 0 || s.ranges.contiguousFromZero() != s.length) {
                return null;
            }
            completed.increment();
            s.used = false;
            PacketBuffer d = s.data;
            d.reset(0, Ipv6Header.LENGTH + s.length);
            d.setI32(0, 6 << 28).setU16(4, s.length).setU8(6, s.nextHeader).setU8(7, s.hopLimit)
                    .setI64(8, sh).setI64(16, sl).setI64(24, dh).setI64(32, dl);
            return d;
        }

        void onTimer(long now) {
            if (now < deadline) {
                return;
            }
            long d = Long.MAX_VALUE;
            for (Slot s : slots) {
                if (s.used && s.expires <= now) {
                    s.used = false;
                    timedOut.increment();
                }
                if (s.used) {
                    d = Math.min(d, s.expires);
                }
            }
            deadline = d;
        }
    }
}
