package io.miragej.tcpip.dhcp;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.Network;
import io.miragej.net.Ipv4Address;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A DHCP client (RFC 2131 section 4.4, options of RFC 2132) as a sans-IO core: replies and the
 * time in; messages to send, a lease (or its loss) and the next deadline out.
 *
 * <p>INIT sends DISCOVER; SELECTING takes the first acceptable OFFER and REQUESTs it; an ACK
 * binds the lease (address, prefix from the subnet mask, the first router on the subnet as the
 * gateway, DNS servers). At T1 (half the lease unless the server says) the client RENEWs with
 * the server by unicast, at T2 (7/8) it REBINDs by broadcast, and at the end of the lease it
 * gives the address up and starts over. Retransmissions back off 4, 8, 16, 32, 64 seconds with
 * ±1 s of randomisation (section 4.1); while renewing or rebinding, half the time left, at least
 * 60 seconds. A NAK starts over. Replies are matched by transaction id and hardware address.
 *
 * <p>Deliberately not done: INIT-REBOOT (a lease is not remembered across runs), DECLINE after
 * an ARP check of the offered address, relay agents, DHCPINFORM.
 *
 * <p>Counters: {@code dhcp.tx.discover}, {@code .request}, {@code .release}, {@code
 * dhcp.rx.offer}, {@code .ack}, {@code .nak}, {@code dhcp.leases}, {@code dhcp.leases.lost};
 * drops {@code dhcp.drop.malformed}, {@code .not-ours}, {@code .unexpected}.
 */
public final class DhcpClient {
    public enum State { INIT, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING, STOPPED }

    /** What the server granted. Times in nanoseconds of the clock the client is driven with. */
    public record Lease(Ipv4Address address, int prefixLength, Ipv4Address gateway, Ipv4Address server,
            long durationNanos, List<Ipv4Address> dns) {}

    /** How the client's messages leave: UDP from port 68 to port 67 of {@code destination}. */
    @FunctionalInterface
    public interface Transport {
        void send(PacketBuffer message, int source, int destination, long now);
    }

    /** Told when a lease is bound (again, on renewal) and when it is lost. */
    public interface Events {
        void bound(Lease lease, long now);

        void lost(Lease lease, long now);
    }

    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;
    static final long SECOND = 1_000_000_000L;
    private static final int MIN_MESSAGE = 300;

    private final long mac;
    private final Transport transport;
    private final Events events;
    private final SplittableRandom random;
    private final DhcpMessage message = new DhcpMessage();
    private State state = State.STOPPED;
    private int xid;
    private int attempts;
    private long startedAt;
    private long retransmitAt = Long.MAX_VALUE;
    private int offeredAddress;
    private int serverId;
    private Lease lease;
    private int leaseAddress;
    private long t1At = Long.MAX_VALUE;
    private long t2At = Long.MAX_VALUE;
    private long expiresAt = Long.MAX_VALUE;

    private final Counter txDiscover;
    private final Counter txRequest;
    private final Counter txRelease;
    private final Counter rxOffer;
    private final Counter rxAck;
    private final Counter rxNak;
    private final Counter leases;
    private final Counter leasesLost;
    private final Counter dropMalformed;
    private final Counter dropNotOurs;
    private final Counter dropUnexpected;

    public DhcpClient(long mac, Transport transport, Events events, Counters counters, long seed) {
        this.mac = mac;
        this.transport = transport;
        this.events = events;
        this.random = new SplittableRandom(seed);
        txDiscover = counters.counter("dhcp.tx.discover");
        txRequest = counters.counter("dhcp.tx.request");
        txRelease = counters.counter("dhcp.tx.release");
        rxOffer = counters.counter("dhcp.rx.offer");
        rxAck = counters.counter("dhcp.rx.ack");
        rxNak = counters.counter("dhcp.rx.nak");
        leases = counters.counter("dhcp.leases");
        leasesLost = counters.counter("dhcp.leases.lost");
        dropMalformed = counters.counter("dhcp.drop.malformed");
        dropNotOurs = counters.counter("dhcp.drop.not-ours");
        dropUnexpected = counters.counter("dhcp.drop.unexpected");
    }

