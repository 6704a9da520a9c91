package io.miragej.tcpip.icmp;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.Network;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.checksum.InternetChecksum;
import io.miragej.tcpip.core.IcmpErrorListener;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.ipv4.Ipv4;
import io.miragej.tcpip.ipv4.Ipv4Header;

/**
 * ICMP for IPv4 (RFC 792, RFC 1122 section 3.2.2), as a sans-IO core.
 *
 * <ul>
 *   <li>Echo requests to us are answered with their data (not those sent to a broadcast or
 *       multicast address, as Linux's default). Echo replies go to an {@link EchoListener}.
 *   <li>Destination unreachable (protocol and port unreachable, from the IP layer and UDP) and
 *       reassembly time exceeded are sent quoting as much of the offending packet as fits in 576
 *       bytes (RFC 1812 4.3.2.3), never about ICMP errors, group-addressed packets, non-initial
 *       fragments or packets from non-unicast sources (RFC 1122 3.2.2), and at most {@link
 *       #ERROR_BURST} at once and {@link #ERRORS_PER_SECOND} a second (a token bucket).
 *   <li>Errors received (unreachable, fragmentation needed, time exceeded, parameter problem)
 *       are passed to the transport that sent the quoted packet.
 * </ul>
 *
 * <p>Counters: {@code icmp.rx.messages}, {@code .echo-requests}, {@code .echo-replies}, {@code
 * .errors}, {@code .other}, {@code icmp.tx.echo-replies}, {@code .echo-requests}, {@code
 * .errors}; drops {@code icmp.drop.short}, {@code .checksum}, {@code .broadcast-echo}, {@code
 * .rate-limited}, {@code .no-buffer}, {@code .bad-quote}.
 */
public final class Icmpv4 implements Ipv4.Transport, Ipv4.Errors {
    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;
    public static final int ERRORS_PER_SECOND = 100;
    public static final int ERROR_BURST = 50;
    private static final int MAX_ERROR_DATAGRAM = 576;

    /** Told about echo replies, for a ping client. */
    @FunctionalInterface
    public interface EchoListener {
        void echoReply(int from, int identifier, int sequence, PacketBuffer data, int offset, int length, long now);
    }

    private final Ipv4 ip;
    private final Link link;
    private final IcmpErrorListener[] listeners = new IcmpErrorListener[256];
    private EchoListener echoListener;
    private double tokens = ERROR_BURST;
    private long lastRefill;

    private final Counter rxMessages;
    private final Counter rxEchoRequests;
    private final Counter rxEchoReplies;
    private final Counter rxErrors;
    private final Counter rxOther;
    private final Counter txEchoReplies;
    private final Counter txEchoRequests;
    private final Counter txErrors;
    private final Counter dropShort;
    private final Counter dropChecksum;
    private final Counter dropBroadcastEcho;
    private final Counter dropRateLimited;
    private final Counter dropNoBuffer;
    private final Counter dropBadQuote;

    public Icmpv4(Ipv4 ip, Link link, Counters counters) {
        this.ip = ip;
        this.link = link;
        rxMessages = counters.counter("icmp.rx.messages");
        rxEchoRequests = counters.counter("icmp.rx.echo-requests");
        rxEchoReplies = counters.counter("icmp.rx.echo-replies");
        rxErrors = counters.counter("icmp.rx.errors");
        rxOther = counters.counter("icmp.rx.other");
        txEchoReplies = counters.counter("icmp.tx.echo-replies");
        txEchoRequests = counters.counter("icmp.tx.echo-requests");
        txErrors = counters.counter("icmp.tx.errors");
        dropShort = counters.counter("icmp.drop.short");
        dropChecksum = counters.counter("icmp.drop.checksum");
        dropBroadcastEcho = counters.counter("icmp.drop.broadcast-echo");
        dropRateLimited = counters.counter("icmp.drop.rate-limited");
        dropNoBuffer = counters.counter("icmp.drop.no-buffer");
        dropBadQuote = counters.counter("icmp.drop.bad-quote");
        ip.register(Ipv4Header.PROTOCOL_ICMP, this);
        ip.setErrors(this);
    }

