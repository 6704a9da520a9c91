package io.miragej.tcpip.ipv4;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.core.RangeSet;

/**
 * Reassembly of fragmented IPv4 datagrams (RFC 791 section 3.2, RFC 815's hole tracking), with
 * fixed bounds: at most {@link Limits#datagrams} datagrams at once, each at most 65,535 bytes and
 * in at most {@link Limits#ranges} disjoint pieces, each given {@link Limits#timeoutNanos} to
 * complete. A fragment that partly overlaps data already received discards the whole datagram
 * (as Linux does since 4.19, and as RFC 5722 requires for IPv6); a fragment wholly inside data
 * already received is a duplicate and ignored.
 *
 * <p>A slot's buffer (60 + 65,535 bytes) is allocated the first time the slot is used and reused
 * afterwards. When every slot is busy, the oldest datagram is given up for the new one.
 *
 * <p>Counters: {@code ipv4.reassembly.fragments}, {@code .completed}, {@code .duplicate}, {@code
 * .timeout}, {@code .evicted}, and drops {@code ipv4.reassembly.drop.overlap}, {@code
 * .too-long}, {@code .too-many-pieces}, {@code .inconsistent}.
 */
public final class Ipv4Reassembly {
    /** Largest datagram: the IPv4 total length field is 16 bits. */
    public static final int MAX_DATAGRAM = 65_535;
    private static final int MAX_HEADER = 60;

    public record Limits(int datagrams, int ranges, long timeoutNanos) {
        public Limits {
            if (datagrams < 1 || ranges < 1 || timeoutNanos <= 0) {
                throw new IllegalArgumentException("reassembly limits must be positive: " + this);
            }
        }

        /** 16 datagrams of up to 64 pieces each, 30 s each (Linux's ipfrag_time). */
        public static Limits defaults() {
            return new Limits(16, 64, 30_000_000_000L);
        }
    }

    /** Told about datagrams given up after their first fragment arrived (for ICMP time exceeded). */
    @FunctionalInterface
    public interface TimeoutListener {
        /** {@code firstFragment} is the first fragment's header followed by up to 8 payload bytes. */
        void timedOut(PacketBuffer firstFragment, int length, long now);
    }

    private final Limits limits;
    private final Slot[] slots;
    private final Counter fragments;
    private final Counter completed;
    private final Counter duplicate;
    private final Counter timeout;
    private final Counter evictedCounter;
    private final Counter dropOverlap;
    private final Counter dropTooLong;
    private final Counter dropTooManyPieces;
    private final Counter dropInconsistent;
    private long deadline = Long.MAX_VALUE;

    private static final class Slot {
        boolean used;
        int source;
        int destination;
        int id;
        int protocol;
        long expires;
        long started;
        /** Header of the fragment at offset 0, copied to the front of data; 0 until it came. */
        int headerLength;
        /** Payload length, known once the last fragment (MF clear) came; -1 before. */
        int payloadLength = -1;
        int firstFragmentCopied;
        RangeSet ranges;
        PacketBuffer data;
    }

