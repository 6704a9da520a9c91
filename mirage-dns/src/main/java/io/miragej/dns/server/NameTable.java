package io.miragej.dns.server;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the responder reads, laid out in one byte array (the arena) and found through an
 * open-addressing hash table from lower-cased wire-form names: read without allocating and with
 * few memory loads, and small (about 75 bytes a name for a zone of A records and 12 for its slot,
 * against about 250 as objects). The hash of a name is built label by label from the right, so the
 * hashes of all suffixes of a query name come out of one pass and the closest encloser is found by
 * probing suffixes from the longest.
 *
 * <p>A slot holds a name's hash and where its key starts in the arena. A key is
 * {@code [length u8][name]} and is followed by its node ({@link #NODE_SIZE} bytes, all i32):
 * zone index, first type, its answer, the answer for other types, the answer for names below
 * that do not exist, the wildcard child's node, and an extension (or -1) with the rest
 * ({@code [count u16][type u16, answer i32]... [literal otherwise i32][any i32][DNAME i32]}).
 * Nodes and answers are named by their offset in the arena; -1 is none. An answer is a
 * {@link #HEADER}-byte header ({@link Compiler}'s {@link Answer}'s fields; {@link #SHORT_HEADER}
 * bytes for an answer that is RRsets in the answer section and nothing else) followed by its
 * bytes, relocations (u16 each), optional RRset ends and counts (u16 each), static proofs
 * (i32 each) and pointers to the question name (u16 each). A DNAME is {@code [answer i32][target offset u16][target length u16][ttl u32]}.
 */
final class NameTable {
    static final int NONE = -1;

    // Node fields.
    private static final int N_ZONE = 0;
    private static final int N_FIRST_TYPE = 4;
    private static final int N_FIRST_ANSWER = 8;
    private static final int N_OTHERWISE = 12;
    private static final int N_BELOW = 16;
    private static final int N_WILDCARD = 20;
    private static final int N_EXTENSION = 24;
    static final int NODE_SIZE = 28;

    // Answer header fields (u16 unless said). The first five are in every answer; a short answer
    // (bit 15 of the flags word, never a DNS flag here) is one or more RRsets alone in the answer
    // section, nothing to relocate or add: most names' answers, in 10 bytes of header, not 32.
    private static final int A_FLAGS = 0;
    private static final int A_ANSWERS = 2;
    private static final int A_LENGTH = 4;
    private static final int A_TEMPLATE_LENGTH = 6;
    private static final int A_QUESTION_POINTERS = 8;
    static final int SHORT_HEADER = 10;
    private static final int A_AUTHORITY = 10;
    private static final int A_REQUIRED_ADDITIONAL = 12;
    private static final int A_ADDITIONAL = 14;
    private static final int A_REQUIRED_LENGTH = 16;
    private static final int A_AUTHORITY_END = 18;
    private static final int A_DYNAMIC = 20;
    private static final int A_RELOCATIONS = 22;
    private static final int A_OPTIONALS = 24;
    private static final int A_STATIC_PROOFS = 26;
    private static final int A_DNSSEC = 28; // i32
    static final int HEADER = 32;
    private static final int SHORT = 0x8000;

    /** Per slot: hash in the high 32 bits, offset of the key in {@link #arena} + 1 in the low; 0 = empty. */
    private final long[] slots;
    private final byte[] arena;
    private final int size;

    private NameTable(long[] slots, byte[] arena, int size) {
        this.slots = slots;
        this.arena = arena;
        this.size = size;
    }

    int size() {
        return size;
    }

    byte[] arena() {
        return arena;
    }

    // ---- lookup ----

    /** The node for {@code lc[from, from+len)} with suffix hash {@code h}, or {@link #NONE}. */
    int find(byte[] lc, int from, int len, int h) {
        byte[] a = arena;
        int n = slots.length;
        int s = slot(h, n);
        while (true) {
            long slot = slots[s];
            if (slot == 0) {
                return NONE;
            }
            if ((int) (slot >>> 32) == h) {
                int at = (int) slot - 1;
                if ((a[at] & 0xff) == len && Arrays.equals(a, at + 1, at + 1 + len, lc, from, from + len)) {
                    return at + 1 + len;
                }
            }
            s = s + 1 == n ? 0 : s + 1;
        }
    }

    /** The first slot to probe for hash {@code h} in a table of {@code n} slots (any n, no modulo). */
    private static int slot(int h, int n) {
        return (int) (((mix(h) & 0xffff_ffffL) * n) >>> 32);
    }

    // ---- nodes ----

    int zone(int node) {
        return i32(node + N_ZONE);
    }

    /** The answer for {@code qtype} at this node. */
    int answer(int node, int qtype) {
        if (qtype == i32(node + N_FIRST_TYPE)) {
            return i32(node + N_FIRST_ANSWER);
        }
        int x = i32(node + N_EXTENSION);
        if (x == NONE) {
            if (qtype == io.miragej.dns.RrType.ANY) {
                int first = i32(node + N_FIRST_ANSWER);
                return first != NONE ? first : i32(node + N_OTHERWISE);
            }
            return i32(node + N_OTHERWISE);
        }
        int count = u16(x);
        int p = x + 2;
        for (int i = 0; i < count; i++, p += 6) {
            if (u16(p) == qtype) {
                return i32(p + 2);
            }
        }
        if (qtype == io.miragej.dns.RrType.ANY) {
            int any = i32(p + 4);
            if (any != NONE) {
                return any;
            }
        }
        return i32(node + N_OTHERWISE);
    }

    /** The answer when the query names this node itself (a wildcard asked for by its own name). */
    int answerExact(int node, int qtype) {
        int a = answer(node, qtype);
        int x = i32(node + N_EXTENSION);
        if (x != NONE && a == i32(node + N_OTHERWISE)) {
            int literal = i32(x + 2 + 6 * u16(x));
            if (literal != NONE) {
                return literal;
            }
        }
        return a;
    }

    /** For a name below this node that does not exist, when it has no wildcard child. */
    int below(int node) {
        return i32(node + N_BELOW);
    }

    /** The {@code *} child's node, or {@link #NONE}. */
    int wildcard(int node) {
        return i32(node + N_WILDCARD);
    }

    /** The DNAME here (read it with the {@code dname*} methods), or {@link #NONE}. */
    int dname(int node) {
        int x = i32(node + N_EXTENSION);
        return x == NONE ? NONE : i32(x + 2 + 6 * u16(x) + 8);
    }

    int dnameAnswer(int d) {
        return i32(d);
    }

    int dnameTargetOffset(int d) {
        return u16(d + 4);
    }

    int dnameTargetLength(int d) {
        return u16(d + 6);
    }

    long dnameTtl(int d) {
        return i32(d + 8) & 0xffff_ffffL;
    }

    // ---- answers ----

    private boolean isShort(int a) {
        return (arena[a] & 0x80) != 0;
    }

    int flags(int a) {
        return u16(a + A_FLAGS) & ~SHORT;
    }

    int answerCount(int a) {
        return u16(a + A_ANSWERS);
    }

    int authorityCount(int a) {
        return isShort(a) ? 0 : u16(a + A_AUTHORITY);
    }

    int requiredAdditional(int a) {
        return isShort(a) ? 0 : u16(a + A_REQUIRED_ADDITIONAL);
    }

    int additionalCount(int a) {
        return isShort(a) ? 0 : u16(a + A_ADDITIONAL);
    }

    /** Where the answer's bytes start in {@link #arena()}. */
    int bytes(int a) {
        return a + (isShort(a) ? SHORT_HEADER : HEADER);
    }

    int length(int a) {
        return u16(a + A_LENGTH);
    }

    int requiredLength(int a) {
        return isShort(a) ? length(a) : u16(a + A_REQUIRED_LENGTH);
    }

    int authorityEnd(int a) {
        return isShort(a) ? length(a) : u16(a + A_AUTHORITY_END);
    }

    int templateLength(int a) {
        return u16(a + A_TEMPLATE_LENGTH);
    }

    int dynamic(int a) {
        return isShort(a) ? Compiler.DYNAMIC_NONE : u16(a + A_DYNAMIC);
    }

    int relocationCount(int a) {
        return isShort(a) ? 0 : u16(a + A_RELOCATIONS);
    }

    int relocation(int a, int i) {
        return u16(a + HEADER + length(a) + 2 * i);
    }

    int optionalCount(int a) {
        return isShort(a) ? 0 : u16(a + A_OPTIONALS);
    }

    /** End of the answer's bytes after optional RRset {@code i}. */
    int optionalEnd(int a, int i) {
        return u16(a + HEADER + length(a) + 2 * relocationCount(a) + 2 * i);
    }

    /** Additional records after optional RRset {@code i}. */
    int optionalAdditional(int a, int i) {
        return u16(a + HEADER + length(a) + 2 * relocationCount(a) + 2 * optionalCount(a) + 2 * i);
    }

    private int staticProofCount(int a) {
        return isShort(a) ? 0 : u16(a + A_STATIC_PROOFS);
    }

    boolean hasStaticProof(int a, int index) {
        int n = staticProofCount(a);
        int p = a + HEADER + length(a) + 2 * relocationCount(a) + 4 * optionalCount(a);
        for (int i = 0; i < n; i++, p += 4) {
            if (i32(p) == index) {
                return true;
            }
        }
        return false;
    }

    int questionPointerCount(int a) {
        return u16(a + A_QUESTION_POINTERS);
    }

    /** Position in the answer's bytes of the i-th pointer to the question name (offset 12). */
    int questionPointer(int a, int i) {
        return u16(bytes(a) + length(a) + 2 * relocationCount(a) + 4 * optionalCount(a)
                + 4 * staticProofCount(a) + 2 * i);
    }

    /** The form for queries with the DO bit, or {@link #NONE}. */
    int dnssec(int a) {
        return isShort(a) ? NONE : i32(a + A_DNSSEC);
    }

    private int u16(int p) {
        byte[] b = arena;
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    private int i32(int p) {
        byte[] b = arena;
        return (b[p] << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    }

    // ---- building ----

    /** Lays out the nodes of a compilation and their answers. */
    static final class Builder {
        private final long[] slots;
        private byte[] arena;
        private int used;
        private int size;
        private final Map<Node, Integer> nodes = new LinkedHashMap<>(); // Node: identity equality
        private final Map<Answer, Integer> answers = new IdentityHashMap<>();
        private final int[] scratchOffsets = new int[128];
        private final int[] scratchHashes = new int[129];

        Builder(int capacity) {
            // 3/2 of the names (at least 4): linear probing stays short at 2/3 full, misses too.
            slots = new long[(int) Math.max(4, Math.min(Integer.MAX_VALUE - 8, capacity * 3L / 2 + 1))];
            arena = new byte[Math.max(256, capacity * 64)];
        }

        /** Places {@code node} under the lower-cased wire name {@code key}; its fields come in {@link #build}. */
        void put(byte[] key, Node node) {
            int labels = labelOffsets(key, key.length, scratchOffsets);
            suffixHashes(key, scratchOffsets, labels, scratchHashes);
            int h = scratchHashes[0];
            int n = slots.length;
            int s = slot(h, n);
            while (slots[s] != 0) {
                int at = (int) slots[s] - 1;
                if ((int) (slots[s] >>> 32) == h && (arena[at] & 0xff) == key.length
                        && Arrays.equals(arena, at + 1, at + 1 + key.length, key, 0, key.length)) {
                    throw new IllegalStateException("two nodes for one name");
                }
                s = s + 1 == n ? 0 : s + 1;
            }
            int at = reserve(1 + key.length + NODE_SIZE);
            arena[at] = (byte) key.length;
            System.arraycopy(key, 0, arena, at + 1, key.length);
            int handle = at + 1 + key.length;
            nodes.put(node, handle);
            slots[s] = ((long) h << 32) | ((at + 1) & 0xffff_ffffL);
            size++;
            writeNode(handle, node); // its answers right behind it: a lookup touches adjacent bytes
        }

        NameTable build() {
            for (Map.Entry<Node, Integer> e : nodes.entrySet()) {
                Node w = e.getKey().wildcard;
                putI32(e.getValue() + N_WILDCARD, w == null ? NONE : nodes.get(w));
            }
            return new NameTable(slots, Arrays.copyOf(arena, used), size);
        }

        private void writeNode(int at, Node n) {
            putI32(at + N_ZONE, n.zone);
            putI32(at + N_FIRST_TYPE, n.firstType);
            putI32(at + N_FIRST_ANSWER, answer(n.firstAnswer));
            putI32(at + N_OTHERWISE, answer(n.otherwise));
            putI32(at + N_BELOW, answer(n.below));
            // The wildcard child may not be placed yet: build() fills it in.
            boolean anyAsDefault = n.types.length == 0 ? n.any == null || n.any == n.otherwise : n.any == n.typed[0];
            boolean plain = n.literalOtherwise == null && n.dname == null && n.types.length <= 1 && anyAsDefault;
            putI32(at + N_EXTENSION, plain ? NONE : extension(n));
        }

        private int extension(Node n) {
            int[] typedAt = new int[n.types.length];
            for (int i = 0; i < typedAt.length; i++) {
                typedAt[i] = answer(n.typed[i]);
            }
            int literal = answer(n.literalOtherwise);
            int any = answer(n.any);
            int dname = NONE;
            if (n.dname != null) {
                int answer = answer(n.dname.answer());
                dname = reserve(12);
                putI32(dname, answer);
                putU16(dname + 4, n.dname.targetOffset());
                putU16(dname + 6, n.dname.targetLength());
                putI32(dname + 8, (int) n.dname.ttl());
            }
            int x = reserve(2 + 6 * typedAt.length + 12);
            putU16(x, typedAt.length);
            int p = x + 2;
            for (int i = 0; i < typedAt.length; i++, p += 6) {
                putU16(p, n.types[i]);
                putI32(p + 2, typedAt[i]);
            }
            putI32(p, literal);
            putI32(p + 4, any);
            putI32(p + 8, dname);
            return x;
        }

        /** The offset of {@code a} in the arena, writing it there the first time. */
        private int answer(Answer a) {
            if (a == null) {
                return NONE;
            }
            Integer known = answers.get(a);
            if (known != null) {
                return known;
            }
            int dnssec = answer(a.dnssec);
            boolean brief = a.authorityCount == 0 && a.additionalCount() == 0 && a.requiredAdditional == 0
                    && a.relocations.length == 0 && a.optionalEnd.length == 0 && a.staticProofs.length == 0
                    && a.dynamic == Compiler.DYNAMIC_NONE && dnssec == NONE
                    && a.requiredLength == a.bytes.length && a.authorityEnd == a.bytes.length;
            if ((a.flags & SHORT) != 0) {
                throw new IllegalStateException("answer flags " + a.flags + " use the short-form bit");
            }
            int header = brief ? SHORT_HEADER : HEADER;
            int at = reserve(header + a.bytes.length + 2 * a.relocations.length + 4 * a.optionalEnd.length
                    + 4 * a.staticProofs.length + 2 * a.questionPointers.length);
            putU16(at + A_FLAGS, a.flags | (brief ? SHORT : 0));
            putU16(at + A_ANSWERS, a.answerCount);
            putU16(at + A_LENGTH, a.bytes.length);
            putU16(at + A_TEMPLATE_LENGTH, a.templateLength);
            putU16(at + A_QUESTION_POINTERS, a.questionPointers.length);
            if (!brief) {
                putU16(at + A_AUTHORITY, a.authorityCount);
                putU16(at + A_REQUIRED_ADDITIONAL, a.requiredAdditional);
                putU16(at + A_ADDITIONAL, a.additionalCount());
                putU16(at + A_REQUIRED_LENGTH, a.requiredLength);
                putU16(at + A_AUTHORITY_END, a.authorityEnd);
                putU16(at + A_DYNAMIC, a.dynamic);
                putU16(at + A_RELOCATIONS, a.relocations.length);
                putU16(at + A_OPTIONALS, a.optionalEnd.length);
                putU16(at + A_STATIC_PROOFS, a.staticProofs.length);
                putI32(at + A_DNSSEC, dnssec);
            }
            int p = at + header;
            System.arraycopy(a.bytes, 0, arena, p, a.bytes.length);
            p += a.bytes.length;
            for (int r : a.relocations) {
                putU16(p, r);
                p += 2;
            }
            for (int e : a.optionalEnd) {
                putU16(p, e);
                p += 2;
            }
            for (int c : a.optionalCount) {
                putU16(p, c);
                p += 2;
            }
            for (int s : a.staticProofs) {
                putI32(p, s);
                p += 4;
            }
            for (int q : a.questionPointers) {
                putU16(p, q);
                p += 2;
            }
            answers.put(a, at);
            return at;
        }

        private int reserve(int n) {
            if (used + n > arena.length) {
                long grown = Math.max((long) arena.length * 2, (long) used + n);
                if (grown > Integer.MAX_VALUE - 16) {
                    throw new IllegalStateException("zones too large for one table (over 2 GB compiled)");
                }
                arena = Arrays.copyOf(arena, (int) grown);
            }
            int at = used;
            used += n;
            return at;
        }

        private void putU16(int p, int v) {
            if (v < 0 || v > 0xffff) {
                throw new IllegalStateException("field value " + v + " does not fit 16 bits");
            }
            arena[p] = (byte) (v >>> 8);
            arena[p + 1] = (byte) v;
        }

        private void putI32(int p, int v) {
            arena[p] = (byte) (v >>> 24);
            arena[p + 1] = (byte) (v >>> 16);
            arena[p + 2] = (byte) (v >>> 8);
            arena[p + 3] = (byte) v;
        }
    }

    // ---- hashing ----

    /**
     * Writes the offset of each label of the wire name {@code lc[0, len)} into {@code offsets} and
     * returns the number of labels (the root label not counted).
     */
    static int labelOffsets(byte[] lc, int len, int[] offsets) {
        int p = 0;
        int n = 0;
        while (p < len && lc[p] != 0) {
            offsets[n++] = p;
            p += (lc[p] & 0xff) + 1;
        }
        return n;
    }

    /** {@code hashes[i]} becomes the hash of the suffix starting at label i; {@code hashes[labels]} the root's. */
    static void suffixHashes(byte[] lc, int[] offsets, int labels, int[] hashes) {
        int h = 0x811c9dc5;
        hashes[labels] = h;
        for (int i = labels - 1; i >= 0; i--) {
            int p = offsets[i];
            int len = lc[p] & 0xff;
            h = (h ^ len) * 0x01000193;
            for (int k = 1; k <= len; k++) {
                h = (h ^ (lc[p + k] & 0xff)) * 0x01000193;
            }
            hashes[i] = h;
        }
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
