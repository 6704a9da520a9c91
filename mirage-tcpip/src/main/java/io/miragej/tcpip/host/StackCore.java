package io.miragej.tcpip.host;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.FrameOffload;
import io.miragej.device.Network;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.arp.Arp;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.IpOutput;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.dhcp.DhcpClient;
import io.miragej.tcpip.ethernet.EthernetFrame;
import io.miragej.tcpip.icmp.Icmpv4;
import io.miragej.tcpip.ipv4.Ipv4;
import io.miragej.tcpip.ipv4.Ipv4Header;
import io.miragej.tcpip.ipv4.Ipv4Reassembly;
import io.miragej.tcpip.ipv6.Icmpv6;
import io.miragej.tcpip.ipv6.Ipv6;
import io.miragej.tcpip.ipv6.Ipv6Header;
import io.miragej.tcpip.ipv6.Mld;
import io.miragej.tcpip.ipv6.Ndp;
import io.miragej.tcpip.tcp.Tcp;
import io.miragej.tcpip.tcp.TcpConfig;
import io.miragej.tcpip.udp.Udp;

/**
 * A whole host's protocol state on one Ethernet link, sans-IO: frames and the time in; frames
 * through the {@link Link}, deliveries to UDP receivers and TCP, and the next deadline out. It
 * demultiplexes Ethernet and is the {@link IpOutput} its transports send through. Everything here
 * runs on one thread (the stack's loop); nothing blocks.
 *
 * <p>Counters: {@code ethernet.rx.frames}, {@code ethernet.tx.frames}; drops {@code
 * ethernet.drop.short}, {@code .not-for-us}, {@code .unknown-type}.
 */
public final class StackCore implements IpOutput {
    /** Bounds of every table and queue of the stack. */
    public record Limits(Arp.Limits arp, Ipv4Reassembly.Limits reassembly, TcpConfig tcp) {
        public static Limits defaults() {
            return new Limits(Arp.Limits.defaults(), Ipv4Reassembly.Limits.defaults(), TcpConfig.defaults());
        }

        public Limits withTcp(TcpConfig tcp) {
            return new Limits(arp, reassembly, tcp);
        }

        public Limits withArp(Arp.Limits arp) {
            return new Limits(arp, reassembly, tcp);
        }
    }

    private final Link link;
    private final Counters counters;
    private final EthernetFrame ethernet = new EthernetFrame();
    private final Arp arp;
    private final Ipv4 ipv4;
    private final Icmpv4 icmpv4;
    private final Udp udp;
    private final Tcp tcp;
    private final Ipv6 ipv6;
    private final Ndp ndp;
    private final Icmpv6 icmpv6;
    private final Mld mld;
    private boolean ipv6Enabled;
    /** The time of the latest event, for questions asked without one (routes with lifetimes). */
    private long lastNow;
    private final long secret;
    private DhcpClient dhcp;
    private final Counter rxFrames;
    private final Counter dropShort;
    private final Counter dropNotForUs;
    private final Counter dropUnknownType;

    /**
     * A host on {@code link}. {@code secret0} and {@code secret1} seed everything that must be
     * unpredictable (TCP initial sequence numbers, ephemeral ports, IP identifiers): give them
     * from a strong random source outside simulations.
     */
    public StackCore(Link link, Limits limits, Counters counters, long secret0, long secret1) {
        this.link = link;
        this.counters = counters;
        this.arp = new Arp(link, limits.arp(), counters);
        this.ipv4 = new Ipv4(link, arp, limits.reassembly(), counters, (int) (secret0 >>> 16));
        this.icmpv4 = new Icmpv4(ipv4, link, counters);
        this.udp = new Udp(this, this::portUnreachable, counters, secret1 * 31 + 7);
        this.tcp = new Tcp(this, limits.tcp(), counters, secret0, secret1);
        this.secret = secret0 ^ Long.rotateLeft(secret1, 29);
        ipv4.register(Ipv4Header.PROTOCOL_UDP, udp);
        ipv4.register(Tcp.PROTOCOL, tcp);
        icmpv4.setErrorListener(Tcp.PROTOCOL, tcp);
        this.ipv6 = new Ipv6(link, counters, (int) secret1);
        this.ndp = new Ndp(ipv6, link, counters);
        this.icmpv6 = new Icmpv6(ipv6, ndp, counters);
        this.mld = new Mld(ipv6, link, counters, secret0 ^ link.mac());
        icmpv6.setMld(mld);
        ipv6.register(Ipv4Header.PROTOCOL_UDP, udp::receive);
        ipv6.register(Tcp.PROTOCOL, tcp::receive);
        icmpv6.setErrorListener(Tcp.PROTOCOL, tcp);
        rxFrames = counters.counter("ethernet.rx.frames");
        dropShort = counters.counter("ethernet.drop.short");
        dropNotForUs = counters.counter("ethernet.drop.not-for-us");
        dropUnknownType = counters.counter("ethernet.drop.unknown-type");
    }

