package io.miragej.tcpip.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.tcpip.Packets;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
    @Test
    void rfc1071NumericalExample() {
        // RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf0 before the final fold, 0x220d...
        byte[] b = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertEquals(0xddf2, InternetChecksum.fold(InternetChecksum.sum(PacketBuffer.wrap(b), 0, b.length)));
        assertEquals(0x220d, InternetChecksum.checksum(PacketBuffer.wrap(b), 0, b.length));
    }

    @Test
    void aKnownIpv4HeaderVerifies() {
        // A header from the wild with checksum b861.
        byte[] h = HexFormat.of().parseHex("45000073000040004011b861c0a80001c0a800c7");
        assertTrue(InternetChecksum.verifies(InternetChecksum.sum(PacketBuffer.wrap(h), 0, 20)));
        h[10] = 0;
        h[11] = 0;
        assertEquals(0xb861, InternetChecksum.checksum(PacketBuffer.wrap(h), 0, 20));
    }

    @Property
    void theFastSumEqualsTheByteWiseOne(@ForAll @Size(max = 3000) byte[] data, @ForAll @IntRange(max = 7) int shift) {
        byte[] shifted = new byte[data.length + shift];
        System.arraycopy(data, 0, shifted, shift, data.length);
        PacketBuffer b = PacketBuffer.wrap(shifted, shift, data.length);
        assertEquals(Packets.checksum(data, 0, data.length, 0), InternetChecksum.checksum(b, 0, data.length));
    }

    @Property
    void incrementalUpdateEqualsRecomputing(@ForAll @Size(min = 2, max = 200) byte[] data,
            @ForAll @IntRange(max = 0xffff) int newWord, @ForAll @IntRange(min = 0, max = 98) int wordIndex) {
        int n = data.length & ~1;
        int w = Math.min(wordIndex, n / 2 - 1) * 2;
        int before = Packets.checksum(data, 0, n, 0);
        int old = Packets.getU16(data, w);
        data[w] = (byte) (newWord >>> 8);
        data[w + 1] = (byte) newWord;
        int after = Packets.checksum(data, 0, n, 0);
        int adjusted = InternetChecksum.adjust(before, old, newWord);
        // 0x0000 and 0xffff are both zero in ones' complement
        assertEquals(after % 0xffff, adjusted % 0xffff);
    }

    @Property
    void pseudoHeaderSumMatchesSummingItsBytes(@ForAll int src, @ForAll int dst, @ForAll @IntRange(max = 255) int proto,
            @ForAll @IntRange(max = 65535) int len) {
        byte[] p = new byte[12];
        Packets.putInt(p, 0, src);
        Packets.putInt(p, 4, dst);
        p[9] = (byte) proto;
        p[10] = (byte) (len >>> 8);
        p[11] = (byte) len;
        assertEquals(Packets.checksum(p, 0, 12, 0),
                InternetChecksum.finish(InternetChecksum.ipv4PseudoHeader(src, dst, proto, len)));
    }
}
