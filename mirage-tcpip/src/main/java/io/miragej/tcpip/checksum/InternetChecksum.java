package io.miragej.tcpip.checksum;

import io.miragej.buffer.PacketBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The Internet checksum of RFC 1071: the 16-bit ones' complement of the ones' complement sum of
 * 16-bit big-endian words. Sums are accumulated unfolded in a {@code long} (so partial sums of the
 * pseudo-header and of the segment add up with {@code +}) and folded once at the end.
 *
 * <p>The bulk loop reads eight bytes at a time straight from the buffer's {@link MemorySegment}:
 * adding the two 32-bit halves of each big-endian long into a 64-bit accumulator cannot overflow
 * for any packet shorter than 2^32 bytes, and ones'-complement addition is independent of the
 * grouping, so the 16-bit fold of that sum is the RFC 1071 sum.
 */
public final class InternetChecksum {
    private static final ValueLayout.OfLong LONG_BE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private InternetChecksum() {}

    /**
     * The unfolded sum of {@code length} bytes of {@code buf} from {@code index}, as if they
     * started at an even offset of the checksummed data; an odd final byte is padded with zero.
     */
    public static long sum(PacketBuffer buf, int index, int length) {
        Objects.checkFromIndexSize(index, length, buf.length());
        return sum(buf.memory(), (long) buf.offset() + index, length);
    }

    /** The unfolded sum of {@code length} bytes of {@code memory} from {@code offset}. */
    public static long sum(MemorySegment memory, long offset, int length) {
        long acc = 0;
        long p = offset;
        long end = offset + length;
        // Four independent accumulators would not help: the adds are not the bottleneck, the
        // loads are; one accumulator keeps the loop small enough to unroll.
        for (; p + 8 <= end; p += 8) {
            long v = memory.get(LONG_BE, p);
            acc += (v >>> 32) + (v & 0xffff_ffffL);
        }
        if (p + 4 <= end) {
            acc += memory.get(INT_BE, p) & 0xffff_ffffL;
            p += 4;
        }
        if (p + 2 <= end) {
            acc += memory.get(SHORT_BE, p) & 0xffff;
            p += 2;
        }
        if (p < end) {
            acc += (memory.get(ValueLayout.JAVA_BYTE, p) & 0xff) << 8;
        }
        return acc;
    }

    /** Folds an unfolded sum to 16 bits (ones' complement addition of the carries). */
    public static int fold(long sum) {
        long s = (sum >>> 32) + (sum & 0xffff_ffffL);
        s = (s >>> 32) + (s & 0xffff_ffffL);
        s = (s >>> 16) + (s & 0xffff);
        s = (s >>> 16) + (s & 0xffff);
        s = (s >>> 16) + (s & 0xffff);
        return (int) s;
    }

    /** The checksum field value for data whose unfolded sum (checksum field zeroed) is {@code sum}. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** The checksum of a whole byte range, as written into a header. */
    public static int checksum(PacketBuffer buf, int index, int length) {
        return finish(sum(buf, index, length));
    }

    /** True when data including its checksum field sums to 0xffff (ones' complement zero). */
    public static boolean verifies(long sumIncludingChecksum) {
        return fold(sumIncludingChecksum) == 0xffff;
    }

    /** The unfolded sum of the IPv4 pseudo-header of RFC 793/768: addresses, protocol, length. */
    public static long ipv4PseudoHeader(int source, int destination, int protocol, int length) {
        return (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff)
                + protocol + length;
    }

    /** The unfolded sum of the IPv6 pseudo-header of RFC 8200 section 8.1. */
    public static long ipv6PseudoHeader(
            long sourceHigh, long sourceLow, long destinationHigh, long destinationLow, int nextHeader,
            long length) {
        return words(sourceHigh) + words(sourceLow) + words(destinationHigh) + words(destinationLow)
                + (length >>> 16) + (length & 0xffff) + nextHeader;
    }

    private static long words(long v) {
        return (v >>> 32) + (v & 0xffff_ffffL);
    }

    /**
     * Updates a checksum field for one 16-bit word changing from {@code oldWord} to {@code
     * newWord}, per RFC 1624 (HC' = ~(~HC + ~m + m')).
     */
    public static int adjust(int checksum, int oldWord, int newWord) {
        long s = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return ~fold(s) & 0xffff;
    }
}
