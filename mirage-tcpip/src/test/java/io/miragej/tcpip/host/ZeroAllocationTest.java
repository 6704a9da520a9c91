package io.miragej.tcpip.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import io.miragej.device.Network;
import io.miragej.stats.Counters;
import io.miragej.tcpip.Packets;
import io.miragej.tcpip.checksum.InternetChecksum;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.tcp.TcpConnection;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The receive path allocates nothing per packet once warm: TCP data into an established
 * connection (and its ACKs out), UDP to a bound port, ping answered. Measured with the JVM's
 * per-thread allocation counter around a steady stream of frames; the test's own loop reuses its
 * buffers so everything counted is the stack's.
 */
class ZeroAllocationTest {
    static final long US_MAC = 0x02_00_00_00_00_01L;
    static final long PEER_MAC = 0x02_00_00_00_00_02L;
    static final int US = Packets.ip("10.0.0.1");
    static final int PEER = Packets.ip("10.0.0.2");
    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** A device that drops what it is given: frames out are released at once. */
    static final class SinkLink implements Link {
        final PacketPool pool = PacketPool.heapPool(64, Network.HEADROOM + 1514, Network.HEADROOM);
        long sent;

        @Override
        public long mac() {
            return US_MAC;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public PacketBuffer allocate() {
            return pool.acquire();
        }

        @Override
        public void transmit(PacketBuffer frame) {
            sent++;
            if (frame.length() >= 54 && frame.getU16(12) == 0x0800 && frame.getU8(23) == 6) {
                lastTcpSeq = frame.getI32(14 + 20 + 4);
            }
            frame.release();
        }

        int lastTcpSeq;
    }

    final SinkLink link = new SinkLink();
    final StackCore core = new StackCore(link, StackCore.Limits.defaults(), new Counters(), 1, 2);

    {
        core.configureIpv4(US, 24, 0, 0);
        core.arp().input(PacketBuffer.wrap(Packets.arp(2, PEER_MAC, PEER, US_MAC, US)), 0, 28, 0);
    }

    static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    PacketBuffer frame(byte[] ipPacket) {
        return Packets.frame(Packets.ethernet(US_MAC, PEER_MAC, 0x0800, ipPacket));
    }

    /** Rewrites the TCP sequence number of a prebuilt frame and fixes its checksum, allocating nothing. */
    static void setSeq(PacketBuffer frame, int seq) {
        int tcp = 14 + 20;
        int len = frame.length() - tcp;
        frame.setI32(tcp + 4, seq).setU16(tcp + 16, 0);
        long sum = InternetChecksum.ipv4PseudoHeader(PEER, US, 6, len) + InternetChecksum.sum(frame, tcp, len);
        frame.setU16(tcp + 16, InternetChecksum.finish(sum));
    }

    @Test
    void tcpDataIntoAnEstablishedConnection() {
        List<TcpConnection> accepted = new ArrayList<>();
        core.tcp().listen(80, accepted::add);
        core.receive(frame(Packets.ipv4(PEER, US, 6, tcpSegment(1000, 0, 0x02, new byte[0]))), 0);
        int iss = link.lastTcpSeq; // from our SYN-ACK
        long now = 0;
        core.receive(frame(Packets.ipv4(PEER, US, 6, tcpSegment(1001, iss + 1, 0x10, new byte[0]))), now);
        TcpConnection c = accepted.getFirst();
        assertEquals(TcpConnection.State.ESTABLISHED, c.state());

        PacketBuffer data = frame(Packets.ipv4(PEER, US, 6, tcpSegment(1001, iss + 1, 0x18, new byte[1448])));
        byte[] sink = new byte[64 * 1024];
        int seq = 1001;
        for (int i = 0; i < 20_000; i++) { // warm up: let the JIT compile the path
            setSeq(data, seq);
            core.receive(data, now);
            seq += 1448;
            c.read(sink, 0, sink.length, now);
        }
        long before = allocated();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            setSeq(data, seq);
            core.receive(data, now);
            seq += 1448;
            c.read(sink, 0, sink.length, now);
        }
        long bytes = allocated() - before;
        System.out.println("TCP receive path: " + bytes + " bytes allocated for " + n + " segments");
        assertEquals(0, c.readable());
        assertTrue(bytes < n / 10, "allocated " + bytes + " bytes for " + n + " segments");
        assertTrue(link.sent > n / 3, "ACKs went out");
    }