    public Ipv4Reassembly(Limits limits, Counters counters) {
        this.limits = limits;
        this.slots = new Slot[limits.datagrams()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
        fragments = counters.counter("ipv4.reassembly.fragments");
        completed = counters.counter("ipv4.reassembly.completed");
        duplicate = counters.counter("ipv4.reassembly.duplicate");
        timeout = counters.counter("ipv4.reassembly.timeout");
        evictedCounter = counters.counter("ipv4.reassembly.evicted");
        dropOverlap = counters.counter("ipv4.reassembly.drop.overlap");
        dropTooLong = counters.counter("ipv4.reassembly.drop.too-long");
        dropTooManyPieces = counters.counter("ipv4.reassembly.drop.too-many-pieces");
        dropInconsistent = counters.counter("ipv4.reassembly.drop.inconsistent");
    }

    /** Datagrams being reassembled now. */
    public int inProgress() {
        int n = 0;
        for (Slot s : slots) {
            if (s.used) {
                n++;
            }
        }
        return n;
    }

    public long nextDeadline() {
        return deadline;
    }

    /**
     * Adds the fragment {@code h} (a checked header). Returns the completed datagram, header first
     * with the fragment fields cleared and the total length set, valid until the next call; or
     * null while pieces are missing or when the fragment was dropped.
     */
    public PacketBuffer add(Ipv4Header h, long now) {
        fragments.increment();
        int hl = h.headerLength();
        int offset = h.fragmentOffset();
        int length = h.totalLength() - hl;
        int end = offset + length;
        boolean last = !h.moreFragments();
        if (hl + end > MAX_DATAGRAM) {
            dropTooLong.increment();
            return null;
        }
        if (!last && (length % 8 != 0 || length == 0)) {
            dropInconsistent.increment(); // only the last fragment may have a length not a multiple of 8
            return null;
        }
        Slot s = find(h);
        if (s == null) {
            s = claim(h, now);
        }
        if (last) {
            if ((s.payloadLength >= 0 && s.payloadLength != end) || s.ranges.intersects(end, MAX_DATAGRAM)) {
                dropInconsistent.increment();
                release(s);
                return null;
            }
            s.payloadLength = end;
        } else if (s.payloadLength >= 0 && end > s.payloadLength) {
            dropInconsistent.increment();
            release(s);
            return null;
        }
        if (s.ranges.covers(offset, end)) {
            duplicate.increment();
            return null;
        }
        if (s.ranges.intersects(offset, end)) {
            dropOverlap.increment();
            release(s);
            return null;
        }
        if (!s.ranges.add(offset, end)) {
            dropTooManyPieces.increment();
            release(s);
            return null;
        }
        if (offset == 0) {
            s.headerLength = hl;
            h.buffer().copyTo(h.offset(), s.data, MAX_HEADER - hl, hl);
            s.firstFragmentCopied = Math.min(length, 8);
        }
        h.buffer().copyTo(h.offset() + hl, s.data, MAX_HEADER + offset, length);
        if (s.payloadLength < 0 || s.headerLength == 0 || s.ranges.contiguousFromZero() != s.payloadLength) {
            return null;
        }
        // Complete: rewrite the header in place as an unfragmented datagram.
        completed.increment();
        s.used = false;
        int start = MAX_HEADER - s.headerLength;
        PacketBuffer d = s.data;
        d.reset(start, s.headerLength + s.payloadLength);
        d.setU16(2, s.headerLength + s.payloadLength);
        d.setU16(6, d.getU16(6) & Ipv4Header.FLAG_DF);
        recomputeDeadline();
        return d;
    }

    private Slot find(Ipv4Header h) {
        int src = h.source();
        int dst = h.destination();
        int id = h.identification();
        int proto = h.protocol();
        for (Slot s : slots) {
            if (s.used && s.id == id && s.source == src && s.destination == dst && s.protocol == proto) {
                return s;
            }
        }
        return null;
    }

    private Slot claim(Ipv4Header h, long now) {
        Slot victim = null;
        for (Slot s : slots) {
            if (!s.used) {
                victim = s;
                break;
            }
            if (victim == null || s.started < victim.started) {
                victim = s;
            }
        }
        if (victim.used) {
            evictedCounter.increment();
        }
        Slot s = victim;
        s.used = true;
        s.source = h.source();
        s.destination = h.destination();
        s.id = h.identification();
        s.protocol = h.protocol();
        s.started = now;
        s.expires = now + limits.timeoutNanos();
        s.headerLength = 0;
        s.payloadLength = -1;
        if (s.ranges == null) {
            s.ranges = new RangeSet(limits.ranges());
            s.data = PacketBuffer.allocate(MAX_HEADER + MAX_DATAGRAM);
        }
        s.ranges.clear();
        s.data.reset(0, MAX_HEADER + MAX_DATAGRAM);
        deadline = Math.min(deadline, s.expires);
        return s;
    }

    private void release(Slot s) {
        s.used = false;
        recomputeDeadline();
    }

    /** Gives up datagrams whose time ran out, telling {@code listener} about those whose start came. */
    public void onTimer(long now, TimeoutListener listener) {
        if (now < deadline) {
            return;
        }
        for (Slot s : slots) {
            if (s.used && s.expires <= now) {
                timeout.increment();
                s.used = false;
                if (s.headerLength > 0 && listener != null) {
                    int start = MAX_HEADER - s.headerLength;
                    int len = s.headerLength + s.firstFragmentCopied;
                    s.data.reset(start, len);
                    listener.timedOut(s.data, len, now);
                }
            }
        }
        recomputeDeadline();
    }

    private void recomputeDeadline() {
        long d = Long.MAX_VALUE;
        for (Slot s : slots) {
            if (s.used) {
                d = Math.min(d, s.expires);
            }
        }
        deadline = d;
    }
}