    /** Routes error reports quoting packets of {@code protocol} to {@code listener}. */
    public void setErrorListener(int protocol, IcmpErrorListener listener) {
        listeners[protocol] = listener;
    }

    public void setEchoListener(EchoListener listener) {
        this.echoListener = listener;
    }

    // ---- receiving ----

    @Override
    public void receive(IpContext c, PacketBuffer buf, int offset, int length, long now) {
        rxMessages.increment();
        if (length < 8) {
            dropShort.increment();
            return;
        }
        if (!InternetChecksum.verifies(InternetChecksum.sum(buf, offset, length))) {
            dropChecksum.increment();
            return;
        }
        int type = buf.getU8(offset);
        switch (type) {
            case ECHO_REQUEST -> {
                rxEchoRequests.increment();
                if (c.toGroup) {
                    dropBroadcastEcho.increment();
                    return;
                }
                reply(c, buf, offset, length, now);
            }
            case ECHO_REPLY -> {
                rxEchoReplies.increment();
                if (echoListener != null) {
                    echoListener.echoReply(c.sourceV4(), buf.getU16(offset + 4), buf.getU16(offset + 6), buf,
                            offset + 8, length - 8, now);
                }
            }
            case DESTINATION_UNREACHABLE, TIME_EXCEEDED, PARAMETER_PROBLEM -> {
                rxErrors.increment();
                error(buf, offset, length, now);
            }
            default -> rxOther.increment();
        }
    }

    private void reply(IpContext c, PacketBuffer buf, int offset, int length, long now) {
        PacketBuffer out = length <= ip.maxPayload()
                ? link.allocate()
                : PacketBuffer.allocate(Network.HEADROOM, length).truncate(0);
        if (out == null) {
            dropNoBuffer.increment();
            return;
        }
        out.extend(length);
        buf.copyTo(offset, out, 0, length);
        out.setU8(0, ECHO_REPLY).setU8(1, 0).setU16(2, 0);
        out.setU16(2, InternetChecksum.checksum(out, 0, length));
        txEchoReplies.increment();
        ip.send(out, Ipv4Header.PROTOCOL_ICMP, c.destinationV4(), c.sourceV4(), Ipv4.DEFAULT_TTL, c.trafficClass,
                false, now);
    }

    private void error(PacketBuffer buf, int offset, int length, long now) {
        int type = buf.getU8(offset);
        int code = buf.getU8(offset + 1);
        int q = offset + 8;
        int qlen = length - 8;
        if (qlen < Ipv4Header.MIN_HEADER + 8 || (buf.getU8(q) >>> 4) != 4) {
            dropBadQuote.increment();
            return;
        }
        int hl = (buf.getU8(q) & 0x0f) * 4;
        if (hl < Ipv4Header.MIN_HEADER || qlen < hl + 8) {
            dropBadQuote.increment();
            return;
        }
        int protocol = buf.getU8(q + 9);
        IcmpErrorListener l = listeners[protocol];
        if (l == null) {
            return;
        }
        int kind;
        int mtu = 0;
        if (type == DESTINATION_UNREACHABLE) {
            kind = switch (code) {
                case CODE_NET_UNREACHABLE, CODE_HOST_UNREACHABLE, 5, 6, 7, 11, 12 -> IcmpErrorListener.SOFT_UNREACHABLE;
                case CODE_FRAGMENTATION_NEEDED -> IcmpErrorListener.PACKET_TOO_BIG;
                default -> IcmpErrorListener.HARD_UNREACHABLE;
            };
            mtu = buf.getU16(offset + 6);
        } else if (type == TIME_EXCEEDED) {
            kind = IcmpErrorListener.TIME_EXCEEDED;
        } else {
            kind = IcmpErrorListener.PARAMETER_PROBLEM;
        }
        int src = buf.getI32(q + 12);
        int dst = buf.getI32(q + 16);
        int t = q + hl;
        l.icmpError(0, IpContext.mapped(src), buf.getU16(t), 0, IpContext.mapped(dst), buf.getU16(t + 2),
                buf.getI32(t + 4), kind, mtu, now);
    }