    /** The same with what an offloading TAP device hands over: 16 segments in one, checksum left partial. */
    @Test
    void coalescedTcpSegmentsWithPartialChecksums() {
        List<TcpConnection> accepted = new ArrayList<>();
        core.tcp().listen(80, accepted::add);
        core.receive(frame(Packets.ipv4(PEER, US, 6, tcpSegment(1000, 0, 0x02, new byte[0]))), 0);
        int iss = link.lastTcpSeq;
        core.receive(frame(Packets.ipv4(PEER, US, 6, tcpSegment(1001, iss + 1, 0x10, new byte[0]))), 0);
        TcpConnection c = accepted.getFirst();
        PacketBuffer data = frame(Packets.ipv4(PEER, US, 6, tcpSegment(1001, iss + 1, 0x18, new byte[16 * 1448])));
        data.setU16(34 + 16, 0x1234); // not a checksum: the device vouches for the data
        io.miragej.device.FrameOffload offload = new io.miragej.device.FrameOffload().checksumPartial(34, 16)
                .coalesced(io.miragej.device.FrameOffload.Segmentation.TCP_V4, 1448);
        byte[] sink = new byte[64 * 1024];
        int seq = 1001;
        int n = 20_000;
        long before = 0;
        for (int i = 0; i < 2 * n; i++) { // the first half warms up
            if (i == n) {
                before = allocated();
            }
            data.setI32(34 + 4, seq);
            core.receive(data, offload, 0);
            seq += 16 * 1448;
            c.read(sink, 0, sink.length, 0);
        }
        long bytes = allocated() - before;
        System.out.println("TCP receive path with offloads: " + bytes + " bytes allocated for " + n + " coalesced segments");
        assertEquals(0, c.readable());
        assertEquals(2 * n, core.counters().get("tcp.rx.coalesced"));
        assertTrue(bytes < n / 10, "allocated " + bytes + " bytes for " + n + " segments");
    }

    /** A device with segmentation offload that drops what it is given, remembering how far data went. */
    static final class OffloadSinkLink implements Link {
        final PacketPool pool = PacketPool.heapPool(64, Network.HEADROOM + 1514, Network.HEADROOM);
        final PacketPool large = PacketPool.heapPool(4, Network.HEADROOM + 65_549, Network.HEADROOM);
        long largeSent;
        int dataEnd;
        int lastTcpSeq;

        @Override public long mac() { return US_MAC; }
        @Override public int mtu() { return 1500; }
        @Override public PacketBuffer allocate() { return pool.acquire(); }
        @Override public int maxOffloadFrame() { return 65_549; }

        @Override
        public PacketBuffer allocate(int frameLength) {
            return frameLength <= 1514 ? pool.acquire() : large.acquire();
        }

        @Override
        public void transmit(PacketBuffer frame) {
            note(frame);
            frame.release();
        }

        @Override
        public void transmitSegmented(PacketBuffer frame, int segmentSize) {
            largeSent++;
            note(frame);
            frame.release();
        }

        private void note(PacketBuffer frame) {
            if (frame.length() >= 54 && frame.getU16(12) == 0x0800 && frame.getU8(23) == 6) {
                lastTcpSeq = frame.getI32(34 + 4);
                int data = frame.length() - 34 - (frame.getU8(34 + 12) >>> 4) * 4;
                if (data > 0) {
                    dataEnd = lastTcpSeq + data;
                }
            }
        }
    }

