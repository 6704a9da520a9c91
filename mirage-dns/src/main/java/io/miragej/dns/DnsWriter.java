package io.miragej.dns;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a DNS message into a growable array, compressing names (RFC 1035 §4.1.4) against every
 * name suffix written so far. Used to build responses ahead of time and for messages off the
 * packet path (transfers, the resolver, tests); the server's packet path copies what this built.
 *
 * <p>{@link #mark()} and {@link #rollback(int)} undo a partly written record (for truncation)
 * along with the compression targets it added. When pointer tracking is on, the position of every
 * compression pointer written is recorded, so a prebuilt answer can be moved by patching them.
 */
public final class DnsWriter {
    /** Highest offset a compression pointer may target, leaving room to move a prebuilt answer. */
    static final int MAX_TARGET = 0x3fff - 256;

    private byte[] buf;
    private int pos;
    private final int limit;
    private final Map<Name, Integer> targets = new HashMap<>();
    private final List<Name> targetOrder = new ArrayList<>();
    private final List<Integer> pointers;
    /** Pointers that stay where they point whatever the question (to the question name itself). */
    private final List<Integer> fixedPointers;

    /** A writer whose message may grow to {@code limit} bytes (65535 at most). */
    public DnsWriter(int limit) {
        this(limit, false);
    }

    /**
     * A writer that records where it writes compression pointers ({@link #relocatablePointers()}),
     * for answers built once and copied behind questions of other lengths.
     */
    public static DnsWriter tracking(int limit) {
        return new DnsWriter(limit, true);
    }

    private DnsWriter(int limit, boolean trackPointers) {
        this.limit = Math.min(limit, 65535);
        this.buf = new byte[Math.min(512, this.limit)];
        this.pointers = trackPointers ? new ArrayList<>() : null;
        this.fixedPointers = trackPointers ? new ArrayList<>() : null;
    }

    /** Empties the writer for another message, keeping its buffer (for writers used many times). */
    public void reset() {
        pos = 0;
        targets.clear();
        targetOrder.clear();
        if (pointers != null) {
            pointers.clear();
            fixedPointers.clear();
        }
    }

    /** Thrown when a write would pass the writer's limit; the caller rolls back to a mark. */
    public static final class Overflow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Overflow() {
            super("the message would exceed its size limit", null, false, false);
        }
    }

    private void ensure(int n) {
        if (pos + n > limit) {
            throw new Overflow();
        }
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.min(limit, Math.max(buf.length * 2, pos + n)));
        }
    }

    public int position() {
        return pos;
    }

    public int limit() {
        return limit;
    }

    public DnsWriter u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public DnsWriter u16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public DnsWriter u32(long v) {
        ensure(4);
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public DnsWriter bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
        return this;
    }

    public DnsWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    /** Overwrites two bytes already written at {@code at}. */
    public void setU16(int at, int v) {
        if (at < 0 || at + 2 > pos) {
            throw new IndexOutOfBoundsException("setU16 at " + at + " of " + pos);
        }
        buf[at] = (byte) (v >>> 8);
        buf[at + 1] = (byte) v;
    }

    public int getU16(int at) {
        return ((buf[at] & 0xff) << 8) | (buf[at + 1] & 0xff);
    }

    /**
     * Writes {@code name}, as a pointer to an earlier copy of its longest suffix already in the
     * message when {@code compress} is true. Every suffix written in full becomes a target for
     * later names either way (RFC 1035 allows pointing into any name).
     */
    public DnsWriter name(Name name, boolean compress) {
        byte[] w = name.wire();
        int labels = name.labelCount();
        int p = 0;
        for (int i = 0; i < labels; i++) {
            Name suffix = i == 0 ? name : Name.ofCheckedWire(Arrays.copyOfRange(w, p, w.length));
            if (compress) {
                Integer target = targets.get(suffix);
                if (target != null) {
                    pointer(target, true);
                    return this;
                }
            }
            int len = w[p] & 0xff;
            ensure(len + 1);
            if (pos <= MAX_TARGET && !targets.containsKey(suffix)) {
                Name key = suffix.toLowerCase();
                targets.put(key, pos);
                targetOrder.add(key);
            }
            System.arraycopy(w, p, buf, pos, len + 1);
            pos += len + 1;
            p += len + 1;
        }
        return u8(0);
    }

    /**
     * Writes a compression pointer to {@code target}; {@code relocatable} pointers are recorded
     * (when tracking) so they can be moved with the bytes they point into.
     */
    public void pointer(int target, boolean relocatable) {
        ensure(2);
        if (pointers != null) {
            (relocatable ? pointers : fixedPointers).add(pos);
        }
        buf[pos++] = (byte) (0xc0 | (target >>> 8));
        buf[pos++] = (byte) target;
    }

    /**
     * Makes the name written in full at {@code offset}, and its suffixes, targets for later
     * names; with {@code skipLabels} the first labels are left out.
     */
    public void addTarget(Name name, int offset, int skipLabels) {
        byte[] w = name.wire();
        int p = 0;
        for (int i = 0; i < skipLabels && w[p] != 0; i++) {
            p += (w[p] & 0xff) + 1;
        }
        while (w[p] != 0 && offset + p <= MAX_TARGET) {
            Name suffix = Name.ofCheckedWire(Arrays.copyOfRange(w, p, w.length)).toLowerCase();
            if (!targets.containsKey(suffix)) {
                targets.put(suffix, offset + p);
                targetOrder.add(suffix);
            }
            p += (w[p] & 0xff) + 1;
        }
    }

    /** A position to {@link #rollback} to. */
    public int mark() {
        return pos;
    }

    /** Forgets everything written after {@code mark}, compression targets included. */
    public void rollback(int mark) {
        for (int i = targetOrder.size() - 1; i >= 0; i--) {
            Name n = targetOrder.get(i);
            if (targets.get(n) >= mark) {
                targets.remove(n);
                targetOrder.remove(i);
            } else {
                break;
            }
        }
        if (pointers != null) {
            while (!pointers.isEmpty() && pointers.getLast() >= mark) {
                pointers.removeLast();
            }
            while (!fixedPointers.isEmpty() && fixedPointers.getLast() >= mark) {
                fixedPointers.removeLast();
            }
        }
        pos = mark;
    }

    /** Positions of the relocatable pointers written, ascending (empty when not tracking). */
    public int[] relocatablePointers() {
        return pointers == null ? new int[0] : pointers.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Positions of the pointers written as not relocatable, ascending (empty when not tracking). */
    public int[] fixedPointers() {
        return fixedPointers == null ? new int[0] : fixedPointers.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    /** A copy of bytes {@code [from, position())}. */
    public byte[] copyFrom(int from) {
        return Arrays.copyOfRange(buf, from, pos);
    }
}
