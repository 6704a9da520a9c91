package io.miragej.block.store;

import io.miragej.block.internal.ByteIo;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * A B+tree page in memory: a leaf (keys and values) or an internal node (keys and child
 * references). Decoding checks every length against the page, so arbitrary bytes give a
 * {@link StoreCorruptException}, never anything else. Nodes read from the disk are never changed
 * in place: a transaction copies them first.
 *
 * <p>Page layout (all pages): magic u16 "KV", type u8, 0, count u16, 0 u16, page number u64,
 * generation u64, body, and a CRC-32C of everything before it in the last four bytes.
 */
final class Node {
    static final int MAGIC = 0x4B56;
    static final int LEAF = 1;
    static final int INTERNAL = 2;
    static final int EXTENT = 3;
    static final int HEADER = 24;
    static final int TRAILER = 4;

    /** A reference to a page and the CRC-32C its contents must have. */
    record Ref(long page, int crc) {}

    /** A leaf's value: inline bytes, or the size and first extent page of a value stored in data pages. */
    record Value(long mtime, byte[] inline, long size, Ref extent) {
        static Value inline(long mtime, byte[] bytes) {
            return new Value(mtime, bytes, bytes.length, null);
        }

        static Value external(long mtime, long size, Ref extent) {
            return new Value(mtime, null, size, extent);
        }

        boolean isInline() {
            return inline != null;
        }

        int encodedSize() {
            return 1 + 8 + (isInline() ? 4 + inline.length : 8 + 12);
        }
    }

    final int type;
    final ArrayList<byte[]> keys;
    final ArrayList<Value> values;
    final ArrayList<Ref> children;

    private Node(int type, ArrayList<byte[]> keys, ArrayList<Value> values, ArrayList<Ref> children) {
        this.type = type;
        this.keys = keys;
        this.values = values;
        this.children = children;
    }

    static Node leaf() {
        return new Node(LEAF, new ArrayList<>(), new ArrayList<>(), null);
    }

    static Node internal() {
        return new Node(INTERNAL, new ArrayList<>(), null, new ArrayList<>());
    }

    boolean isLeaf() {
        return type == LEAF;
    }

    int size() {
        return keys.size();
    }

    Node copy() {
        return new Node(type, new ArrayList<>(keys), values == null ? null : new ArrayList<>(values),
                children == null ? null : new ArrayList<>(children));
    }

    int entrySize(int i) {
        return 2 + keys.get(i).length + (isLeaf() ? values.get(i).encodedSize() : 12);
    }

    int encodedSize() {
        int n = HEADER + TRAILER;
        for (int i = 0; i < keys.size(); i++) {
            n += entrySize(i);
        }
        return n;
    }