    public Counters counters() {
        return counters;
    }

    public Link link() {
        return link;
    }

    public Arp arp() {
        return arp;
    }

    public Ipv4 ipv4() {
        return ipv4;
    }

    public Icmpv4 icmpv4() {
        return icmpv4;
    }

    public Udp udp() {
        return udp;
    }

    public Tcp tcp() {
        return tcp;
    }

    public Ipv6 ipv6() {
        return ipv6;
    }

    public Ndp ndp() {
        return ndp;
    }

    public Mld mld() {
        return mld;
    }

    public Icmpv6 icmpv6() {
        return icmpv6;
    }

    /**
     * Turns IPv6 on: a link-local address from the MAC (after duplicate address detection) and,
     * with {@code slaac}, addresses and routers from router advertisements.
     */
    public void enableIpv6(boolean slaac, long now) {
        ipv6Enabled = true;
        ndp.start(slaac, now);
    }

    /** A static IPv6 address with its prefix length (IPv6 must be on). */
    public void addIpv6Address(long high, long low, int prefixLength, long now) {
        ndp.addStatic(high, low, prefixLength, now);
    }

    public void addIpv6Router(long high, long low) {
        ndp.addStaticRouter(high, low);
    }

    public boolean ipv6Enabled() {
        return ipv6Enabled;
    }

    /** Configures IPv4 statically: address and prefix length, gateway 0 for none. */
    public void configureIpv4(int address, int prefixLength, int gateway, long now) {
        ipv4.configure(address, prefixLength, gateway, now);
    }

    /**
     * Starts a DHCP client for the IPv4 configuration: leases configure the stack, and {@code
     * events} hear of them too.
     */
    public DhcpClient startDhcp(DhcpClient.Events events, long now) {
        if (dhcp != null) {
            throw new IllegalStateException("DHCP is already running");
        }
        DhcpClient.Events configure = new DhcpClient.Events() {
            @Override
            public void bound(DhcpClient.Lease lease, long t) {
                configureIpv4(lease.address().bits(), lease.prefixLength(),
                        lease.gateway() == null ? 0 : lease.gateway().bits(), t);
                events.bound(lease, t);
            }

            @Override
            public void lost(DhcpClient.Lease lease, long t) {
                configureIpv4(0, 0, 0, t);
                events.lost(lease, t);
            }
        };
        dhcp = new DhcpClient(link.mac(), (message, source, destination, t) -> {
            udp.send(0, IpContext.mapped(source), DhcpClient.CLIENT_PORT, 0, IpContext.mapped(destination),
                    DhcpClient.SERVER_PORT, message, 0, message.length(), t);
        }, configure, counters, secret);
        if (udp.bind(DhcpClient.CLIENT_PORT, (c, sp, dp, b, off, len, t) -> {
            if (sp == DhcpClient.SERVER_PORT) {
                dhcp.receive(b, off, len, t);
            }
        }) < 0) {
            throw new IllegalStateException("UDP port 68 is taken: DHCP needs it");
        }
        dhcp.start(now);
        return dhcp;
    }

    public DhcpClient dhcp() {
        return dhcp;
    }

    private void portUnreachable(IpContext c, long now) {
        if (c.version == 4) {
            icmpv4.portUnreachable(c, now);
        } else {
            icmpv6.portUnreachable(c, now);
        }
    }

    // ---- input ----

    /** Handles one received frame, borrowed for the duration of the call. */
    public void receive(PacketBuffer frame, long now) {
        receive(frame, IpContext.CHECKSUM_UNKNOWN, 0, now);
    }

    /**
     * Handles one received frame with its offloads (both borrowed for the duration of the call):
     * a transport checksum the device verified or the host left partial is not summed again, and
     * a coalesced TCP segment goes to TCP whole, with its original segment size.
     */
    public void receive(PacketBuffer frame, FrameOffload offload, long now) {
        int checksumAt = switch (offload.checksum()) {
            case NONE -> IpContext.CHECKSUM_UNKNOWN;
            case VERIFIED -> IpContext.CHECKSUM_VERIFIED;
            case PARTIAL -> offload.checksumStart();
        };
        receive(frame, checksumAt, offload.segmentSize(), now);
    }

    private void receive(PacketBuffer frame, int checksumAt, int segmentSize, long now) {
        lastNow = now;
        rxFrames.increment();
        if (!ethernet.wrap(frame)) {
            dropShort.increment();
            return;
        }
        long dst = ethernet.destination();
        boolean group = EthernetFrame.isGroup(dst);
        if (!group && dst != link.mac()) {
            dropNotForUs.increment();
            return;
        }
        int type = ethernet.etherType();
        int len = frame.length() - EthernetFrame.HEADER;
        switch (type) {
            case EthernetFrame.TYPE_IPV4 -> ipv4.receive(frame, EthernetFrame.HEADER, len, group, checksumAt,
                    segmentSize, now);
            case EthernetFrame.TYPE_ARP -> arp.input(frame, EthernetFrame.HEADER, len, now);
            case EthernetFrame.TYPE_IPV6 -> {
                if (ipv6Enabled) {
                    ipv6.receive(frame, EthernetFrame.HEADER, len, group, checksumAt, segmentSize, now);
                } else {
                    dropUnknownType.increment();
                }
            }
            default -> dropUnknownType.increment();
        }
    }