    // ---- sending ----

    /** Sends an echo request (a ping) to {@code destination}. */
    public boolean ping(int destination, int identifier, int sequence, byte[] data, long now) {
        PacketBuffer out = link.allocate();
        if (out == null || out.tailroom() < 8 + data.length) {
            if (out != null) {
                out.release();
            }
            out = PacketBuffer.allocate(Network.HEADROOM, 8 + data.length).truncate(0);
        }
        out.extend(8 + data.length);
        out.setU8(0, ECHO_REQUEST).setU8(1, 0).setU16(2, 0).setU16(4, identifier).setU16(6, sequence);
        out.setBytes(8, data);
        out.setU16(2, InternetChecksum.checksum(out, 0, out.length()));
        txEchoRequests.increment();
        return ip.send(out, Ipv4Header.PROTOCOL_ICMP, 0, destination, Ipv4.DEFAULT_TTL, 0, false, now);
    }

    /** Port unreachable about the packet described by {@code c} (UDP with no listener). */
    public void portUnreachable(IpContext c, long now) {
        sendError(c.packet, c.packetOffset, c.packetLength, c.toGroup, DESTINATION_UNREACHABLE,
                CODE_PORT_UNREACHABLE, now);
    }

    @Override
    public void protocolUnreachable(IpContext c, long now) {
        sendError(c.packet, c.packetOffset, c.packetLength, c.toGroup, DESTINATION_UNREACHABLE,
                CODE_PROTOCOL_UNREACHABLE, now);
    }

    @Override
    public void reassemblyTimeExceeded(PacketBuffer firstFragment, int length, long now) {
        sendError(firstFragment, 0, length, false, TIME_EXCEEDED, CODE_REASSEMBLY_TIME_EXCEEDED, now);
    }

    private void sendError(PacketBuffer packet, int offset, int length, boolean toGroup, int type, int code, long now) {
        int hl = (packet.getU8(offset) & 0x0f) * 4;
        int src = packet.getI32(offset + 12);
        int protocol = packet.getU8(offset + 9);
        boolean nonInitialFragment = (packet.getU16(offset + 6) & 0x1fff) != 0;
        if (toGroup || nonInitialFragment || src == 0 || src == -1 || (src >>> 28) == 0xe
                || (protocol == Ipv4Header.PROTOCOL_ICMP && isError(packet, offset + hl, length - hl))) {
            return;
        }
        if (!takeToken(now)) {
            dropRateLimited.increment();
            return;
        }
        int quote = Math.min(length, Math.min(ip.maxPayload(), MAX_ERROR_DATAGRAM - Ipv4Header.MIN_HEADER) - 8);
        PacketBuffer out = link.allocate();
        if (out == null) {
            dropNoBuffer.increment();
            return;
        }
        out.extend(8 + quote);
        out.setU8(0, type).setU8(1, code).setU16(2, 0).setI32(4, 0);
        packet.copyTo(offset, out, 8, quote);
        out.setU16(2, InternetChecksum.checksum(out, 0, out.length()));
        txErrors.increment();
        ip.send(out, Ipv4Header.PROTOCOL_ICMP, 0, src, Ipv4.DEFAULT_TTL, 0, false, now);
    }

    private static boolean isError(PacketBuffer packet, int offset, int length) {
        if (length < 1) {
            return false;
        }
        int t = packet.getU8(offset);
        return t != ECHO_REQUEST && t != ECHO_REPLY && t != 13 && t != 14 && t != 15 && t != 16 && t != 17
                && t != 18;
    }

    private boolean takeToken(long now) {
        if (now > lastRefill) {
            tokens = Math.min(ERROR_BURST, tokens + (now - lastRefill) * (ERRORS_PER_SECOND / 1e9));
            lastRefill = now;
        }
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
