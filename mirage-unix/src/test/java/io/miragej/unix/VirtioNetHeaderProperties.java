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

    /** A 12-byte header (little-endian fields) followed by {@code frameLength} zero bytes. */
    static PacketBuffer header(int flags, int gsoType, int gsoSize, int start, int offset, int frameLength) {
        PacketBuffer b = PacketBuffer.allocate(VirtioNetHeader.LENGTH + frameLength);
        b.setU8(0, flags).setU8(1, gsoType).setU16(2, Short.reverseBytes((short) 54))
                .setU16(4, Short.reverseBytes((short) gsoSize)).setU16(6, Short.reverseBytes((short) start))
                .setU16(8, Short.reverseBytes((short) offset));
        return b;
    }
}