    /** Sending with segmentation offload: writes go out as large segments, the peer's ACKs free the window. */
    @Test
    void tcpSendPathWithSegmentationOffload() {
        OffloadSinkLink sink = new OffloadSinkLink();
        StackCore core = new StackCore(sink, StackCore.Limits.defaults(), new Counters(), 1, 2);
        core.configureIpv4(US, 24, 0, 0);
        core.arp().input(PacketBuffer.wrap(Packets.arp(2, PEER_MAC, PEER, US_MAC, US)), 0, 28, 0);
        List<TcpConnection> accepted = new ArrayList<>();
        core.tcp().listen(80, accepted::add);
        core.receive(frame(Packets.ipv4(PEER, US, 6, tcpSegment(1000, 0, 0x02, new byte[0]))), 0);
        int iss = sink.lastTcpSeq;
        core.receive(frame(Packets.ipv4(PEER, US, 6, tcpSegment(1001, iss + 1, 0x10, new byte[0]))), 0);
        TcpConnection c = accepted.getFirst();
        PacketBuffer ack = frame(Packets.ipv4(PEER, US, 6, tcpSegment(1001, iss + 1, 0x10, new byte[0])));
        byte[] chunk = new byte[64 * 1024];
        int n = 20_000;
        long before = 0;
        long now = 0;
        for (int i = 0; i < 2 * n; i++) { // the first half warms up
            if (i == n) {
                before = allocated();
            }
            now += 100_000;
            c.write(chunk, 0, Math.min(chunk.length, c.writable()), now);
            int tcp = 34;
            ack.setI32(tcp + 8, sink.dataEnd).setU16(tcp + 16, 0);
            long sum = InternetChecksum.ipv4PseudoHeader(PEER, US, 6, 20) + InternetChecksum.sum(ack, tcp, 20);
            ack.setU16(tcp + 16, InternetChecksum.finish(sum));
            core.receive(ack, now);
        }
        long bytes = allocated() - before;
        System.out.println("TCP send path with segmentation offload: " + bytes + " bytes allocated for " + n
                + " writes, " + sink.largeSent + " large segments");
        assertTrue(sink.largeSent > n, "large segments went out: " + sink.largeSent);
        assertTrue(bytes < n / 10, "allocated " + bytes + " bytes for " + n + " writes");
    }

    @Test
    void udpToABoundPortAndPingAnswers() {
        long[] got = {0};
        core.udp().bind(7, (c, sp, dp, b, off, len, now) -> got[0] += len);
        PacketBuffer udp = frame(Packets.ipv4(PEER, US, 17, Packets.udp(PEER, US, 5000, 7, new byte[512])));
        PacketBuffer ping = frame(Packets.ipv4(PEER, US, 1, Packets.icmpEcho(8, 1, 1, new byte[56])));
        for (int i = 0; i < 20_000; i++) {
            core.receive(udp, 0);
            core.receive(ping, 0);
        }
        long before = allocated();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            core.receive(udp, 0);
            core.receive(ping, 0);
        }
        long bytes = allocated() - before;
        System.out.println("UDP and ICMP receive paths: " + bytes + " bytes allocated for " + 2 * n + " packets");
        assertEquals(512L * (n + 20_000), got[0]);
        assertTrue(bytes < n / 10, "allocated " + bytes + " bytes for " + 2 * n + " packets");
    }

    byte[] tcpSegment(int seq, int ack, int flags, byte[] payload) {
        byte[] s = new byte[20 + payload.length];
        s[0] = (byte) (40000 >>> 8);
        s[1] = (byte) 40000;
        s[3] = 80;
        Packets.putInt(s, 4, seq);
        Packets.putInt(s, 8, ack);
        s[12] = 0x50;
        s[13] = (byte) flags;
        s[14] = (byte) 0xff;
        s[15] = (byte) 0xff;
        System.arraycopy(payload, 0, s, 20, payload.length);
        long pseudo = (PEER >>> 16) + (PEER & 0xffff) + (US >>> 16) + (US & 0xffff) + 6 + s.length;
        int cs = Packets.checksum(s, 0, s.length, pseudo);
        s[16] = (byte) (cs >>> 8);
        s[17] = (byte) cs;
        return s;
    }
}
