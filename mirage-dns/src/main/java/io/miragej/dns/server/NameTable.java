package io.miragej.dns.server;

import java.util.Arrays;

/**
 * An open-addressing hash table from lower-cased wire-form names to nodes, read without
 * allocating. The hash of a name is built label by label from the right, so the hashes of all
 * suffixes of a query name come out of one pass and the closest encloser is found by probing
 * suffixes from the longest.
 */
final class NameTable {
    private final int[] slots; // node index + 1, 0 = empty
    private final byte[][] keys;
    private final int[] hashes;
    private final Node[] nodes;
    private final int mask;
    private int size;

    NameTable(int capacity) {
        int n = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        slots = new int[n];
        mask = n - 1;
        keys = new byte[capacity][];
        hashes = new int[capacity];
        nodes = new Node[capacity];
    }

    int size() {
        return size;
    }

    /** Adds {@code node} under the lower-cased wire name {@code key}; replaces an equal key. */
    void put(byte[] key, Node node) {
        int h = hash(key);
        int s = mix(h) & mask;
        while (slots[s] != 0) {
            int i = slots[s] - 1;
            if (hashes[i] == h && Arrays.equals(keys[i], key)) {
                nodes[i] = node;
                return;
            }
            s = (s + 1) & mask;
        }
        keys[size] = key;
        hashes[size] = h;
        nodes[size] = node;
        slots[s] = ++size;
    }

    /** The node for {@code lc[from, from+len)} with suffix hash {@code h}, or null. */
    Node get(byte[] lc, int from, int len, int h) {
        int s = mix(h) & mask;
        while (true) {
            int slot = slots[s];
            if (slot == 0) {
                return null;
            }
            int i = slot - 1;
            if (hashes[i] == h) {
                byte[] k = keys[i];
                if (k.length == len && Arrays.equals(k, 0, len, lc, from, from + len)) {
                    return nodes[i];
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
