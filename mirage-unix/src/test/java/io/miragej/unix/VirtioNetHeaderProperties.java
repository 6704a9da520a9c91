package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.FrameOffload;
import io.miragej.unix.VirtioNetHeader.Verdict;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class VirtioNetHeaderProperties {
    @Property(tries = 3000)
    void arbitraryBytesNeverThrowAndWhatParsesIsInsideTheFrame(@ForAll @Size(max = 200) byte[] bytes,
            @ForAll boolean legacy) {
        int headerLength = legacy ? VirtioNetHeader.LEGACY_LENGTH : VirtioNetHeader.LENGTH;
        FrameOffload o = new FrameOffload();
        Verdict v = VirtioNetHeader.parse(PacketBuffer.wrap(bytes), headerLength, o);
        if (v == Verdict.OK) {
            int frame = bytes.length - headerLength;
            assertTrue(frame >= 14);
            if (o.checksum() == FrameOffload.Checksum.PARTIAL) {
                assertTrue(o.checksumStart() >= 14 && o.checksumStart() + o.checksumOffset() + 2 <= frame, o.toString());
            }
            if (o.segmentation() != FrameOffload.Segmentation.NONE) {
                assertTrue(o.segmentSize() > 0);
            }
        } else {
            assertTrue(o.isEmpty(), "a refused header leaves nothing behind: " + o);
        }
    }

    /** Headers with plausible fields (so the interesting branches are reached), random otherwise. */
    @Property(tries = 3000)
    void fieldByFieldHeadersAreCheckedAsTheSpecificationSays(@ForAll @IntRange(max = 7) int flags,
            @ForAll @IntRange(max = 255) int gsoType, @ForAll @IntRange(max = 3000) int gsoSize,
            @ForAll @IntRange(max = 120) int start, @ForAll @IntRange(max = 40) int offset,
            @ForAll @IntRange(min = 0, max = 120) int frameLength) {
        PacketBuffer b = header(flags, gsoType, gsoSize, start, offset, frameLength);
        FrameOffload o = new FrameOffload();
        Verdict v = VirtioNetHeader.parse(b, VirtioNetHeader.LENGTH, o);
        int type = gsoType & 0x7f;
        Verdict expected;
        if (frameLength < 14) {
            expected = Verdict.SHORT;
        } else if ((flags & ~3) != 0) {
            expected = Verdict.UNKNOWN;
        } else if ((flags & 1) != 0 && (start < 14 || start + offset + 2 > frameLength)) {
            expected = Verdict.INCONSISTENT;
        } else if (gsoType == 0) {
            expected = Verdict.OK;
        } else if (type == 1 || type == 4) {
            expected = gsoSize == 0 ? Verdict.INCONSISTENT : Verdict.OK;
        } else if (type == 3 || type == 5) {
            expected = Verdict.UNSUPPORTED;
        } else {
            expected = Verdict.UNKNOWN;
        }
        assertEquals(expected, v, o.toString());
    }

    @Test
    void aTcpV4SegmentWithAPartialChecksum() {
        FrameOffload o = new FrameOffload();
        PacketBuffer b = header(1, 1 | 0x80, 1448, 34, 16, 14 + 20 + 20 + 2896);
        assertEquals(Verdict.OK, VirtioNetHeader.parse(b, VirtioNetHeader.LENGTH, o));
        assertEquals(FrameOffload.Checksum.PARTIAL, o.checksum());
        assertEquals(34, o.checksumStart());
        assertEquals(16, o.checksumOffset());
        assertEquals(FrameOffload.Segmentation.TCP_V4, o.segmentation());
        assertEquals(1448, o.segmentSize());
    }

    @Test
    void dataValidAloneMeansVerifiedAndAZeroHeaderMeansNothing() {
        FrameOffload o = new FrameOffload();
        assertEquals(Verdict.OK, VirtioNetHeader.parse(header(2, 0, 0, 0, 0, 60), VirtioNetHeader.LEGACY_LENGTH, o));
        assertEquals(FrameOffload.Checksum.VERIFIED, o.checksum());
        assertEquals(Verdict.OK, VirtioNetHeader.parse(header(0, 0, 0, 0, 0, 60), VirtioNetHeader.LENGTH, o));
        assertTrue(o.isEmpty());
        PacketBuffer plain = PacketBuffer.allocate(12);
        plain.fill(0, 12, (byte) 0x55);
        VirtioNetHeader.writePlain(plain, 12);
        assertEquals("000000000000000000000000", plain.toHex());
    }

    /** What a sender asks for is what the receiving side reads back from the header. */
    @Property(tries = 1000)
    void sendOffloadHeadersParseBackToTheSameOffload(@ForAll boolean ipv6, @ForAll boolean segmented,
            @ForAll @IntRange(min = 1, max = 9000) int segmentSize, @ForAll @IntRange(min = 0, max = 10) int options,
            @ForAll @IntRange(min = 0, max = 3000) int payload) {
        int tcpStart = ipv6 ? 54 : 34;
        int tcpHeader = 20 + 4 * options;
        PacketBuffer b = PacketBuffer.allocate(VirtioNetHeader.LENGTH + tcpStart + tcpHeader + payload);
        b.setU8(VirtioNetHeader.LENGTH + tcpStart + 12, (tcpHeader / 4) << 4);
        FrameOffload sent = new FrameOffload();
        if (segmented) {
            sent.segmentedTcp(ipv6, tcpStart, segmentSize);
        } else {
            sent.checksumPartial(tcpStart, 16);
        }
        assertTrue(VirtioNetHeader.writeOffload(b, VirtioNetHeader.LENGTH, sent));
        FrameOffload read = new FrameOffload();
        assertEquals(Verdict.OK, VirtioNetHeader.parse(b, VirtioNetHeader.LENGTH, read));
        assertEquals(sent.toString(), read.toString());
        int hdrLen = Short.toUnsignedInt(Short.reverseBytes((short) b.getU16(2)));
        assertEquals(segmented ? tcpStart + tcpHeader : 0, hdrLen, "hdr_len: the headers before the payload");
        assertEquals(0, b.getU16(10), "num_buffers");
    }

    @Test
    void offloadsADeviceMayNotBeAskedAreRefused() {
        PacketBuffer b = PacketBuffer.allocate(VirtioNetHeader.LENGTH + 54 + 100);
        b.setU8(VirtioNetHeader.LENGTH + 34 + 12, 0x50);
        assertEquals(false, VirtioNetHeader.writeOffload(b, 12, new FrameOffload().checksumVerified()));
        assertEquals(false, VirtioNetHeader.writeOffload(b, 12,
                new FrameOffload().coalesced(FrameOffload.Segmentation.TCP_V4, 1448)), "segmentation needs a partial checksum");
        assertEquals(false, VirtioNetHeader.writeOffload(b, 12,
                new FrameOffload().checksumPartial(34, 6).coalesced(FrameOffload.Segmentation.TCP_V4, 1448)),
                "segmentation of TCP: the field is 16 bytes in");
        assertEquals(false, VirtioNetHeader.writeOffload(b, 12, new FrameOffload().checksumPartial(150, 16)),
                "a checksum field outside the frame");
        b.setU8(VirtioNetHeader.LENGTH + 34 + 12, 0x10);
        assertEquals(false, VirtioNetHeader.writeOffload(b, 12, new FrameOffload().segmentedTcp(false, 34, 1448)),
                "a TCP data offset below 5");
        assertEquals(true, VirtioNetHeader.writeOffload(b, 12, new FrameOffload()), "nothing offloaded");
        assertEquals("000000000000000000000000", b.slice(0, 12).toHex());
    }

    /** A 12-byte header (little-endian fields) followed by {@code frameLength} zero bytes. */
    static PacketBuffer header(int flags, int gsoType, int gsoSize, int start, int offset, int frameLength) {
        PacketBuffer b = PacketBuffer.allocate(VirtioNetHeader.LENGTH + frameLength);
        b.setU8(0, flags).setU8(1, gsoType).setU16(2, Short.reverseBytes((short) 54))
                .setU16(4, Short.reverseBytes((short) gsoSize)).setU16(6, Short.reverseBytes((short) start))
                .setU16(8, Short.reverseBytes((short) offset));
        return b;
    }
}
