package io.miragej.tcpip.bench;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import io.miragej.device.Network;
import io.miragej.stats.Counters;
import io.miragej.tcpip.Packets;
import io.miragej.tcpip.checksum.InternetChecksum;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.host.StackCore;
import io.miragej.tcpip.tcp.TcpConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The receive path's cost per packet, sans-IO (no device, no threads): the checksum of a
 * full-sized segment, a TCP data segment into an established connection (its ACKs included) and
 * read out, and a UDP datagram to a bound port. Run with {@code bench/jmh.sh mirage-tcpip -prof gc
 * ReceivePath}: gc.alloc.rate.norm shows the allocation per packet (expected ~0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReceivePathBenchmark {
    static final long US_MAC = 0x02_00_00_00_00_01L;
    static final long PEER_MAC = 0x02_00_00_00_00_02L;
    static final int US = Packets.ip("10.0.0.1");
    static final int PEER = Packets.ip("10.0.0.2");

    private StackCore core;
    private TcpConnection connection;
    private PacketBuffer segment;
    private PacketBuffer datagram;
    private PacketBuffer native1472;
    private final byte[] sink = new byte[64 * 1024];
    private int seq;
    private int lastSeq;

    @Setup
    public void setup() {
        Link link = new Link() {
            final PacketPool pool = PacketPool.nativePool(64, Network.HEADROOM + 1514, Network.HEADROOM);

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
                if (frame.length() >= 54 && frame.getU8(23) == 6) {
                    lastSeq = frame.getI32(38);
                }
                frame.release();
            }
        };
        core = new StackCore(link, StackCore.Limits.defaults(), new Counters(), 1, 2);
        core.configureIpv4(US, 24, 0, 0);
        core.arp().input(PacketBuffer.wrap(Packets.arp(2, PEER_MAC, PEER, US_MAC, US)), 0, 28, 0);
        List<TcpConnection> accepted = new ArrayList<>();
        core.tcp().listen(80, accepted::add);
        core.receive(frame(Packets.ipv4(PEER, US, 6, tcp(1000, 0, 0x02, new byte[0]))), 0);
        core.receive(frame(Packets.ipv4(PEER, US, 6, tcp(1001, lastSeq + 1, 0x10, new byte[0]))), 0);
        connection = accepted.getFirst();
        seq = 1001;
        segment = frame(Packets.ipv4(PEER, US, 6, tcp(1001, lastSeq + 1, 0x18, new byte[1448])));
        core.udp().bind(7, (c, sp, dp, b, off, len, now) -> {});
        datagram = frame(Packets.ipv4(PEER, US, 17, Packets.udp(PEER, US, 5000, 7, new byte[512])));
        native1472 = PacketPool.nativePool(1, 2048, 0).acquire().extend(1472);
    }

    PacketBuffer frame(byte[] ip) {
        byte[] f = Packets.ethernet(US_MAC, PEER_MAC, 0x0800, ip);
        PacketBuffer b = PacketPool.nativePool(1, 2048, 128).acquire();
        b.extend(f.length).setBytes(0, f);
        return b;
    }

    static byte[] tcp(int seq, int ack, int flags, byte[] payload) {
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

    @Benchmark
    public long checksum1472() {
        return InternetChecksum.sum(native1472, 0, 1472);
    }

    @Benchmark
    public int tcpSegmentIn() {
        int tcp = 34;
        int len = segment.length() - tcp;
        segment.setI32(tcp + 4, seq).setU16(tcp + 16, 0);
        long sum = InternetChecksum.ipv4PseudoHeader(PEER, US, 6, len) + InternetChecksum.sum(segment, tcp, len);
        segment.setU16(tcp + 16, InternetChecksum.finish(sum));
        core.receive(segment, 0);
        seq += 1448;
        return connection.read(sink, 0, sink.length, 0);
    }

    @Benchmark
    public PacketBuffer udpDatagramIn() {
        core.receive(datagram, 0);
        return datagram;
    }
}