    public State state() {
        return state;
    }

    /** The lease held now, or null. */
    public Lease lease() {
        return lease;
    }

    /** Starts acquiring a lease. */
    public void start(long now) {
        init(now);
    }

    private void init(long now) {
        state = State.SELECTING;
        xid = random.nextInt();
        attempts = 0;
        startedAt = now;
        offeredAddress = 0;
        serverId = 0;
        sendDiscover(now);
    }

    // ---- time ----

    public long nextDeadline() {
        return switch (state) {
            case SELECTING, REQUESTING -> retransmitAt;
            case BOUND -> t1At;
            case RENEWING -> Math.min(retransmitAt, t2At);
            case REBINDING -> Math.min(retransmitAt, expiresAt);
            default -> Long.MAX_VALUE;
        };
    }

    public void onTimer(long now) {
        switch (state) {
            case SELECTING -> {
                if (now >= retransmitAt) {
                    sendDiscover(now);
                }
            }
            case REQUESTING -> {
                if (now >= retransmitAt) {
                    if (attempts >= 4) {
                        init(now); // no answer to our REQUEST: start over (section 4.4.1)
                    } else {
                        sendRequest(now);
                    }
                }
            }
            case BOUND -> {
                if (now >= t1At) {
                    state = State.RENEWING;
                    xid = random.nextInt();
                    startedAt = now;
                    sendRequest(now);
                }
            }
            case RENEWING -> {
                if (now >= t2At) {
                    state = State.REBINDING;
                    sendRequest(now);
                } else if (now >= retransmitAt) {
                    sendRequest(now);
                }
            }
            case REBINDING -> {
                if (now >= expiresAt) {
                    lose(now);
                    init(now);
                } else if (now >= retransmitAt) {
                    sendRequest(now);
                }
            }
            default -> {}
        }
    }

    private long backoff(long now) {
        long base = Math.min(64, 4L << Math.min(attempts, 4)) * SECOND;
        return now + base + random.nextLong(2 * SECOND + 1) - SECOND;
    }

    // ---- receiving ----

    /** A UDP payload that came to port 68. */
    public void receive(PacketBuffer buf, int offset, int length, long now) {
        DhcpMessage m = message;
        if (!m.wrap(buf, offset, length) || m.op() != DhcpMessage.BOOTREPLY || m.htype() != 1 || m.hlen() != 6) {
            dropMalformed.increment();
            return;
        }
        if (m.xid() != xid || m.chaddrMac() != mac) {
            dropNotOurs.increment();
            return;
        }
        int type = m.messageType();
        switch (type) {
            case DhcpMessage.OFFER -> {
                rxOffer.increment();
                if (state != State.SELECTING) {
                    dropUnexpected.increment();
                    return;
                }
                int offered = m.yiaddr();
                int server = (int) m.int32(DhcpMessage.OPT_SERVER_ID, 0);
                if (!usable(offered) || server == 0) {
                    dropMalformed.increment();
                    return;
                }
                offeredAddress = offered;
                serverId = server;
                state = State.REQUESTING;
                attempts = 0;
                sendRequest(now);
            }
            case DhcpMessage.ACK -> {
                rxAck.increment();
                if (state != State.REQUESTING && state != State.RENEWING && state != State.REBINDING) {
                    dropUnexpected.increment();
                    return;
                }
                int server = (int) m.int32(DhcpMessage.OPT_SERVER_ID, 0);
                if (state == State.REQUESTING && server != 0 && server != serverId) {
                    dropNotOurs.increment(); // another server's ACK to a broadcast REQUEST
                    return;
                }
                int address = m.yiaddr();
                if (!usable(address)) {
                    dropMalformed.increment();
                    return;
                }
                bind(m, address, server != 0 ? server : serverId, now);
            }
            case DhcpMessage.NAK -> {
                rxNak.increment();
                if (state != State.REQUESTING && state != State.RENEWING && state != State.REBINDING) {
                    dropUnexpected.increment();
                    return;
                }
                if (lease != null) {
                    lose(now);
                }
                init(now);
            }
            default -> dropUnexpected.increment();
        }
    }

