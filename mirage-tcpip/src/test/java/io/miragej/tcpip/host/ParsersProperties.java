package io.miragej.tcpip.host;

import static io.miragej.tcpip.Packets.ethernet;
import static io.miragej.tcpip.Packets.icmpEcho;
import static io.miragej.tcpip.Packets.ip;
import static io.miragej.tcpip.Packets.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.miragej.buffer.PacketBuffer;
import io.miragej.tcpip.Packets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Arbitrary bytes into every parser never throw: whole frames at random, and random bytes behind
 * valid outer headers so each inner parser (ARP, IPv4 with options and fragments, ICMP, UDP) is
 * reached. After each run the stack still answers ping and no buffer has leaked.
 */
class ParsersProperties {
    static final long A_MAC = 0x02_00_00_00_00_0aL;
    static final long B_MAC = 0x02_00_00_00_00_0bL;
    static final int A = ip("10.0.0.1");
    static final int B = ip("10.0.0.2");

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(1600);
    }

    @Property(tries = 300)
    void randomFramesNeverThrow(@ForAll("frames") List<byte[]> frames) {
        Host a = new Host(A_MAC, "10.0.0.1", 24, "10.0.0.254");
        long t = 0;
        for (byte[] f : frames) {
            a.receive(f, t);
            a.core.onTimer(t);
            t += 10_000_000L;
        }
        stillAnswersPing(a, t);
    }

    @Provide
    Arbitrary<List<byte[]>> frames() {
        Arbitrary<byte[]> raw = bytes();
        Arbitrary<byte[]> ethernetThenRandom = Arbitraries.of(0x0800, 0x0806, 0x86dd, 0x8100, 0x0042)
                .flatMap(type -> bytes().map(p -> ethernet(A_MAC, B_MAC, type, p)));
        Arbitrary<byte[]> ipThenRandom = Arbitraries.integers().between(0, 255).flatMap(proto ->
                Arbitraries.integers().between(0, 0xffff).flatMap(flags ->
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(o -> o.length % 4 == 0 ? o : new byte[0])
                                .flatMap(options -> bytes().map(p -> ethernet(A_MAC, B_MAC, 0x0800,
                                        ipv4(B, A, proto % 3 == 0 ? 1 : proto % 3 == 1 ? 17 : proto, 64,
                                                flags & 0xff, flags & 0x3fff, options, p))))));
        Arbitrary<byte[]> arpThenRandom = bytes().map(p -> ethernet(A_MAC, B_MAC, 0x0806,
                Packets.concat(new byte[] {0, 1, 8, 0, 6, 4, 0, (byte) (p.length % 3)}, p)));
        // random ICMP bodies with a valid checksum reach the parsing of quoted packets
        Arbitrary<byte[]> icmpValid = bytes().filter(p -> p.length >= 4).map(p -> {
            p[2] = p[3] = 0;
            int cs = Packets.checksum(p, 0, p.length, 0);
            p[2] = (byte) (cs >> 8);
            p[3] = (byte) cs;
            return ethernet(A_MAC, B_MAC, 0x0800, ipv4(B, A, 1, p));
        });
        // UDP without a checksum reaches the port lookup with any length field
        Arbitrary<byte[]> udpNoChecksum = bytes().filter(p -> p.length >= 8).map(p -> {
            p[6] = p[7] = 0;
            return ethernet(A_MAC, B_MAC, 0x0800, ipv4(B, A, 17, p));
        });
        // IPv6 with random next headers (extension headers among them) and ICMPv6 with valid checksums
        long ll = 0xfe80_0000_0000_0000L;
        long ours = io.miragej.tcpip.ipv6.Ipv6Header.interfaceId(A_MAC);
        Arbitrary<byte[]> ipv6ThenRandom = Arbitraries.of(0, 6, 17, 43, 44, 58, 59, 60, 99).flatMap(nh ->
                Arbitraries.integers().between(0, 255).flatMap(hop -> bytes().map(p -> ethernet(A_MAC, B_MAC, 0x86dd,
                        Packets.ipv6(ll, 0x99, ll, ours, nh, hop, p)))));
        Arbitrary<byte[]> icmpv6Valid = Arbitraries.of(1, 2, 128, 129, 133, 134, 135, 136, 137).flatMap(type ->
                Arbitraries.integers().between(0, 255).flatMap(hop -> bytes().map(p -> ethernet(A_MAC, B_MAC, 0x86dd,
                        Packets.ipv6(ll, 0x99, ll, ours, 58, hop, Packets.icmpv6(ll, 0x99, ll, ours, type, 0, p))))));
        return Arbitraries.oneOf(raw, ethernetThenRandom, ipThenRandom, arpThenRandom, icmpValid, udpNoChecksum,
                ipv6ThenRandom, icmpv6Valid).list().ofMaxSize(30);
    }

    @Property(tries = 200)
    void truncatedAndBitFlippedValidFramesNeverThrow(@ForAll @IntRange(max = 200) int cut,
            @ForAll @Size(max = 8) List<@IntRange(max = 2000) Integer> flips) {
        Host a = new Host(A_MAC, "10.0.0.1", 24, null);
        a.bindRecorder(7);
        for (byte[] valid : List.of(
                ethernet(A_MAC, B_MAC, 0x0800, ipv4(B, A, 1, icmpEcho(8, 1, 2, new byte[100]))),
                ethernet(A_MAC, B_MAC, 0x0800, ipv4(B, A, 17, Packets.udp(B, A, 1, 7, new byte[100]))),
                ethernet(A_MAC, B_MAC, 0x0806, Packets.arp(1, B_MAC, B, 0, A)))) {
            byte[] f = java.util.Arrays.copyOf(valid, Math.max(0, valid.length - cut));
            for (int bit : flips) {
                if (f.length > 0) {
                    f[(bit / 8) % f.length] ^= (byte) (1 << (bit % 8));
                }
            }
            a.receive(f, 0);
        }
        stillAnswersPing(a, 0);
    }

    static void stillAnswersPing(Host a, long now) {
        a.core.arp().input(PacketBuffer.wrap(Packets.arp(2, B_MAC, B, A_MAC, A)), 0, 28, now);
        a.link.drain();
        a.receive(ethernet(A_MAC, B_MAC, 0x0800, ipv4(B, A, 1, icmpEcho(8, 9, 9, new byte[8]))), now);
        List<byte[]> out = a.link.drain().stream().filter(f -> Packets.getU16(f, 12) == 0x0800).toList();
        assertEquals(1, out.size(), "the stack still answers ping");
        assertEquals(0, out.getFirst()[34], "with an echo reply");
        assertEquals(a.link.pool.capacity(),
                a.link.pool.available() + a.core.arp().queuedPackets() + a.core.ndp().queuedPackets(),
                "no send buffer leaked");
    }
}