    /** Index of the first key >= {@code key}, or the size when there is none. */
    int lowerBound(byte[] key) {
        int lo = 0;
        int hi = keys.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Arrays.compareUnsigned(keys.get(mid), key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** For an internal node: the child whose range holds {@code key} (the first child's key counts as minus infinity). */
    int childIndex(byte[] key) {
        int lo = 0;
        int hi = keys.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (Arrays.compareUnsigned(keys.get(mid), key) <= 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    byte[] encode(int pageSize, long page, long generation) {
        byte[] b = new byte[pageSize];
        ByteIo.put16(b, 0, MAGIC);
        b[2] = (byte) type;
        ByteIo.put16(b, 4, keys.size());
        ByteIo.put64(b, 8, page);
        ByteIo.put64(b, 16, generation);
        int at = HEADER;
        for (int i = 0; i < keys.size(); i++) {
            byte[] k = keys.get(i);
            ByteIo.put16(b, at, k.length);
            System.arraycopy(k, 0, b, at + 2, k.length);
            at += 2 + k.length;
            if (isLeaf()) {
                Value v = values.get(i);
                b[at] = (byte) (v.isInline() ? 0 : 1);
                ByteIo.put64(b, at + 1, v.mtime());
                at += 9;
                if (v.isInline()) {
                    ByteIo.put32(b, at, v.inline().length);
                    System.arraycopy(v.inline(), 0, b, at + 4, v.inline().length);
                    at += 4 + v.inline().length;
                } else {
                    ByteIo.put64(b, at, v.size());
                    ByteIo.put64(b, at + 8, v.extent().page());
                    ByteIo.put32(b, at + 16, v.extent().crc());
                    at += 20;
                }
            } else {
                Ref r = children.get(i);
                ByteIo.put64(b, at, r.page());
                ByteIo.put32(b, at + 8, r.crc());
                at += 12;
            }
        }
        if (at > pageSize - TRAILER) {
            throw new IllegalStateException("a node of " + at + " bytes does not fit a page of " + pageSize);
        }
        Pages.seal(b);
        return b;
    }

    /** Decodes a page whose checksum and header have already been checked by {@link Pages#check}. */
    static Node decode(byte[] b, long page, int maxKey) throws StoreCorruptException {
        int type = b[2];
        if (type != LEAF && type != INTERNAL) {
            throw new StoreCorruptException("page " + page + " is not a tree page (type " + type + ")");
        }
        int count = ByteIo.u16(b, 4);
        Node n = type == LEAF ? leaf() : internal();
        int end = b.length - TRAILER;
        int at = HEADER;
        byte[] previous = null;
        for (int i = 0; i < count; i++) {
            need(at + 2, end, page);
            int klen = ByteIo.u16(b, at);
            if (klen > maxKey) {
                throw new StoreCorruptException("page " + page + " holds a key of " + klen + " bytes");
            }
            need(at + 2 + klen, end, page);
            byte[] key = Arrays.copyOfRange(b, at + 2, at + 2 + klen);
            if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
                throw new StoreCorruptException("page " + page + " holds keys out of order");
            }
            previous = key;
            at += 2 + klen;
            n.keys.add(key);
            if (type == LEAF) {
                need(at + 9, end, page);
                int kind = b[at];
                long mtime = ByteIo.u64(b, at + 1);
                at += 9;
                if (kind == 0) {
                    need(at + 4, end, page);
                    long len = ByteIo.u32(b, at);
                    need(at + 4 + len, end, page);
                    n.values.add(Value.inline(mtime, Arrays.copyOfRange(b, at + 4, at + 4 + (int) len)));
                    at += 4 + (int) len;
                } else if (kind == 1) {
                    need(at + 20, end, page);
                    long size = ByteIo.u64(b, at);
                    if (size < 0 || size > Integer.MAX_VALUE - 8) {
                        throw new StoreCorruptException("page " + page + " holds a value size of " + size);
                    }
                    n.values.add(Value.external(mtime, size, new Ref(ByteIo.u64(b, at + 8), (int) ByteIo.u32(b, at + 16))));
                    at += 20;
                } else {
                    throw new StoreCorruptException("page " + page + " holds a value of unknown kind " + kind);
                }
            } else {
                need(at + 12, end, page);
                n.children.add(new Ref(ByteIo.u64(b, at), (int) ByteIo.u32(b, at + 8)));
                at += 12;
            }
        }
        if (type == INTERNAL && count == 0) {
            throw new StoreCorruptException("page " + page + " is an internal node without children");
        }
        return n;
    }

    private static void need(long upTo, int end, long page) throws StoreCorruptException {
        if (upTo > end) {
            throw new StoreCorruptException("page " + page + " is truncated: its entries run past its end");
        }
    }

    /** The keys split in two halves by encoded size: the index of the first key of the right half. */
    int splitPoint() {
        int total = encodedSize() - HEADER - TRAILER;
        int acc = 0;
        for (int i = 0; i < keys.size(); i++) {
            acc += entrySize(i);
            if (acc >= total / 2) {
                return Math.max(1, Math.min(i + 1, keys.size() - 1));
            }
        }
        return keys.size() / 2;
    }

    /** Moves the entries from {@code at} on into a new node of the same type. */
    Node splitOff(int at) {
        Node right = isLeaf() ? leaf() : internal();
        right.keys.addAll(keys.subList(at, keys.size()));
        keys.subList(at, keys.size()).clear();
        if (isLeaf()) {
            right.values.addAll(values.subList(at, values.size()));
            values.subList(at, values.size()).clear();
        } else {
            right.children.addAll(children.subList(at, children.size()));
            children.subList(at, children.size()).clear();
        }
        return right;
    }
}