    private static boolean usable(int a) {
        return a != 0 && a != -1 && (a >>> 28) != 0xe && (a >>> 24) != 127 && (a >>> 24) != 0;
    }

    private void bind(DhcpMessage m, int address, int server, long now) {
        long leaseSeconds = m.int32(DhcpMessage.OPT_LEASE_TIME, 86_400);
        long duration = leaseSeconds == 0xffff_ffffL ? Long.MAX_VALUE / 4 : Math.max(10, leaseSeconds) * SECOND;
        long t1 = m.int32(DhcpMessage.OPT_RENEWAL_TIME, -1);
        long t2 = m.int32(DhcpMessage.OPT_REBINDING_TIME, -1);
        long t1n = t1 > 0 && t1 * SECOND < duration ? t1 * SECOND : duration / 2;
        long t2n = t2 > 0 && t2 * SECOND < duration && t2 * SECOND > t1n ? t2 * SECOND : duration / 8 * 7;
        long mask = m.int32(DhcpMessage.OPT_SUBNET_MASK, -1);
        int prefix = mask < 0 ? naturalPrefix(address) : Integer.numberOfLeadingZeros(~(int) mask);
        if (prefix > 30) {
            prefix = 32;
        }
        int maskBits = prefix == 0 ? 0 : -1 << (32 - prefix);
        int gateway = 0;
        for (int i = 0; i < m.addresses(DhcpMessage.OPT_ROUTER); i++) {
            int r = m.address(DhcpMessage.OPT_ROUTER, i);
            if (r != 0 && ((r ^ address) & maskBits) == 0 && r != address) {
                gateway = r;
                break;
            }
        }
        List<Ipv4Address> dns = new ArrayList<>();
        for (int i = 0; i < m.addresses(DhcpMessage.OPT_DNS); i++) {
            dns.add(new Ipv4Address(m.address(DhcpMessage.OPT_DNS, i)));
        }
        // The lease runs from when the request was sent (section 4.4.1).
        long base = startedAt;
        if (lease != null && leaseAddress != address) {
            lose(now);
        }
        state = State.BOUND;
        serverId = server;
        leaseAddress = address;
        t1At = base + t1n;
        t2At = base + t2n;
        expiresAt = base + duration;
        retransmitAt = Long.MAX_VALUE;
        attempts = 0;
        lease = new Lease(new Ipv4Address(address), prefix, gateway == 0 ? null : new Ipv4Address(gateway),
                new Ipv4Address(server), duration, List.copyOf(dns));
        leases.increment();
        events.bound(lease, now);
    }

    private static int naturalPrefix(int a) {
        int first = a >>> 24;
        return first < 128 ? 8 : first < 192 ? 16 : 24;
    }

    private void lose(long now) {
        Lease l = lease;
        lease = null;
        leaseAddress = 0;
        leasesLost.increment();
        t1At = t2At = expiresAt = Long.MAX_VALUE;
        events.lost(l, now);
    }

    /** Gives the lease back (DHCPRELEASE) and stops. */
    public void release(long now) {
        if (lease != null) {
            PacketBuffer b = build(DhcpMessage.RELEASE, leaseAddress, false, now);
            option(b, DhcpMessage.OPT_SERVER_ID, serverId);
            end(b);
            txRelease.increment();
            transport.send(b, leaseAddress, serverId, now);
            lease = null;
        }
        state = State.STOPPED;
        retransmitAt = t1At = t2At = expiresAt = Long.MAX_VALUE;
    }

    // ---- sending ----

