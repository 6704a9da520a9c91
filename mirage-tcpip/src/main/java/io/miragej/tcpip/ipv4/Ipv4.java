package io.miragej.tcpip.ipv4;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.arp.Arp;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.ethernet.EthernetFrame;

/**
 * IPv4 for a host (RFC 791, RFC 1122 section 3.2), as a sans-IO core: packets and the time in;
 * deliveries to transports, frames through ARP and the {@link Link}, and the next deadline out.
 *
 * <ul>
 *   <li>Receiving checks version, header length, total length against the frame (Ethernet
 *       padding is cut off) and the header checksum; options are skipped, never interpreted.
 *       Packets from multicast or broadcast sources and packets not addressed to us (our address,
 *       the limited or subnet broadcast, 224.0.0.1) are dropped and counted. While no address is
 *       configured (DHCP), UDP to any address is accepted.
 *   <li>Fragments go to a bounded {@link Ipv4Reassembly}.
 *   <li>Sending routes to the subnet or the gateway, fragments packets larger than the MTU
 *       (unless DF is set), and loops packets for our own address back through a bounded queue.
 *   <li>Unknown protocols are answered with ICMP protocol unreachable through {@link Errors}.
 * </ul>
 *
 * <p>Counters: {@code ipv4.rx.packets}, {@code .delivered}, {@code ipv4.tx.packets}, {@code
 * .fragments}, {@code .looped}; drops {@code ipv4.drop.short}, {@code .version}, {@code
 * .header-length}, {@code .total-length}, {@code .checksum}, {@code .bad-source}, {@code
 * .not-for-us}, {@code .unknown-protocol}, and on sending {@code ipv4.tx.drop.no-route}, {@code
 * .too-big}, {@code .no-buffer}, {@code .loopback-full}.
 */
public final class Ipv4 {
    /** Takes packets of one protocol; {@code buf[offset, offset+length)} is the IP payload. */
    @FunctionalInterface
    public interface Transport {
        void receive(IpContext ip, PacketBuffer buf, int offset, int length, long now);
    }

    /** Where the IP layer reports errors that ICMP answers. */
    public interface Errors {
        void protocolUnreachable(IpContext ip, long now);

        void reassemblyTimeExceeded(PacketBuffer firstFragment, int length, long now);
    }

    public static final int DEFAULT_TTL = 64;
    private static final int LOOPBACK_QUEUE = 64;
    private static final int ALL_HOSTS = 0xe000_0001;

    private final Link link;
    private final Arp arp;
    private final Ipv4Reassembly reassembly;
    private final Ipv4Header header = new Ipv4Header();
    private final IpContext context = new IpContext();
    private final Transport[] transports = new Transport[256];
    private final PacketBuffer[] loopback = new PacketBuffer[LOOPBACK_QUEUE];
    private int loopHead;
    private int loopCount;
    private Errors errors;
    private Ipv4Reassembly.TimeoutListener timeoutListener;
    /** True while a looped-back packet of our own is being received. */
    private boolean looping;
    private int address;
    private int mask;
    private int gateway;
    private int nextId;

    private final Counter rxPackets;
    private final Counter rxDelivered;
    private final Counter txPackets;
    private final Counter txFragments;
    private final Counter txLooped;
    private final Counter dropShort;
    private final Counter dropVersion;
    private final Counter dropHeaderLength;
    private final Counter dropTotalLength;
    private final Counter dropChecksum;
    private final Counter dropBadSource;
    private final Counter dropNotForUs;
    private final Counter dropUnknownProtocol;
    private final Counter txNoRoute;
    private final Counter txTooBig;
    private final Counter txNoBuffer;
    private final Counter txLoopbackFull;

    public Ipv4(Link link, Arp arp, Ipv4Reassembly.Limits reassemblyLimits, Counters counters, int firstId) {
        this.link = link;
        this.arp = arp;
        this.reassembly = new Ipv4Reassembly(reassemblyLimits, counters);
        this.nextId = firstId & 0xffff;
        rxPackets = counters.counter("ipv4.rx.packets");
        rxDelivered = counters.counter("ipv4.rx.delivered");
        txPackets = counters.counter("ipv4.tx.packets");
        txFragments = counters.counter("ipv4.tx.fragments");
        txLooped = counters.counter("ipv4.tx.looped");
        dropShort = counters.counter("ipv4.drop.short");
        dropVersion = counters.counter("ipv4.drop.version");
        dropHeaderLength = counters.counter("ipv4.drop.header-length");
        dropTotalLength = counters.counter("ipv4.drop.total-length");
        dropChecksum = counters.counter("ipv4.drop.checksum");
        dropBadSource = counters.counter("ipv4.drop.bad-source");
        dropNotForUs = counters.counter("ipv4.drop.not-for-us");
        dropUnknownProtocol = counters.counter("ipv4.drop.unknown-protocol");
        txNoRoute = counters.counter("ipv4.tx.drop.no-route");
        txTooBig = counters.counter("ipv4.tx.drop.too-big");
        txNoBuffer = counters.counter("ipv4.tx.drop.no-buffer");
        txLoopbackFull = counters.counter("ipv4.tx.drop.loopback-full");
    }

