package io.miragej.tcpip.ipv6;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.Network;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.checksum.InternetChecksum;
import io.miragej.tcpip.core.IcmpErrorListener;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.IpOutput;

/**
 * ICMPv6 (RFC 4443) as a sans-IO core: echo requests answered (to our addresses and to
 * all-nodes), errors sent (port unreachable, unrecognised next header) quoting as much of the
 * packet as fits in the minimum MTU and rate-limited by a token bucket, errors received passed to
 * the transport that sent the quoted packet, and neighbour discovery messages handed to {@link
 * Ndp}. The checksum covers the IPv6 pseudo-header and is required.
 *
 * <p>Counters: {@code icmpv6.rx.messages}, {@code .echo-requests}, {@code .echo-replies}, {@code
 * .errors}, {@code .other}, {@code icmpv6.tx.echo-replies}, {@code .errors}; drops {@code
 * icmpv6.drop.short}, {@code .checksum}, {@code .rate-limited}, {@code .no-buffer}.
 */
public final class Icmpv6 implements Ipv6.Transport, Ipv6.Errors {
    public static final int DESTINATION_UNREACHABLE = 1;
    public static final int PACKET_TOO_BIG = 2;
    public static final int TIME_EXCEEDED = 3;
    public static final int PARAMETER_PROBLEM = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int ROUTER_SOLICITATION = 133;
    public static final int ROUTER_ADVERTISEMENT = 134;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;
    static final int ERRORS_PER_SECOND = 100;
    static final int ERROR_BURST = 50;
    private static final int MIN_MTU = 1280;

    /** Told about echo replies, for a ping client. */
    @FunctionalInterface
    public interface EchoListener {
        void echoReply(long fromHigh, long fromLow, int identifier, int sequence, long now);
    }

    private final Ipv6 ip;
    private final Ndp ndp;
    private Mld mld;
    private final IcmpErrorListener[] listeners = new IcmpErrorListener[256];
    private EchoListener echoListener;
    private double tokens = ERROR_BURST;
    private long lastRefill;
    private final long[] source = new long[2];

    private final Counter rxMessages;
    private final Counter rxEchoRequests;
    private final Counter rxEchoReplies;
    private final Counter rxErrors;
    private final Counter rxOther;
    private final Counter txEchoReplies;
    private final Counter txErrors;
    private final Counter dropShort;
    private final Counter dropChecksum;
    private final Counter dropRateLimited;
    private final Counter dropNoBuffer;

    public Icmpv6(Ipv6 ip, Ndp ndp, Counters counters) {
        this.ip = ip;
        this.ndp = ndp;
        rxMessages = counters.counter("icmpv6.rx.messages");
        rxEchoRequests = counters.counter("icmpv6.rx.echo-requests");
        rxEchoReplies = counters.counter("icmpv6.rx.echo-replies");
        rxErrors = counters.counter("icmpv6.rx.errors");
        rxOther = counters.counter("icmpv6.rx.other");
        txEchoReplies = counters.counter("icmpv6.tx.echo-replies");
        txErrors = counters.counter("icmpv6.tx.errors");
        dropShort = counters.counter("icmpv6.drop.short");
        dropChecksum = counters.counter("icmpv6.drop.checksum");
        dropRateLimited = counters.counter("icmpv6.drop.rate-limited");
        dropNoBuffer = counters.counter("icmpv6.drop.no-buffer");
        ip.register(Ipv6Header.ICMPV6, this);
        ip.setErrors(this);
    }

    public void setErrorListener(int protocol, IcmpErrorListener listener) {
        listeners[protocol] = listener;
    }

    /** Where MLD queries go. */
    public void setMld(Mld mld) {
        this.mld = mld;
    }

    public void setEchoListener(EchoListener listener) {
        this.echoListener = listener;
    }

    /** The checksum of an ICMPv6 message at {@code b[0, length)} between the given addresses. */
    static int checksum(PacketBuffer b, int length, long sh, long sl, long dh, long dl) {
        long sum = IpOutput.pseudoAddressSum(sh, sl, dh, dl) + Ipv6Header.ICMPV6 + length
                + InternetChecksum.sum(b, 0, length);
        return InternetChecksum.finish(sum);
    }

    @Override
    public void receive(IpContext c, PacketBuffer buf, int offset, int length, long now) {
        rxMessages.increment();
        if (length < 4) {
            dropShort.increment();
            return;
        }
        long sum = c.pseudoAddressSum + Ipv6Header.ICMPV6 + length + InternetChecksum.sum(buf, offset, length);
        if (!InternetChecksum.verifies(sum)) {
            dropChecksum.increment();
            return;
        }
        int type = buf.getU8(offset);
        switch (type) {
            case ECHO_REQUEST -> {
                rxEchoRequests.increment();
                if (length >= 8) {
                    reply(c, buf, offset, length, now);
                } else {
                    dropShort.increment();
                }
            }
            case ECHO_REPLY -> {
                rxEchoReplies.increment();
                if (echoListener != null && length >= 8) {
                    echoListener.echoReply(c.sourceHigh, c.sourceLow, buf.getU16(offset + 4), buf.getU16(offset + 6),
                            now);
                }
            }
            case DESTINATION_UNREACHABLE, PACKET_TOO_BIG, TIME_EXCEEDED, PARAMETER_PROBLEM -> {
                rxErrors.increment();
                error(buf, offset, length, now);
            }
            case NEIGHBOR_SOLICITATION -> ndp.solicitation(c, buf, offset, length, now);
            case NEIGHBOR_ADVERTISEMENT -> ndp.advertisement(c, buf, offset, length, now);
            case ROUTER_ADVERTISEMENT -> ndp.routerAdvertisement(c, buf, offset, length, now);
            case Mld.QUERY -> {
                if (mld != null) {
                    mld.query(c, buf, offset, length, now);
                }
            }
            default -> rxOther.increment();
        }
    }