    private void sendDiscover(long now) {
        PacketBuffer b = build(DhcpMessage.DISCOVER, 0, true, now);
        parameters(b);
        end(b);
        txDiscover.increment();
        transport.send(b, 0, -1, now);
        retransmitAt = backoff(now);
        attempts++;
    }

    private void sendRequest(long now) {
        boolean renewing = state == State.RENEWING;
        boolean rebinding = state == State.REBINDING;
        int ciaddr = renewing || rebinding ? leaseAddress : 0;
        PacketBuffer b = build(DhcpMessage.REQUEST, ciaddr, !renewing, now);
        if (state == State.REQUESTING) {
            option(b, DhcpMessage.OPT_REQUESTED_IP, offeredAddress);
            option(b, DhcpMessage.OPT_SERVER_ID, serverId);
        }
        parameters(b);
        end(b);
        txRequest.increment();
        if (renewing) {
            transport.send(b, leaseAddress, serverId, now);
            retransmitAt = now + Math.max(60 * SECOND, (t2At - now) / 2);
        } else if (rebinding) {
            transport.send(b, leaseAddress, -1, now);
            retransmitAt = now + Math.max(60 * SECOND, (expiresAt - now) / 2);
        } else {
            transport.send(b, 0, -1, now);
            retransmitAt = backoff(now);
        }
        attempts++;
    }

    private PacketBuffer build(int type, int ciaddr, boolean broadcast, long now) {
        PacketBuffer b = PacketBuffer.allocate(Network.HEADROOM, 576).truncate(0);
        b.extend(DhcpMessage.OPTIONS);
        b.fill(0, DhcpMessage.OPTIONS, (byte) 0);
        long secs = Math.min(65_535, Math.max(0, (now - startedAt) / SECOND));
        b.setU8(0, DhcpMessage.BOOTREQUEST).setU8(1, 1).setU8(2, 6).setU8(3, 0).setI32(4, xid)
                .setU16(8, (int) secs).setU16(10, broadcast ? 0x8000 : 0).setI32(12, ciaddr);
        b.setU16(28, (int) (mac >>> 32)).setU32(30, mac);
        b.setI32(DhcpMessage.OPTIONS - 4, DhcpMessage.MAGIC);
        b.extend(3);
        b.setU8(DhcpMessage.OPTIONS, DhcpMessage.OPT_MESSAGE_TYPE).setU8(DhcpMessage.OPTIONS + 1, 1)
                .setU8(DhcpMessage.OPTIONS + 2, type);
        int p = b.length();
        b.extend(9);
        b.setU8(p, DhcpMessage.OPT_CLIENT_ID).setU8(p + 1, 7).setU8(p + 2, 1).setU16(p + 3, (int) (mac >>> 32))
                .setU32(p + 5, mac);
        return b;
    }

    private static void option(PacketBuffer b, int code, int value) {
        int p = b.length();
        b.extend(6);
        b.setU8(p, code).setU8(p + 1, 4).setI32(p + 2, value);
    }

    private static void parameters(PacketBuffer b) {
        int[] wanted = {DhcpMessage.OPT_SUBNET_MASK, DhcpMessage.OPT_ROUTER, DhcpMessage.OPT_DNS,
            DhcpMessage.OPT_LEASE_TIME, DhcpMessage.OPT_RENEWAL_TIME, DhcpMessage.OPT_REBINDING_TIME};
        int p = b.length();
        b.extend(2 + wanted.length);
        b.setU8(p, DhcpMessage.OPT_PARAMETERS).setU8(p + 1, wanted.length);
        for (int i = 0; i < wanted.length; i++) {
            b.setU8(p + 2 + i, wanted[i]);
        }
    }

    private static void end(PacketBuffer b) {
        int p = b.length();
        b.extend(1);
        b.setU8(p, DhcpMessage.OPT_END);
        if (b.length() < MIN_MESSAGE) {
            int pad = MIN_MESSAGE - b.length();
            int at = b.length();
            b.extend(pad);
            b.fill(at, pad, (byte) 0);
        }
    }
}