    // ---- time ----

    /** The next time {@link #onTimer} has work; {@link Long#MIN_VALUE} for "at once". */
    public long nextDeadline() {
        long d = Math.min(ipv4.nextDeadline(), tcp.nextDeadline());
        if (ipv6Enabled) {
            d = Math.min(d, Math.min(ipv6.nextDeadline(), Math.min(ndp.nextDeadline(), mld.nextDeadline())));
        }
        return dhcp == null ? d : Math.min(d, dhcp.nextDeadline());
    }

    public void onTimer(long now) {
        lastNow = now;
        ipv4.onTimer(now);
        if (ipv6Enabled) {
            ipv6.onTimer(now);
            ndp.onTimer(now);
            mld.onTimer(now);
        }
        tcp.onTimer(now);
        if (dhcp != null) {
            dhcp.onTimer(now);
        }
    }

    // ---- IpOutput ----

    @Override
    public PacketBuffer allocate(int length) {
        // A device buffer holds a whole frame: any transport message that fits an IPv4 packet
        // (IPv6 fragments what exceeds its smaller payload into device buffers of its own).
        if (length <= link.mtu() - Ipv4Header.MIN_HEADER) {
            return link.allocate();
        }
        return PacketBuffer.allocate(Network.HEADROOM, length).truncate(0);
    }

    @Override
    public boolean send(PacketBuffer payload, int protocol, long sourceHigh, long sourceLow, long destinationHigh,
            long destinationLow, boolean dontFragment, long now) {
        if (IpContext.isMapped(destinationHigh, destinationLow)) {
            return ipv4.send(payload, protocol, (int) sourceLow, (int) destinationLow, Ipv4.DEFAULT_TTL, 0,
                    dontFragment, now);
        }
        if (!ipv6Enabled) {
            payload.release();
            return false;
        }
        return ipv6.send(payload, protocol, sourceHigh, sourceLow, destinationHigh, destinationLow,
                Ipv6.DEFAULT_HOP_LIMIT, now);
    }

    @Override
    public int maxSegmentedPayload(long destinationHigh, long destinationLow) {
        int frame = link.maxOffloadFrame();
        if (frame <= 0 || isLocal(destinationHigh, destinationLow)) {
            return 0;
        }
        // Whole packets of at most 65,535 bytes for either family, the largest IPv4 can say.
        if (IpContext.isMapped(destinationHigh, destinationLow)) {
            int d = (int) destinationLow;
            return (d >>> 24) == 127 ? 0 : Math.min(frame - 14 - 20, 65_535 - 20);
        }
        return ipv6Enabled ? Math.min(frame - 14 - 40, 65_535 - 40) : 0;
    }

    @Override
    public PacketBuffer allocateSegmented(int length) {
        return link.allocate(14 + 40 + length);
    }

    @Override
    public boolean sendSegmented(PacketBuffer payload, long sourceHigh, long sourceLow, long destinationHigh,
            long destinationLow, int segmentSize, long now) {
        if (IpContext.isMapped(destinationHigh, destinationLow)) {
            return ipv4.sendSegmented(payload, (int) sourceLow, (int) destinationLow, segmentSize, now);
        }
        if (!ipv6Enabled) {
            payload.release();
            return false;
        }
        return ipv6.sendSegmented(payload, sourceHigh, sourceLow, destinationHigh, destinationLow, segmentSize, now);
    }

    @Override
    public boolean hasRoute(long destinationHigh, long destinationLow) {
        if (IpContext.isMapped(destinationHigh, destinationLow)) {
            return ipv4.hasRoute((int) destinationLow);
        }
        return ipv6Enabled && ipv6.hasRoute(destinationHigh, destinationLow, lastNow);
    }

    @Override
    public int maxPayload(long destinationHigh, long destinationLow) {
        return IpContext.isMapped(destinationHigh, destinationLow) ? ipv4.maxPayload() : ipv6.maxPayload();
    }

    @Override
    public boolean sourceFor(long destinationHigh, long destinationLow, long[] out) {
        if (IpContext.isMapped(destinationHigh, destinationLow)) {
            int s = ipv4.sourceFor((int) destinationLow);
            if (s == 0) {
                return false;
            }
            out[0] = 0;
            out[1] = IpContext.mapped(s);
            return true;
        }
        return ipv6Enabled && ipv6.sourceFor(destinationHigh, destinationLow, out);
    }

    @Override
    public boolean isLocal(long high, long low) {
        if (IpContext.isMapped(high, low)) {
            return ipv4.address() != 0 && (int) low == ipv4.address();
        }
        return ipv6Enabled && ipv6.isOurs(high, low);
    }
}