    /** Sets the address, prefix length and gateway (0 for none); address 0 means unconfigured. */
    public void configure(int address, int prefixLength, int gateway, long now) {
        this.address = address;
        this.mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        this.gateway = gateway;
        arp.setAddress(address, now);
    }

    public int address() {
        return address;
    }

    public int prefixLength() {
        return Integer.bitCount(mask);
    }

    public int gateway() {
        return gateway;
    }

    public void register(int protocol, Transport transport) {
        transports[protocol] = transport;
    }

    public void setErrors(Errors errors) {
        this.errors = errors;
        this.timeoutListener = errors == null ? null : errors::reassemblyTimeExceeded;
    }

    public Arp arp() {
        return arp;
    }

    /** Largest payload of an unfragmented packet. */
    public int maxPayload() {
        return link.mtu() - Ipv4Header.MIN_HEADER;
    }

    private boolean isSubnetBroadcast(int dst) {
        return mask != -1 && mask != 0xffff_fffe && address != 0 && dst == (address | ~mask);
    }

    // ---- receiving ----

    /**
     * Handles the IPv4 packet at {@code buf[offset, offset+available)} (the rest of an Ethernet
     * frame); {@code linkGroup} when the frame was sent to a group MAC.
     */
    public void receive(PacketBuffer buf, int offset, int available, boolean linkGroup, long now) {
        receive(buf, offset, available, linkGroup, IpContext.CHECKSUM_UNKNOWN, 0, now);
    }

    /**
     * Handles an IPv4 packet with what the device said of it: {@code checksumAt} and {@code
     * segmentSize} as in {@link IpContext#offloads}.
     */
    public void receive(PacketBuffer buf, int offset, int available, boolean linkGroup, int checksumAt,
            int segmentSize, long now) {
        rxPackets.increment();
        Ipv4Header h = header.wrap(buf, offset);
        switch (h.check(available)) {
            case OK -> {}
            case SHORT -> {
                dropShort.increment();
                return;
            }
            case VERSION -> {
                dropVersion.increment();
                return;
            }
            case HEADER_LENGTH -> {
                dropHeaderLength.increment();
                return;
            }
            case TOTAL_LENGTH -> {
                dropTotalLength.increment();
                return;
            }
            case CHECKSUM -> {
                dropChecksum.increment();
                return;
            }
        }
        int src = h.source();
        int dst = h.destination();
        if (src == -1 || (src >>> 28) == 0xe || (address != 0 && src == address && !looping)) {
            dropBadSource.increment();
            return;
        }
        boolean unicastToUs = (address != 0 && dst == address) || (looping && (dst >>> 24) == 127);
        boolean toGroup = dst == -1 || isSubnetBroadcast(dst) || dst == ALL_HOSTS;
        boolean unconfiguredUdp = address == 0 && h.protocol() == Ipv4Header.PROTOCOL_UDP;
        if (!unicastToUs && !toGroup && !unconfiguredUdp) {
            dropNotForUs.increment();
            return;
        }
        boolean reassembled = false;
        if (h.isFragment()) {
            reassembled = true;
            PacketBuffer whole = reassembly.add(h, now);
            if (whole == null) {
                return;
            }
            buf = whole;
            offset = 0;
            h = header.wrap(whole, 0);
        }
        int hl = h.headerLength();
        int total = h.totalLength();
        IpContext c = context;
        c.setV4(src, dst);
        c.reassembled = reassembled;
        c.toGroup = toGroup || (linkGroup && !unicastToUs);
        c.hopLimit = h.ttl();
        c.trafficClass = h.tos();
        c.packet = buf;
        c.packetOffset = offset;
        c.packetLength = total;
        c.offloads(checksumAt, segmentSize, offset + hl);
        int protocol = h.protocol();
        Transport t = transports[protocol];
        if (t == null) {
            dropUnknownProtocol.increment();
            if (!c.toGroup && errors != null) {
                errors.protocolUnreachable(c, now);
            }
            return;
        }
        rxDelivered.increment();
        t.receive(c, buf, offset + hl, total - hl, now);
    }

    // ---- sending ----

    /** True when a packet to {@code destination} has somewhere to go. */
    public boolean hasRoute(int destination) {
        return destination == -1 || (destination >>> 28) == 0xe || isLocal(destination)
                || (address != 0 && ((destination ^ address) & mask) == 0) || gateway != 0;
    }