    private void reply(IpContext c, PacketBuffer buf, int offset, int length, long now) {
        long sh;
        long sl;
        if (c.toGroup) {
            if (!ip.sourceFor(c.sourceHigh, c.sourceLow, source)) {
                return;
            }
            sh = source[0];
            sl = source[1];
        } else {
            sh = c.destinationHigh;
            sl = c.destinationLow;
        }
        PacketBuffer out = length <= ip.maxPayload() ? ip.link.allocate()
                : PacketBuffer.allocate(Network.HEADROOM, length).truncate(0);
        if (out == null) {
            dropNoBuffer.increment();
            return;
        }
        out.extend(length);
        buf.copyTo(offset, out, 0, length);
        out.setU8(0, ECHO_REPLY).setU8(1, 0).setU16(2, 0);
        out.setU16(2, checksum(out, length, sh, sl, c.sourceHigh, c.sourceLow));
        txEchoReplies.increment();
        ip.send(out, Ipv6Header.ICMPV6, sh, sl, c.sourceHigh, c.sourceLow, Ipv6.DEFAULT_HOP_LIMIT, now);
    }

    /** Sends an echo request. */
    public boolean ping(long dh, long dl, int identifier, int sequence, byte[] data, long now) {
        if (!ip.sourceFor(dh, dl, source)) {
            return false;
        }
        PacketBuffer out = ip.link.allocate();
        if (out == null) {
            dropNoBuffer.increment();
            return false;
        }
        int len = 8 + data.length;
        out.extend(len);
        out.setU8(0, ECHO_REQUEST).setU8(1, 0).setU16(2, 0).setU16(4, identifier).setU16(6, sequence).setBytes(8, data);
        out.setU16(2, checksum(out, len, source[0], source[1], dh, dl));
        return ip.send(out, Ipv6Header.ICMPV6, source[0], source[1], dh, dl, Ipv6.DEFAULT_HOP_LIMIT, now);
    }

    private void error(PacketBuffer buf, int offset, int length, long now) {
        int type = buf.getU8(offset);
        int code = buf.getU8(offset + 1);
        int q = offset + 8;
        if (length < 8 + Ipv6Header.LENGTH + 8 || (buf.getU8(q) >>> 4) != 6) {
            return;
        }
        int nh = buf.getU8(q + 6);
        IcmpErrorListener l = listeners[nh];
        if (l == null) {
            return;
        }
        int kind = switch (type) {
            case DESTINATION_UNREACHABLE -> code == 1 || code == 4 || code == 5 || code == 6
                    ? IcmpErrorListener.HARD_UNREACHABLE : IcmpErrorListener.SOFT_UNREACHABLE;
            case PACKET_TOO_BIG -> IcmpErrorListener.PACKET_TOO_BIG;
            case TIME_EXCEEDED -> IcmpErrorListener.TIME_EXCEEDED;
            default -> IcmpErrorListener.PARAMETER_PROBLEM;
        };
        int mtu = type == PACKET_TOO_BIG ? (int) Math.min(Integer.MAX_VALUE, buf.getU32(offset + 4)) : 0;
        int t = q + Ipv6Header.LENGTH;
        l.icmpError(buf.getI64(q + 8), buf.getI64(q + 16), buf.getU16(t), buf.getI64(q + 24), buf.getI64(q + 32),
                buf.getU16(t + 2), buf.getI32(t + 4), kind, mtu, now);
    }

    // ---- errors we send ----

    /** Port unreachable (type 1 code 4) about the packet described by {@code c}. */
    public void portUnreachable(IpContext c, long now) {
        sendError(c, DESTINATION_UNREACHABLE, 4, 0, now);
    }

    @Override
    public void unrecognizedNextHeader(IpContext c, int pointer, long now) {
        sendError(c, PARAMETER_PROBLEM, 1, pointer, now);
    }

    private void sendError(IpContext c, int type, int code, int word, long now) {
        if (c.toGroup || Ipv6Header.isUnspecified(c.sourceHigh, c.sourceLow) || Ipv6Header.isMulticast(c.sourceHigh)) {
            return;
        }
        PacketBuffer p = c.packet;
        int nh = p.getU8(c.packetOffset + 6);
        if (nh == Ipv6Header.ICMPV6 && c.packetLength > Ipv6Header.LENGTH
                && p.getU8(c.packetOffset + Ipv6Header.LENGTH) < 128) {
            return; // never about an error message (RFC 4443 2.4 e.1)
        }
        if (!takeToken(now)) {
            dropRateLimited.increment();
            return;
        }
        int quote = Math.min(c.packetLength, Math.min(ip.maxPayload(), MIN_MTU - Ipv6Header.LENGTH) - 8);
        PacketBuffer out = ip.link.allocate();
        if (out == null) {
            dropNoBuffer.increment();
            return;
        }
        out.extend(8 + quote);
        out.setU8(0, type).setU8(1, code).setU16(2, 0).setI32(4, word);
        p.copyTo(c.packetOffset, out, 8, quote);
        out.setU16(2, checksum(out, out.length(), c.destinationHigh, c.destinationLow, c.sourceHigh, c.sourceLow));
        txErrors.increment();
        ip.send(out, Ipv6Header.ICMPV6, c.destinationHigh, c.destinationLow, c.sourceHigh, c.sourceLow,
                Ipv6.DEFAULT_HOP_LIMIT, now);
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
