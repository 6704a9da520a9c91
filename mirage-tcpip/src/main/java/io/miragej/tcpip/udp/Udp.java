package io.miragej.tcpip.udp;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.checksum.InternetChecksum;
import io.miragej.tcpip.core.EphemeralPorts;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.IpOutput;
import io.miragej.tcpip.core.PortUnreachable;
import io.miragej.tcpip.ipv4.Ipv4;

/**
 * UDP (RFC 768, RFC 1122 section 4.1, RFC 8200 section 8.1 for IPv6) as a sans-IO core: datagrams
 * in, deliveries to the receiver bound to the port, datagrams out. Checks length and checksum
 * (optional over IPv4, required over IPv6); datagrams for a port nobody bound are answered with
 * port unreachable unless they were sent to a group address.
 *
 * <p>Counters: {@code udp.rx.datagrams}, {@code udp.tx.datagrams}; drops {@code udp.drop.short},
 * {@code .length}, {@code .checksum}, {@code .no-port}, {@code udp.tx.drop.too-long}, {@code
 * .no-buffer}.
 */
public final class Udp implements Ipv4.Transport {
    public static final int HEADER = 8;
    public static final int PROTOCOL = 17;
    /** Largest payload: 65,535 - 8 (UDP) - 20 (IPv4 header). */
    public static final int MAX_PAYLOAD = 65_507;

    /** Takes datagrams arriving at a bound port; the payload is {@code buf[offset, offset+length)}. */
    @FunctionalInterface
    public interface Receiver {
        void receive(IpContext ip, int sourcePort, int destinationPort, PacketBuffer buf, int offset, int length,
                long now);
    }

    private final IpOutput out;
    private final PortUnreachable unreachable;
    private final Receiver[] ports = new Receiver[65_536];
    private final EphemeralPorts ephemeral;

    private final Counter rxDatagrams;
    private final Counter txDatagrams;
    private final Counter dropShort;
    private final Counter dropLength;
    private final Counter dropChecksum;
    private final Counter dropNoPort;
    private final Counter txTooLong;
    private final Counter txNoBuffer;

    public Udp(IpOutput out, PortUnreachable unreachable, Counters counters, long seed) {
        this.out = out;
        this.unreachable = unreachable;
        this.ephemeral = new EphemeralPorts(seed);
        rxDatagrams = counters.counter("udp.rx.datagrams");
        txDatagrams = counters.counter("udp.tx.datagrams");
        dropShort = counters.counter("udp.drop.short");
        dropLength = counters.counter("udp.drop.length");
        dropChecksum = counters.counter("udp.drop.checksum");
        dropNoPort = counters.counter("udp.drop.no-port");
        txTooLong = counters.counter("udp.tx.drop.too-long");
        txNoBuffer = counters.counter("udp.tx.drop.no-buffer");
    }

    /**
     * Binds {@code port} (0 for an ephemeral one) to {@code receiver}.
     *
     * @return the port bound, or -1 when it is taken (or no ephemeral port is left)
     */
    public int bind(int port, Receiver receiver) {
        if (port == 0) {
            port = ephemeral.pick(p -> ports[p] == null);
            if (port < 0) {
                return -1;
            }
        }
        if (ports[port] != null) {
            return -1;
        }
        ports[port] = receiver;
        return port;
    }

    public void unbind(int port) {
        ports[port] = null;
    }

    public boolean isBound(int port) {
        return ports[port] != null;
    }

    @Override
    public void receive(IpContext c, PacketBuffer buf, int offset, int length, long now) {
        if (length < HEADER) {
            dropShort.increment();
            return;
        }
        int udpLength = buf.getU16(offset + 4);
        if (udpLength < HEADER || udpLength > length) {
            dropLength.increment();
            return;
        }
        int checksum = buf.getU16(offset + 6);
        if (!c.checksumVerified && (checksum != 0 || c.version == 6)) {
            long sum = c.pseudoAddressSum + PROTOCOL + udpLength + InternetChecksum.sum(buf, offset, udpLength);
            if (checksum == 0 || !InternetChecksum.verifies(sum)) {
                dropChecksum.increment();
                return;
            }
        }
        int dstPort = buf.getU16(offset + 2);
        Receiver r = ports[dstPort];
        if (r == null) {
            dropNoPort.increment();
            if (!c.toGroup) {
                unreachable.portUnreachable(c, now);
            }
            return;
        }
        rxDatagrams.increment();
        r.receive(c, buf.getU16(offset), dstPort, buf, offset + HEADER, udpLength - HEADER, now);
    }

    /**
     * Sends {@code payload[offset, offset+length)} from the given source to the given destination;
     * the caller keeps the payload.
     *
     * @return false when the datagram was dropped (and counted)
     */
    public boolean send(long sourceHigh, long sourceLow, int sourcePort, long destinationHigh, long destinationLow,
            int destinationPort, PacketBuffer payload, int offset, int length, long now) {
        if (length > MAX_PAYLOAD) {
            txTooLong.increment();
            return false;
        }
        PacketBuffer d = out.allocate(HEADER + length);
        if (d == null) {
            txNoBuffer.increment();
            return false;
        }
        d.extend(length);
        payload.copyTo(offset, d, 0, length);
        d.prepend(HEADER);
        int total = HEADER + length;
        d.setU16(0, sourcePort).setU16(2, destinationPort).setU16(4, total).setU16(6, 0);
        long sum = IpOutput.pseudoAddressSum(sourceHigh, sourceLow, destinationHigh, destinationLow) + PROTOCOL
                + total + InternetChecksum.sum(d, 0, total);
        int cs = InternetChecksum.finish(sum);
        d.setU16(6, cs == 0 ? 0xffff : cs);
        txDatagrams.increment();
        return out.send(d, PROTOCOL, sourceHigh, sourceLow, destinationHigh, destinationLow, false, now);
    }
}