    private boolean isLocal(int destination) {
        return (address != 0 && destination == address) || (destination >>> 24) == 127;
    }

    /** The source address to use towards {@code destination}: ours, or 127.0.0.1 for loopback. */
    public int sourceFor(int destination) {
        return (destination >>> 24) == 127 ? destination : address;
    }

    /**
     * Sends {@code payload} (its window is the IP payload, with headroom for the IP and Ethernet
     * headers) to {@code destination}, taking ownership. Source 0 means our address.
     *
     * @return false when the packet was dropped (no route, too big with DF, no buffer), counted
     */
    public boolean send(PacketBuffer payload, int protocol, int source, int destination, int ttl, int tos,
            boolean dontFragment, long now) {
        int src = source != 0 ? source : sourceFor(destination);
        long groupMac = -1;
        int nextHop = 0;
        boolean local = false;
        if (destination == -1 || isSubnetBroadcast(destination)) {
            groupMac = EthernetFrame.BROADCAST;
        } else if ((destination >>> 28) == 0xe) {
            groupMac = EthernetFrame.ipv4MulticastMac(destination);
        } else if (isLocal(destination)) {
            local = true;
        } else if ((nextHop = nextHop(destination)) == 0) {
            txNoRoute.increment();
            payload.release();
            return false;
        }
        int id = nextId;
        nextId = (nextId + 1) & 0xffff;
        int max = maxPayload();
        if (payload.length() <= max || local) {
            Ipv4Header.prepend(payload, tos, id, dontFragment, false, 0, ttl, protocol, src, destination);
            return route(payload, local, groupMac, nextHop, now);
        }
        if (dontFragment) {
            txTooBig.increment();
            payload.release();
            return false;
        }
        int step = max & ~7;
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
            Ipv4Header.prepend(f, tos, id, false, off + len < total, off, ttl, protocol, src, destination);
            txFragments.increment();
            ok &= route(f, false, groupMac, nextHop, now);
        }
        payload.release();
        return ok;
    }

    /**
     * Sends {@code payload}, one TCP segment longer than the MTU, as one packet for the device to
     * cut at {@code segmentSize} payload bytes (the link's {@link Link#transmitSegmented}), taking
     * ownership: don't-fragment set, the total length covering the whole packet, the
     * identification the first of as many consecutive ones as there will be segments. Only to a
     * unicast destination off this host; anything else is dropped and counted as too big.
     */
    public boolean sendSegmented(PacketBuffer payload, int source, int destination, int segmentSize, long now) {
        int src = source != 0 ? source : sourceFor(destination);
        int nextHop;
        if (destination == -1 || isSubnetBroadcast(destination) || (destination >>> 28) == 0xe
                || isLocal(destination) || payload.length() > 65_535 - Ipv4Header.MIN_HEADER) {
            txTooBig.increment();
            payload.release();
            return false;
        } else if ((nextHop = nextHop(destination)) == 0) {
            txNoRoute.increment();
            payload.release();
            return false;
        }
        int id = nextId;
        int data = payload.length() - (payload.getU8(12) >>> 4) * 4; // after the TCP header
        nextId = (nextId + Math.max(1, (data + segmentSize - 1) / segmentSize)) & 0xffff;
        Ipv4Header.prepend(payload, 0, id, true, false, 0, DEFAULT_TTL, 6, src, destination);
        txPackets.increment();
        arp.send(payload, nextHop, segmentSize, now);
        return true;
    }

    /** Where a unicast packet to {@code destination} goes first: itself on our subnet, else the gateway; 0 for no route. */
    private int nextHop(int destination) {
        if (address != 0 && ((destination ^ address) & mask) == 0) {
            return destination;
        }
        return gateway;
    }

    private boolean route(PacketBuffer packet, boolean local, long groupMac, int nextHop, long now) {
        txPackets.increment();
        if (local) {
            if (loopCount == LOOPBACK_QUEUE) {
                txLoopbackFull.increment();
                packet.release();
                return false;
            }
            loopback[(loopHead + loopCount++) % LOOPBACK_QUEUE] = packet;
            txLooped.increment();
            return true;
        }
        if (groupMac != -1) {
            EthernetFrame.prepend(packet, groupMac, link.mac(), EthernetFrame.TYPE_IPV4);
            link.transmit(packet);
            return true;
        }
        arp.send(packet, nextHop, now);
        return true;
    }

    // ---- time ----

    public long nextDeadline() {
        long d = Math.min(arp.nextDeadline(), reassembly.nextDeadline());
        return loopCount > 0 ? Long.MIN_VALUE : d;
    }

    /** Runs what is due: looped-back packets, ARP timers, reassembly timeouts. */
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
        arp.onTimer(now);
        reassembly.onTimer(now, timeoutListener);
    }

    public Ipv4Reassembly reassembly() {
        return reassembly;
    }
}
