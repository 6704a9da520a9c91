package io.miragej.block.store;

import io.miragej.block.internal.ByteIo;
import io.miragej.block.store.Node.Ref;
import io.miragej.block.store.Node.Value;
import io.miragej.device.Block;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pages of the store: reading them with their checks, a bounded cache of decoded tree pages, the
 * pages of the transaction in progress, and allocation.
 *
 * <p>Allocation keeps no free list on disk. Like littlefs, it looks ahead through a window of
 * {@link #WINDOW} pages at a time: a page is free when neither the committed tree nor the
 * transaction in progress uses it, which a walk of the committed tree's metadata finds out. The
 * window moves round the device, so writes spread over all of it. Pages the transaction stops
 * using stay taken until it commits, so the committed tree is never overwritten.
 */
final class Pager {
    static final int FIRST_PAGE = 2;
    static final int WINDOW = 1 << 16;
    static final int CACHE_NODES = 256;

    final Block device;
    final int pageSize;
    final long pageCount;
    final int maxKey;

    /** The committed tree's root (null: empty), generation and value count. */
    Ref committedRoot;
    long generation;
    long values;

    /** The transaction's tree pages, changed or new; all are in {@link #txnPages}. */
    final Map<Long, Node> dirty = new HashMap<>();
    /** Every page the transaction allocated: tree, extent and data pages. */
    final Set<Long> txnPages = new HashSet<>();

    private final LinkedHashMap<Long, Cached> cache = new LinkedHashMap<>(CACHE_NODES * 2, 0.75f, true);

    private record Cached(int crc, Node node) {}

    private final BitSet window = new BitSet();
    private long windowStart = FIRST_PAGE;
    private int windowSize;
    private boolean windowValid;
    private long cursor = FIRST_PAGE;

    /** Pages the look-ahead window covers ({@link #WINDOW}; smaller in tests, to move it often). */
    private final int windowPages;

    Pager(Block device, int pageSize, long pageCount, int windowPages) {
        this.windowPages = windowPages;
        this.device = device;
        this.pageSize = pageSize;
        this.pageCount = pageCount;
        this.maxKey = pageSize / 8;
    }

    byte[] read(long page) throws IOException {
        return ByteIo.read(device, page * pageSize, pageSize);
    }

    void write(long page, byte[] bytes) throws IOException {
        cache.remove(page);
        ByteIo.write(device, page * pageSize, bytes, 0, bytes.length);
    }

    /** The tree page {@code ref} names: the transaction's version, a cached one, or read and checked. */
    Node load(Ref ref) throws IOException, StoreCorruptException {
        Node d = dirty.get(ref.page());
        if (d != null) {
            return d;
        }
        checkPage(ref.page(), "a tree page");
        Cached c = cache.get(ref.page());
        if (c != null && c.crc() == ref.crc()) {
            return c.node();
        }
        byte[] b = read(ref.page());
        Pages.check(b, ref.page(), ref.crc(), "a tree page");
        Node n = Node.decode(b, ref.page(), maxKey);
        cache.put(ref.page(), new Cached(ref.crc(), n));
        if (cache.size() > CACHE_NODES) {
            Iterator<Long> it = cache.keySet().iterator();
            it.next();
            it.remove();
        }
        return n;
    }

    void checkPage(long page, String what) throws StoreCorruptException {
        if (page < FIRST_PAGE || page >= pageCount) {
            throw new StoreCorruptException(what + " is said to be at page " + page + ", outside pages " + FIRST_PAGE
                    + ".." + (pageCount - 1));
        }
    }

    /** A node the transaction may change: {@code ref}'s page if the transaction owns it, else a copy on a new page. */
    long mutable(Ref ref) throws IOException, StoreCorruptException, NoSpaceException {
        if (dirty.containsKey(ref.page())) {
            return ref.page();
        }
        Node copy = load(ref).copy();
        long page = allocate();
        dirty.put(page, copy);
        return page;
    }

    long create(Node n) throws IOException, StoreCorruptException, NoSpaceException {
        long page = allocate();
        dirty.put(page, n);
        return page;
    }

    /** The transaction no longer needs a page it allocated: it is free again at once. */
    void drop(long page) {
        if (txnPages.remove(page)) {
            dirty.remove(page);
            if (windowValid && page >= windowStart && page < windowStart + windowSize) {
                window.clear((int) (page - windowStart));
            }
        }
    }

    /** A free page for the transaction. */
    long allocate() throws IOException, StoreCorruptException, NoSpaceException {
        long scanned = 0;
        while (true) {
            if (!windowValid) {
                refill();
            }
            int from = (int) Math.max(0, cursor - windowStart);
            int i = window.nextClearBit(from);
            if (i < windowSize) {
                window.set(i);
                long page = windowStart + i;
                cursor = page + 1;
                txnPages.add(page);
                return page;
            }
            scanned += windowSize - from;
            if (scanned >= pageCount) {
                throw new NoSpaceException();
            }
            windowStart += windowSize;
            if (windowStart >= pageCount) {
                windowStart = FIRST_PAGE;
            }
            cursor = windowStart;
            windowValid = false;
        }
    }

    /** Marks, in a fresh window, every page the committed tree or the transaction uses. */
    private void refill() throws IOException, StoreCorruptException {
        windowSize = (int) Math.min(windowPages, pageCount - windowStart);
        window.clear();
        windowValid = false;
        for (long p : txnPages) {
            mark(p);
        }
        if (committedRoot != null) {
            walk(committedRoot, 0);
        }
        windowValid = true;
    }

    private void mark(long page) {
        if (page >= windowStart && page < windowStart + windowSize) {
            window.set((int) (page - windowStart));
        }
    }

    private void walk(Ref ref, int depth) throws IOException, StoreCorruptException {
        if (depth > 64) {
            throw new StoreCorruptException("the tree is deeper than 64 levels: its pages must loop");
        }
        mark(ref.page());
        Node n = load(ref);
        if (n.isLeaf()) {
            for (Value v : n.values) {
                if (!v.isInline()) {
                    forEachExtent(v, e -> {
                        mark(e.page());
                        for (Ref data : e.data()) {
                            mark(data.page());
                        }
                        return true;
                    });
                }
            }
        } else {
            for (Ref child : n.children) {
                walk(child, depth + 1);
            }
        }
    }

    /** Forgets the transaction. */
    void abort() {
        dirty.clear();
        txnPages.clear();
        windowValid = false; // its pages were marked taken
    }

    /** Forgets everything cached (after the state on disk became uncertain). */
    void forget() {
        abort();
        cache.clear();
    }

    /** Writes the transaction's tree pages under {@code ref}, children first; the reference with its checksum. */
    Ref writeTree(Ref ref, long newGeneration) throws IOException {
        Node n = dirty.get(ref.page());
        if (n == null) {
            return ref;
        }
        if (!n.isLeaf()) {
            for (int i = 0; i < n.children.size(); i++) {
                n.children.set(i, writeTree(n.children.get(i), newGeneration));
            }
        }
        byte[] b = n.encode(pageSize, ref.page(), newGeneration);
        write(ref.page(), b);
        int crc = Pages.refCrc(b);
        cache.put(ref.page(), new Cached(crc, n));
        return new Ref(ref.page(), crc);
    }

    /** After a commit: the transaction's pages belong to the committed tree. */
    void committed(Ref root, long newGeneration, long newValues) {
        committedRoot = root;
        generation = newGeneration;
        values = newValues;
        dirty.clear();
        txnPages.clear();
        while (cache.size() > CACHE_NODES) {
            Iterator<Long> it = cache.keySet().iterator();
            it.next();
            it.remove();
        }
    }

    // ------------------------------------------------------------------ values in data pages

    /** One extent page: the data pages it lists, and the next extent page. */
    record Extent(long page, List<Ref> data, Ref next) {}

    int refsPerExtent() {
        return (pageSize - Node.HEADER - 12 - Node.TRAILER) / 12;
    }

    /** Writes {@code value} into new data pages listed by new extent pages; the first extent page. */
    Ref writeValue(byte[] value, long newGeneration) throws IOException, StoreCorruptException, NoSpaceException {
        int pages = (value.length + pageSize - 1) / pageSize;
        List<Ref> data = new ArrayList<>(pages);
        byte[] page = new byte[pageSize];
        for (int i = 0; i < pages; i++) {
            int n = Math.min(pageSize, value.length - i * pageSize);
            java.util.Arrays.fill(page, (byte) 0);
            System.arraycopy(value, i * pageSize, page, 0, n);
            long p = allocate();
            write(p, page);
            data.add(new Ref(p, Pages.refCrc(page)));
        }
        int per = refsPerExtent();
        Ref next = null;
        for (int start = (Math.max(pages, 1) - 1) / per * per; start >= 0; start -= per) {
            List<Ref> chunk = data.subList(start, Math.min(pages, start + per));
            byte[] b = new byte[pageSize];
            long p = allocate();
            ByteIo.put16(b, 0, Node.MAGIC);
            b[2] = Node.EXTENT;
            ByteIo.put16(b, 4, chunk.size());
            ByteIo.put64(b, 8, p);
            ByteIo.put64(b, 16, newGeneration);
            ByteIo.put64(b, 24, next == null ? 0 : next.page());
            ByteIo.put32(b, 32, next == null ? 0 : next.crc() & 0xFFFF_FFFFL);
            int at = 36;
            for (Ref r : chunk) {
                ByteIo.put64(b, at, r.page());
                ByteIo.put32(b, at + 8, r.crc() & 0xFFFF_FFFFL);
                at += 12;
            }
            Pages.seal(b);
            write(p, b);
            next = new Ref(p, Pages.refCrc(b));
        }
        return next;
    }

    /** Visits extent pages in order; returns false to stop early. */
    @FunctionalInterface
    interface ExtentVisitor {
        boolean visit(Extent e) throws IOException, StoreCorruptException;
    }

    /**
     * Reads the extent pages of an external value in order, each checked, until {@code visitor}
     * returns false; when it never does, checks that they list exactly the pages the size needs.
     */
    void forEachExtent(Value v, ExtentVisitor visitor) throws IOException, StoreCorruptException {
        long pages = (v.size() + pageSize - 1) / pageSize;
        int per = refsPerExtent();
        long extentPages = Math.max(1, (pages + per - 1) / per);
        long visited = 0;
        Ref ref = v.extent();
        long seen = 0;
        while (ref != null) {
            if (visited++ >= extentPages) {
                throw new StoreCorruptException("a value of " + v.size() + " bytes has more extent pages than it needs");
            }
            checkPage(ref.page(), "an extent page");
            byte[] b = read(ref.page());
            Pages.check(b, ref.page(), ref.crc(), "an extent page");
            if (b[2] != Node.EXTENT) {
                throw new StoreCorruptException("page " + ref.page() + " should be an extent page but is of type " + b[2]);
            }
            int count = ByteIo.u16(b, 4);
            if (count > per) {
                throw new StoreCorruptException("extent page " + ref.page() + " claims " + count + " data pages");
            }
            List<Ref> data = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                Ref d = new Ref(ByteIo.u64(b, 36 + 12 * i), (int) ByteIo.u32(b, 36 + 12 * i + 8));
                checkPage(d.page(), "a data page");
                data.add(d);
            }
            seen += count;
            long nextPage = ByteIo.u64(b, 24);
            Ref next = nextPage == 0 ? null : new Ref(nextPage, (int) ByteIo.u32(b, 32));
            if (!visitor.visit(new Extent(ref.page(), data, next))) {
                return;
            }
            ref = next;
        }
        if (seen != pages) {
            throw new StoreCorruptException("a value of " + v.size() + " bytes lists " + seen + " data pages, not " + pages);
        }
    }

    /** Bytes {@code [offset, offset + length)} of an external value, every data page checked. */
    byte[] readValue(Value v, long offset, int length) throws IOException, StoreCorruptException {
        byte[] out = new byte[length];
        long[] index = {0};
        long[] copied = {0};
        forEachExtent(v, e -> {
            for (Ref d : e.data()) {
                long start = index[0] * pageSize;
                index[0]++;
                long end = start + pageSize;
                if (end <= offset || start >= offset + length) {
                    continue;
                }
                byte[] b = read(d.page());
                if (Pages.refCrc(b) != d.crc()) {
                    throw new StoreCorruptException("data page " + d.page() + " does not match the checksum recorded for it:"
                            + " the page is damaged or was lost");
                }
                long from = Math.max(start, offset);
                long to = Math.min(end, offset + length);
                System.arraycopy(b, (int) (from - start), out, (int) (from - offset), (int) (to - from));
                copied[0] += to - from;
            }
            return copied[0] < length; // past the range: the rest of the chain is not read
        });
        if (copied[0] < length) {
            throw new StoreCorruptException("a value of " + v.size() + " bytes has fewer data pages than its size needs");
        }
        return out;
    }

    /** No free page is left. */
    static final class NoSpaceException extends Exception {
        private static final long serialVersionUID = 1L;

        NoSpaceException() {
            super("no free page is left");
        }
    }
}
