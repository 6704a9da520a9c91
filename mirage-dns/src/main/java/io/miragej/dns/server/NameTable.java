package io.miragej.dns.server;

import java.util.Arrays;

/**
 * An open-addressing hash table from lower-cased wire-form names to nodes, read without
 * allocating and with few memory loads: a slot holds the name's hash and where its key starts in
 * one shared array, and the key is followed there by the node's index. The hash of a name is built
 * label by label from the right, so the hashes of all suffixes of a query name come out of one
 * pass and the closest encloser is found by probing suffixes from the longest.
 */
final class NameTable {
    /** Per slot: hash in the high 32 bits, offset of the key in {@link #arena} + 1 in the low; 0 = empty. */
    private final long[] slots;
    /** Keys one after another, each as [length][name bytes][node index: 4 bytes]. */
    private byte[] arena;
    private int arenaUsed;
    private final Node[] nodes;
    private final int mask;
    private int size;

    NameTable(int capacity) {
        int n = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        slots = new long[n];
        mask = n - 1;
        nodes = new Node[capacity];
        arena = new byte[Math.max(64, capacity * 24)];
    }

    int size() {
        return size;
    }

    /** Adds {@code node} under the lower-cased wire name {@code key}; replaces an equal key. */
    void put(byte[] key, Node node) {
        int h = hash(key);
        int s = mix(h) & mask;
        while (slots[s] != 0) {
            long slot = slots[s];
            int at = (int) slot - 1;
            if ((int) (slot >>> 32) == h && keyEquals(at, key, 0, key.length)) {
                nodes[nodeIndex(at)] = node;
                return;
            }
            s = (s + 1) & mask;
        }
        int need = 1 + key.length + 4;
        if (arenaUsed + need > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + need));
        }
        int at = arenaUsed;
        arena[at] = (byte) key.length;
        System.arraycopy(key, 0, arena, at + 1, key.length);
        int index = size++;
        int p = at + 1 + key.length;
        arena[p] = (byte) (index >>> 24);
        arena[p + 1] = (byte) (index >>> 16);
        arena[p + 2] = (byte) (index >>> 8);
        arena[p + 3] = (byte) index;
        arenaUsed += need;
        nodes[index] = node;
        slots[s] = ((long) h << 32) | ((at + 1) & 0xffff_ffffL);
    }

    private boolean keyEquals(int at, byte[] b, int from, int len) {
        byte[] a = arena;
        return (a[at] & 0xff) == len && Arrays.equals(a, at + 1, at + 1 + len, b, from, from + len);
    }

    private int nodeIndex(int at) {
        byte[] a = arena;
        int p = at + 1 + (a[at] & 0xff);
        return ((a[p] & 0xff) << 24) | ((a[p + 1] & 0xff) << 16) | ((a[p + 2] & 0xff) << 8) | (a[p + 3] & 0xff);
    }

    /** The node for {@code lc[from, from+len)} with suffix hash {@code h}, or null. */
    Node get(byte[] lc, int from, int len, int h) {
        int s = mix(h) & mask;
        while (true) {
            long slot = slots[s];
            if (slot == 0) {
                return null;
            }
            if ((int) (slot >>> 32) == h) {
                int at = (int) slot - 1;
                if (keyEquals(at, lc, from, len)) {
                    return nodes[nodeIndex(at)];
                }
            }
            s = (s + 1) & mask;
        }
    }

    /** Hash of a whole lower-cased wire name (the same as {@link #suffixHashes} gives at label 0). */
    static int hash(byte[] lc) {
        int[] offsets = new int[128];
        int[] h = new int[129];
        int labels = labelOffsets(lc, lc.length, offsets);
        suffixHashes(lc, offsets, labels, h);
        return h[0];
    }

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
