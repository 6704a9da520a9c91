package io.miragej.tcpip.tcp;

/**
 * What a connection has in flight, segment by segment, in sequence order: each segment's range
 * of sequence numbers, when it was last (re)sent, and whether the peer SACKed it, RACK marked it
 * lost, or it was retransmitted. RACK-TLP (RFC 8985) reads and marks it; the sender picks lost
 * segments from it and counts what is in the network (pipe) from its byte totals.
 *
 * <p>A ring of parallel arrays, grown by doubling up to {@link #MAX_CAPACITY} records and never
 * shrunk, so nothing is allocated per segment once a connection has reached its largest flight.
 * Past the bound, new data joins the newest record (coarser timing, never lost bytes). Records
 * are split where a retransmission or a SACK block starts or ends inside one.
 */
final class SentLog {
    static final int SACKED = 1;
    static final int LOST = 2;
    static final int RETRANSMITTED = 4;
    static final int INITIAL_CAPACITY = 32;
    static final int MAX_CAPACITY = 4096;

    private int[] start = new int[INITIAL_CAPACITY];
    private int[] end = new int[INITIAL_CAPACITY];
    private long[] sentAt = new long[INITIAL_CAPACITY];
    /** Transmissions numbered in the order they went out: ties of {@link #sentAt} are broken by it. */
    private int[] order = new int[INITIAL_CAPACITY];
    private int transmissions;
    private byte[] flags = new byte[INITIAL_CAPACITY];
    private int head;
    private int size;
    private int sackedBytes;
    private int lostBytes;
    private int sackedSegments;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Bytes (sequence numbers) SACKed by the peer and not yet cumulatively acknowledged. */
    int sackedBytes() {
        return sackedBytes;
    }

    /** Bytes marked lost and not retransmitted since. */
    int lostBytes() {
        return lostBytes;
    }

    int sackedSegments() {
        return sackedSegments;
    }

    private int at(int i) {
        return (head + i) & (start.length - 1);
    }

    int start(int i) {
        return start[at(i)];
    }

    int end(int i) {
        return end[at(i)];
    }

    long sentAt(int i) {
        return sentAt[at(i)];
    }

    int order(int i) {
        return order[at(i)];
    }

    int flags(int i) {
        return flags[at(i)];
    }

    boolean is(int i, int flag) {
        return (flags[at(i)] & flag) != 0;
    }

    void clear() {
        head = 0;
        size = 0;
        sackedBytes = 0;
        lostBytes = 0;
        sackedSegments = 0;
    }

