package io.miragej.tcpip.icmp;

import static io.miragej.tcpip.Packets.checksum;
import static io.miragej.tcpip.Packets.ethernet;
import static io.miragej.tcpip.Packets.getInt;
import static io.miragej.tcpip.Packets.getMac;
import static io.miragej.tcpip.Packets.getU16;
import static io.miragej.tcpip.Packets.icmpEcho;
import static io.miragej.tcpip.Packets.ip;
import static io.miragej.tcpip.Packets.ipv4;
import static io.miragej.tcpip.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.tcpip.Packets;
import io.miragej.tcpip.core.IcmpErrorListener;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.host.Host;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class Icmpv4Test {
    static final long A_MAC = 0x02_00_00_00_00_0aL;
    static final long B_MAC = 0x02_00_00_00_00_0bL;
    static final long BROADCAST = 0xffff_ffff_ffffL;
    static final int A = ip("10.0.0.1");
    static final int B = ip("10.0.0.2");

    final Host a = new Host(A_MAC, "10.0.0.1", 24, null);

    byte[] toA(byte[] ipPacket) {
        return ethernet(A_MAC, B_MAC, 0x0800, ipPacket);
    }

    List<byte[]> sentIp() {
        return a.link.drain().stream().filter(f -> getU16(f, 12) == 0x0800).toList();
    }

    void learnB() {
        a.core.arp().input(PacketBuffer.wrap(Packets.arp(2, B_MAC, B, A_MAC, A)), 0, 28, 0);
    }

    @Test
    void answersEchoRequestsWithTheirData() {
        learnB();
        byte[] data = "abcdefghijklmnopqrstuvwxyz".getBytes();
        a.receive(toA(ipv4(B, A, 1, icmpEcho(8, 0x1234, 7, data))), 0);
        byte[] reply = sentIp().getFirst();
        assertEquals(B_MAC, getMac(reply, 0));
        assertEquals(A, getInt(reply, 26));
        assertEquals(B, getInt(reply, 30));
        assertEquals(0, checksum(reply, 14, 20, 0), "IP header checksum");
        byte[] icmp = Arrays.copyOfRange(reply, 34, reply.length);
        assertEquals(0, icmp[0], "echo reply");
        assertEquals(0x1234, getU16(icmp, 4));
        assertEquals(7, getU16(icmp, 6));
        assertArrayEquals(data, Arrays.copyOfRange(icmp, 8, icmp.length));
        assertEquals(0, checksum(icmp, 0, icmp.length, 0), "ICMP checksum");
    }

    @Test
    void answersAnEchoRequestThatCameInFragments() {
        learnB();
        byte[] data = new byte[3000];
        Arrays.fill(data, (byte) 7);
        byte[] msg = icmpEcho(8, 1, 1, data);
        for (int off = 0; off < msg.length; off += 1480) {
            int len = Math.min(1480, msg.length - off);
            int flags = (off + len < msg.length ? 0x2000 : 0) | off / 8;
            a.receive(toA(ipv4(B, A, 1, 64, 42, flags, new byte[0], Arrays.copyOfRange(msg, off, off + len))), 0);
        }
        List<byte[]> sent = sentIp();
        assertEquals(3, sent.size(), "the reply is fragmented too");
        assertEquals(msg.length, sent.stream().mapToInt(f -> getU16(f, 16) - 20).sum());
    }

    @Test
    void ignoresEchoRequestsToBroadcastAndBadChecksums() {
        a.receive(ethernet(BROADCAST, B_MAC, 0x0800, ipv4(B, -1, 1, icmpEcho(8, 1, 1, new byte[4]))), 0);
        byte[] bad = icmpEcho(8, 1, 1, new byte[4]);
        bad[9] ^= 1;
        a.receive(toA(ipv4(B, A, 1, bad)), 0);
        a.receive(toA(ipv4(B, A, 1, new byte[3])), 0);
        assertTrue(sentIp().isEmpty());
        assertEquals(1, a.counters.get("icmp.drop.broadcast-echo"));
        assertEquals(1, a.counters.get("icmp.drop.checksum"));
        assertEquals(1, a.counters.get("icmp.drop.short"));
    }

    @Test
    void closedUdpPortsAreAnsweredWithPortUnreachableQuotingThePacket() {
        learnB();
        byte[] packet = ipv4(B, A, 17, udp(B, A, 5555, 4444, "x".getBytes()));
        a.receive(toA(packet), 0);
        byte[] err = sentIp().getFirst();
        byte[] icmp = Arrays.copyOfRange(err, 34, err.length);
        assertEquals(3, icmp[0]);
        assertEquals(3, icmp[1]);
        assertEquals(0, checksum(icmp, 0, icmp.length, 0));
        assertArrayEquals(packet, Arrays.copyOfRange(icmp, 8, icmp.length));
        assertEquals(1, a.counters.get("udp.drop.no-port"));
    }

    @Test
    void unknownProtocolsAreAnsweredWithProtocolUnreachable() {
        learnB();
        a.receive(toA(ipv4(B, A, 99, new byte[8])), 0);
        byte[] err = sentIp().getFirst();
        assertEquals(3, err[34]);
        assertEquals(2, err[35]);
    }

    @Test
    void noErrorsForBroadcastsOrAboutErrors() {
        learnB();
        a.receive(ethernet(BROADCAST, B_MAC, 0x0800, ipv4(B, -1, 17, udp(B, -1, 1, 4444, new byte[1]))), 0);
        byte[] icmpError = new byte[36];
        icmpError[0] = 3;
        int cs = checksum(icmpError, 0, icmpError.length, 0);
        icmpError[2] = (byte) (cs >> 8);
        icmpError[3] = (byte) cs;
        // an ICMP error to an unknown protocol would deserve an error, but never about an error:
        a.receive(toA(ipv4(B, A, 1, icmpError)), 0);
        assertTrue(sentIp().isEmpty());
    }

    @Test
    void errorsAreRateLimitedByATokenBucket() {
        learnB();
        for (int i = 0; i < 200; i++) {
            a.receive(toA(ipv4(B, A, 17, udp(B, A, 1, 4444, new byte[1]))), 0);
        }
        assertEquals(Icmpv4.ERROR_BURST, sentIp().size());
        assertEquals(200 - Icmpv4.ERROR_BURST, a.counters.get("icmp.drop.rate-limited"));
        for (int i = 0; i < 200; i++) {
            a.receive(toA(ipv4(B, A, 17, udp(B, A, 1, 4444, new byte[1]))), 100_000_000L); // 100 ms later
        }
        assertEquals(Icmpv4.ERRORS_PER_SECOND / 10, sentIp().size());
    }

    @Test
    void receivedErrorsReachTheTransportThatSentTheQuotedPacket() {
        record Report(long local, int localPort, long remote, int remotePort, int kind, int mtu) {}
        List<Report> reports = new ArrayList<>();
        a.core.icmpv4().setErrorListener(17, (lh, ll, lp, rh, rl, rp, word, kind, mtu, now) ->
                reports.add(new Report(ll, lp, rl, rp, kind, mtu)));
        byte[] ours = ipv4(A, B, 17, udp(A, B, 3333, 53, new byte[10]));
        byte[] err = new byte[8 + 28];
        err[0] = 3;
        err[1] = 4; // fragmentation needed
        err[6] = (byte) (1400 >> 8);
        err[7] = (byte) (1400 & 0xff);
        System.arraycopy(ours, 0, err, 8, 28);
        int cs = checksum(err, 0, err.length, 0);
        err[2] = (byte) (cs >> 8);
        err[3] = (byte) cs;
        a.receive(toA(ipv4(B, A, 1, err)), 0);
        err[1] = 3;
        err[2] = err[3] = 0;
        cs = checksum(err, 0, err.length, 0);
        err[2] = (byte) (cs >> 8);
        err[3] = (byte) cs;
        a.receive(toA(ipv4(B, A, 1, err)), 0);
        assertEquals(List.of(
                new Report(IpContext.mapped(A), 3333, IpContext.mapped(B), 53, IcmpErrorListener.PACKET_TOO_BIG, 1400),
                new Report(IpContext.mapped(A), 3333, IpContext.mapped(B), 53, IcmpErrorListener.HARD_UNREACHABLE,
                        1400)), reports);
    }

    @Test
    void pingsAndHearsTheReply() {
        Host b = new Host(B_MAC, "10.0.0.2", 24, null);
        List<Integer> replies = new ArrayList<>();
        a.core.icmpv4().setEchoListener((from, id, seq, data, off, len, now) -> replies.add(seq));
        a.core.icmpv4().ping(B, 1, 41, new byte[56], 0);
        Host.exchange(a, b, 0);
        assertEquals(List.of(41), replies);
    }
}
