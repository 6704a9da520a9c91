package io.miragej.tcpip.core;

/**
 * A bounded set of disjoint, non-adjacent byte ranges {@code [start, end)} over offsets from 0,
 * kept sorted: which parts of a datagram (IP reassembly) or of a receive window (TCP out-of-order
 * segments, SACK blocks) have arrived. Holds at most {@link #capacity()} ranges; an addition that
 * would need more is refused, so memory is fixed when the set is made. Allocates nothing.
 */
public final class RangeSet {
    private final int[] starts;
    private final int[] ends;
    private int count;
    private int lastStart = -1;
    private int lastEnd = -1;

    public RangeSet(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a range set holds at least one range");
        }
        starts = new int[capacity];
        ends = new int[capacity];
    }

    public int capacity() {
        return starts.length;
    }

    public int size() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public int start(int i) {
        return starts[i];
    }

    public int end(int i) {
        return ends[i];
    }

    public void clear() {
        count = 0;
        lastStart = lastEnd = -1;
    }

    /** Length of the range that starts at 0, or 0. */
    public int contiguousFromZero() {
        return count > 0 && starts[0] == 0 ? ends[0] : 0;
    }

    /** True when every byte of [start, end) is in the set. */
    public boolean covers(int start, int end) {
        for (int i = 0; i < count; i++) {
            if (starts[i] <= start && end <= ends[i]) {
                return true;
            }
        }
        return false;
    }

    /** True when some byte of [start, end) is in the set. */
    public boolean intersects(int start, int end) {
        for (int i = 0; i < count; i++) {
            if (starts[i] < end && start < ends[i]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds [start, end), merging with ranges it overlaps or touches.
     *
     * @return false (and the set unchanged) when that would need more than {@link #capacity()}
     *     ranges
     */
    public boolean add(int start, int end) {
        if (start >= end) {
            return true;
        }
        // first range whose end >= start (could merge), and first whose start > end (after)
        int first = 0;
        while (first < count && ends[first] < start) {
            first++;
        }
        int last = first;
        while (last < count && starts[last] <= end) {
            last++;
        }
        int merging = last - first;
        if (merging == 0) {
            if (count == starts.length) {
                return false;
            }
            System.arraycopy(starts, first, starts, first + 1, count - first);
            System.arraycopy(ends, first, ends, first + 1, count - first);
            starts[first] = start;
            ends[first] = end;
            count++;
        } else {
            int s = Math.min(start, starts[first]);
            int e = Math.max(end, ends[last - 1]);
            starts[first] = s;
            ends[first] = e;
            int removed = merging - 1;
            if (removed > 0) {
                System.arraycopy(starts, last, starts, first + 1, count - last);
                System.arraycopy(ends, last, ends, first + 1, count - last);
                count -= removed;
            }
        }
        lastStart = start;
        lastEnd = end;
        return true;
    }

    /**
     * Index of the range holding the most recently added bytes, or -1 (the first SACK block of RFC
     * 2018 section 4 reports it).
     */
    public int mostRecent() {
        if (lastStart < 0) {
            return -1;
        }
        for (int i = 0; i < count; i++) {
            if (starts[i] <= lastStart && lastStart < ends[i]) {
                return i;
            }
        }
        return -1;
    }

    /** Moves every offset down by {@code n}, dropping what falls below 0 (consumed bytes). */
    public void shift(int n) {
        if (n == 0) {
            return;
        }
        int w = 0;
        for (int i = 0; i < count; i++) {
            int s = starts[i] - n;
            int e = ends[i] - n;
            if (e <= 0) {
                continue;
            }
            starts[w] = Math.max(0, s);
            ends[w] = e;
            w++;
        }
        count = w;
        lastStart = lastStart - n;
        lastEnd = lastEnd - n;
        if (lastEnd <= 0) {
            lastStart = lastEnd = -1;
        } else if (lastStart < 0) {
            lastStart = 0;
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(starts[i]).append('-').append(ends[i]);
        }
        return b.append(']').toString();
    }
}