    /** Index of the record holding {@code seq}, or -1. */
    int find(int seq) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Seq.lt(seq, start(mid))) {
                hi = mid - 1;
            } else if (Seq.ge(seq, end(mid))) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** Index of the first record ending after {@code seq} (size when none). */
    int firstEndingAfter(int seq) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Seq.gt(end(mid), seq)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Records that [{@code from}, {@code to}) went out at {@code now}: new data is appended, data
     * sent before becomes a retransmission (its records are split to the range, stamped, marked
     * retransmitted and no longer lost).
     */
    void sent(int from, int to, long now) {
        if (!Seq.lt(from, to)) {
            return;
        }
        int n = ++transmissions;
        int last = size == 0 ? from : end(size - 1);
        if (size > 0 && Seq.lt(from, last)) {
            int upTo = Seq.min(to, last);
            splitAt(from);
            splitAt(upTo);
            for (int i = firstEndingAfter(from); i < size && Seq.lt(start(i), upTo); i++) {
                int k = at(i);
                setFlag(k, LOST, false);
                flags[k] |= RETRANSMITTED;
                sentAt[k] = now;
                order[k] = n;
            }
            from = upTo;
            if (!Seq.lt(from, to)) {
                return;
            }
        }
        append(from, to, now, n);
    }

    private void append(int from, int to, long now, int n) {
        if (size == start.length && !grow()) {
            // At the bound: the newest record takes the new data (as if all of it went out now).
            int k = at(size - 1);
            setFlag(k, SACKED, false);
            setFlag(k, LOST, false);
            end[k] = to;
            sentAt[k] = now;
            order[k] = n;
            return;
        }
        int k = at(size++);
        start[k] = from;
        end[k] = to;
        sentAt[k] = now;
        order[k] = n;
        flags[k] = 0;
    }

    private boolean grow() {
        int n = start.length;
        if (n >= MAX_CAPACITY) {
            return false;
        }
        int[] s = new int[2 * n];
        int[] e = new int[2 * n];
        long[] t = new long[2 * n];
        int[] o = new int[2 * n];
        byte[] f = new byte[2 * n];
        for (int i = 0; i < size; i++) {
            int k = at(i);
            s[i] = start[k];
            e[i] = end[k];
            t[i] = sentAt[k];
            o[i] = order[k];
            f[i] = flags[k];
        }
        start = s;
        end = e;
        sentAt = t;
        order = o;
        flags = f;
        head = 0;
        return true;
    }

    /**
     * Splits the record holding {@code seq} so that a record starts at it; returns the index of
     * the record starting at {@code seq}, or -1 when no record holds it. At the bound, no split:
     * the index of the record holding it.
     */
    int splitAt(int seq) {
        int i = find(seq);
        if (i < 0 || start(i) == seq) {
            return i;
        }
        if (size == start.length && !grow()) {
            return i;
        }
        // Shift records i+1.. one place towards the tail, then halve record i.
        for (int j = size; j > i + 1; j--) {
            int to = at(j);
            int from = at(j - 1);
            start[to] = start[from];
            end[to] = end[from];
            sentAt[to] = sentAt[from];
            order[to] = order[from];
            flags[to] = flags[from];
        }
        size++;
        int k = at(i);
        int n = at(i + 1);
        start[n] = seq;
        end[n] = end[k];
        sentAt[n] = sentAt[k];
        order[n] = order[k];
        flags[n] = flags[k];
        end[k] = seq;
        if ((flags[k] & SACKED) != 0) {
            sackedSegments++;
        }
        return i + 1;
    }

    /** Forgets everything below {@code una}, the new cumulative acknowledgment. */
    void acknowledge(int una) {
        while (size > 0 && Seq.le(end(0), una)) {
            int k = at(0);
            int len = end[k] - start[k];
            if ((flags[k] & SACKED) != 0) {
                sackedBytes -= len;
                sackedSegments--;
            }
            if ((flags[k] & LOST) != 0) {
                lostBytes -= len;
            }
            head = (head + 1) & (start.length - 1);
            size--;
        }
        if (size > 0 && Seq.lt(start(0), una)) {
            int k = at(0);
            int cut = una - start[k];
            if ((flags[k] & SACKED) != 0) {
                sackedBytes -= cut;
            }
            if ((flags[k] & LOST) != 0) {
                lostBytes -= cut;
            }
            start[k] = una;
        }
        if (size == 0) {
            head = 0;
        }
    }

    /** Marks record {@code i} SACKed (no longer lost). */
    void markSacked(int i) {
        int k = at(i);
        if ((flags[k] & SACKED) == 0) {
            setFlag(k, LOST, false);
            setFlag(k, SACKED, true);
        }
    }

    /** Marks record {@code i} lost: it is to be retransmitted and no longer counts as in flight. */
    void markLost(int i) {
        int k = at(i);
        if ((flags[k] & (SACKED | LOST)) == 0) {
            flags[k] &= ~RETRANSMITTED;
            setFlag(k, LOST, true);
        }
    }

    /** After a retransmission timeout: everything not SACKed is lost (RFC 8985 6.3). */
    void markAllLost() {
        for (int i = 0; i < size; i++) {
            markLost(i);
        }
    }

    /** After a reneging peer (RFC 2018 8): SACK marks are forgotten. */
    void forgetSacks() {
        for (int i = 0; i < size; i++) {
            setFlag(at(i), SACKED, false);
        }
    }

    /** The first record marked lost, or -1. */
    int firstLost() {
        if (lostBytes == 0) {
            return -1;
        }
        for (int i = 0; i < size; i++) {
            if ((flags[at(i)] & LOST) != 0) {
                return i;
            }
        }
        return -1;
    }

    private void setFlag(int k, int flag, boolean on) {
        boolean was = (flags[k] & flag) != 0;
        if (was == on) {
            return;
        }
        int len = end[k] - start[k];
        if (on) {
            flags[k] |= (byte) flag;
        } else {
            flags[k] &= (byte) ~flag;
        }
        int sign = on ? 1 : -1;
        if (flag == SACKED) {
            sackedBytes += sign * len;
            sackedSegments += sign;
        } else if (flag == LOST) {
            lostBytes += sign * len;
        }
    }
}
