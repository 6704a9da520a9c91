package io.miragej.block.store;

import io.miragej.block.store.Node.Ref;
import io.miragej.block.store.Node.Value;
import io.miragej.block.store.Pager.NoSpaceException;
import java.io.IOException;
import java.util.Arrays;

/**
 * A copy-on-write B+tree of byte-string keys (compared unsigned) over the {@link Pager}. Changes
 * copy each page they touch to a page of the transaction once; the transaction's root names the
 * new tree, which the commit writes children first, so every parent records its children's
 * checksums (a Merkle tree: a damaged or stale page anywhere is found on the way down).
 *
 * <p>In an internal node, child {@code i} holds the keys from key {@code i} up to key {@code i+1};
 * the first key counts as minus infinity.
 */
final class BTree {
    private final Pager pager;
    /** The transaction's root; the committed root when no transaction is open. */
    Ref root;

    BTree(Pager pager) {
        this.pager = pager;
        this.root = pager.committedRoot;
    }

    /** A key and its value. */
    record Item(byte[] key, Value value) {}

    Value get(byte[] key) throws IOException, StoreCorruptException {
        if (root == null) {
            return null;
        }
        Node n = pager.load(root);
        for (int depth = 0; !n.isLeaf(); depth++) {
            checkDepth(depth);
            n = pager.load(n.children.get(n.childIndex(key)));
        }
        int i = n.lowerBound(key);
        return i < n.size() && Arrays.equals(n.keys.get(i), key) ? n.values.get(i) : null;
    }

    /** The first item whose key is at least {@code key}, or null. */
    Item ceiling(byte[] key) throws IOException, StoreCorruptException {
        return root == null ? null : ceiling(root, key, 0);
    }

    private Item ceiling(Ref ref, byte[] key, int depth) throws IOException, StoreCorruptException {
        checkDepth(depth);
        Node n = pager.load(ref);
        if (n.isLeaf()) {
            int i = n.lowerBound(key);
            return i < n.size() ? new Item(n.keys.get(i), n.values.get(i)) : null;
        }
        for (int j = n.childIndex(key); j < n.size(); j++) {
            Item found = ceiling(n.children.get(j), key, depth + 1);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static void checkDepth(int depth) throws StoreCorruptException {
        if (depth > 64) {
            throw new StoreCorruptException("the tree is deeper than 64 levels: its pages must loop");
        }
    }

    /** Sets {@code key} to {@code value} in the transaction's tree. */
    void put(byte[] key, Value value) throws IOException, StoreCorruptException, NoSpaceException {
        if (root == null) {
            Node leaf = Node.leaf();
            leaf.keys.add(key);
            leaf.values.add(value);
            root = new Ref(pager.create(leaf), 0);
            return;
        }
        Ref[] out = insert(root, key, value, 0);
        if (out.length == 1) {
            root = out[0];
        } else {
            Node top = Node.internal();
            top.keys.add(new byte[0]);
            top.children.add(out[0]);
            top.keys.add(pager.dirty.get(out[1].page()).keys.getFirst());
            top.children.add(out[1]);
            root = new Ref(pager.create(top), 0);
        }
    }

    /** Inserts below {@code ref}: the node's new reference, and a right sibling when it split. */
    private Ref[] insert(Ref ref, byte[] key, Value value, int depth) throws IOException, StoreCorruptException, NoSpaceException {
        checkDepth(depth);
        long page = pager.mutable(ref);
        Node n = pager.dirty.get(page);
        if (n.isLeaf()) {
            int i = n.lowerBound(key);
            if (i < n.size() && Arrays.equals(n.keys.get(i), key)) {
                n.values.set(i, value);
            } else {
                n.keys.add(i, key);
                n.values.add(i, value);
            }
        } else {
            int ci = n.childIndex(key);
            Ref[] sub = insert(n.children.get(ci), key, value, depth + 1);
            n.children.set(ci, sub[0]);
            if (sub.length == 2) {
                n.keys.add(ci + 1, pager.dirty.get(sub[1].page()).keys.getFirst());
                n.children.add(ci + 1, sub[1]);
            }
        }
        if (n.encodedSize() <= pager.pageSize) {
            return new Ref[] {new Ref(page, 0)};
        }
        Node right = n.splitOff(n.splitPoint());
        return new Ref[] {new Ref(page, 0), new Ref(pager.create(right), 0)};
    }

    /** Removes {@code key}; false when it was not there (and nothing changed). */
    boolean delete(byte[] key) throws IOException, StoreCorruptException, NoSpaceException {
        if (root == null || get(key) == null) {
            return false;
        }
        root = delete(root, key, 0);
        // a root with a single child gives way to it
        while (root != null) {
            Node n = pager.load(root);
            if (n.isLeaf() || n.size() > 1) {
                break;
            }
            pager.drop(root.page());
            root = n.children.getFirst();
        }
        return true;
    }

    /** Deletes a key known to be present below {@code ref}; the node's new reference, or null when it is empty. */
    private Ref delete(Ref ref, byte[] key, int depth) throws IOException, StoreCorruptException, NoSpaceException {
        checkDepth(depth);
        long page = pager.mutable(ref);
        Node n = pager.dirty.get(page);
        if (n.isLeaf()) {
            int i = n.lowerBound(key);
            n.keys.remove(i);
            n.values.remove(i);
        } else {
            int ci = n.childIndex(key);
            Ref child = delete(n.children.get(ci), key, depth + 1);
            if (child == null) {
                n.keys.remove(ci);
                n.children.remove(ci);
            } else {
                n.children.set(ci, child);
                mergeIfSmall(n, ci);
            }
        }
        if (n.size() == 0) {
            pager.drop(page);
            return null;
        }
        return new Ref(page, 0);
    }

    /** Joins child {@code ci} with a neighbour when it has shrunk below a quarter page and both fit in one. */
    private void mergeIfSmall(Node parent, int ci) throws IOException, StoreCorruptException, NoSpaceException {
        Node child = pager.load(parent.children.get(ci));
        if (child.encodedSize() >= pager.pageSize / 4 || parent.size() < 2) {
            return;
        }
        int left = ci + 1 < parent.size() ? ci : ci - 1;
        int right = left + 1;
        Node a = pager.load(parent.children.get(left));
        Node b = pager.load(parent.children.get(right));
        int joined = a.encodedSize() + b.encodedSize() - Node.HEADER - Node.TRAILER;
        if (!a.isLeaf()) {
            // b's first key becomes the separator the parent held for it
            joined += parent.keys.get(right).length - b.keys.getFirst().length;
        }
        if (joined > pager.pageSize) {
            return;
        }
        long page = pager.mutable(parent.children.get(left));
        Node into = pager.dirty.get(page);
        for (int i = 0; i < b.size(); i++) {
            into.keys.add(i == 0 && !b.isLeaf() ? parent.keys.get(right) : b.keys.get(i));
            if (b.isLeaf()) {
                into.values.add(b.values.get(i));
            } else {
                into.children.add(b.children.get(i));
            }
        }
        pager.drop(parent.children.get(right).page());
        parent.children.set(left, new Ref(page, 0));
        parent.keys.remove(right);
        parent.children.remove(right);
    }
}
