package io.miragej.block.store;

import io.miragej.block.internal.ByteIo;
import io.miragej.block.store.BTree.Item;
import io.miragej.block.store.Node.Ref;
import io.miragej.block.store.Node.Value;
import io.miragej.block.store.Pager.NoSpaceException;
import io.miragej.device.Block;
import io.miragej.device.BlockException;
import io.miragej.device.WallClock;
import io.miragej.kv.KvDigest;
import io.miragej.kv.KvException;
import io.miragej.kv.KvException.Reason;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadWriteKv;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A key-value store on a raw {@link Block} device that survives power cuts, in the spirit of
 * littlefs and MirageOS's chamelon: every {@link #set} and {@link #remove} is atomic and durable
 * when it returns, and after a cut at any moment the store opens with exactly the state of the
 * last operation that returned or of the one in flight, nothing else.
 *
 * <p>How: the store is a copy-on-write B+tree in pages. An operation never overwrites a page the
 * committed tree uses; it writes new pages, flushes, then writes one sector, the superblock of
 * the next generation, into the slot the previous-but-one generation used, and flushes again.
 * Opening picks the valid superblock of the highest generation. Every page reference carries the
 * CRC-32C of the page (a Merkle tree from the superblock down to each data page), so a damaged,
 * torn or stale page is found, and reported as {@link Reason#CORRUPT}, instead of returned.
 *
 * <p>Memory is bounded: a cache of {@value Pager#CACHE_NODES} tree pages, a look-ahead bitmap of
 * {@value Pager#WINDOW} pages for allocation, and the pages one operation changes; values are
 * read from the device when asked for. Keys hold at most a page size / 8 bytes of UTF-8 (512 for
 * 4 KiB pages); values up to about 2 GiB. Replacing a value needs room for the new value while
 * the old one is still in place.
 *
 * <p>When the device fails, the operation fails with {@link Reason#IO} and changes nothing that
 * was stored. When it failed while writing the superblock, the store cannot know whether the
 * operation took effect; the next call flushes the device and reads the superblocks again to
 * find out. Safe for use from several threads (one operation at a time).
 */
public final class CrashSafeKv implements ReadWriteKv, AutoCloseable {
    /** The default page size. */
    public static final int DEFAULT_PAGE_SIZE = 4096;

    private final ReentrantLock lock = new ReentrantLock();
    private final Pager pager;
    private final BTree tree;
    private final WallClock clock;
    private final boolean readOnly;
    /** A superblock write failed: whether it took effect is unknown until the superblocks are read again. */
    private boolean uncertain;
    private boolean closed;

    private CrashSafeKv(Pager pager, WallClock clock) {
        this.pager = pager;
        this.tree = new BTree(pager);
        this.clock = clock;
        this.readOnly = pager.device.readOnly();
    }

    /**
     * Makes an empty store on all of {@code device} and opens it.
     *
     * @param pageSize a power of two from 1024 to 65536, a multiple of the device's sector size
     */
    public static CrashSafeKv format(Block device, int pageSize, WallClock clock) throws IOException {
        int ss = device.sectorSize();
        if (pageSize < 1024 || pageSize > 65536 || Integer.bitCount(pageSize) != 1 || pageSize % ss != 0) {
            throw new IllegalArgumentException("the page size must be a power of two from 1024 to 65536 and a multiple of"
                    + " the device's " + ss + "-byte sectors, got " + pageSize);
        }
        long pages = device.sizeBytes() / pageSize;
        if (pages < 8) {
            throw new IllegalArgumentException("a store needs at least 8 pages of " + pageSize + " bytes; the device has "
                    + device.sizeBytes() + " bytes");
        }
        if (device.readOnly()) {
            throw new BlockException(BlockException.Reason.READ_ONLY, "cannot format the read-only device " + device);
        }
        byte[] blank = new byte[ss];
        ByteIo.write(device, 0, blank, 0, ss);
        byte[] first = new Superblock(1, pageSize, pages, 0, 0, 0).encode(ss);
        ByteIo.write(device, pageSize, first, 0, ss);
        device.flush();
        return open(device, clock);
    }

    /** Formats {@code device} with {@value #DEFAULT_PAGE_SIZE}-byte pages. */
    public static CrashSafeKv format(Block device, WallClock clock) throws IOException {
        return format(device, Math.max(DEFAULT_PAGE_SIZE, device.sectorSize()), clock);
    }

    /**
     * Opens the store on {@code device}, formatting it first when it is blank: its first 128 KiB
     * (where any page size puts the superblocks) all zero, as a new image file is. A device
     * holding anything else is never formatted.
     */
    public static CrashSafeKv openOrFormat(Block device, WallClock clock) throws IOException {
        int probe = (int) Math.min(device.sizeBytes(), 128 * 1024);
        byte[] start = ByteIo.read(device, 0, probe / device.sectorSize() * device.sectorSize());
        for (byte b : start) {
            if (b != 0) {
                return open(device, clock);
            }
        }
        return format(device, clock);
    }

    /**
     * Opens the store on {@code device} (read-only when the device is).
     *
     * @throws KvException CORRUPT when the device holds no store or both superblocks are damaged,
     *     IO when it cannot be read
     */
    public static CrashSafeKv open(Block device, WallClock clock) throws IOException {
        return open(device, clock, Pager.WINDOW);
    }

    /** Opens with a look-ahead window of {@code windowPages} pages (tests use small ones). */
    static CrashSafeKv open(Block device, WallClock clock, int windowPages) throws IOException {
        Superblock sb;
        try {
            sb = readSuperblock(device);
        } catch (BlockException e) {
            throw new KvException(Reason.IO, KvKey.ROOT, "the device failed: " + e.getMessage(), e);
        }
        Pager pager = new Pager(device, sb.pageSize(), sb.pageCount(), windowPages);
        pager.committedRoot = sb.root();
        pager.generation = sb.generation();
        pager.values = sb.values();
        return new CrashSafeKv(pager, clock);
    }

    /** Flushes (so what is read is durable), then picks the valid superblock of the highest generation. */
    private static Superblock readSuperblock(Block device) throws IOException {
        if (!device.readOnly()) {
            device.flush();
        }
        int ss = device.sectorSize();
        byte[] zero = ByteIo.read(device, 0, Math.max(ss, Superblock.SIZE));
        Superblock a = Superblock.decode(zero);
        int pageSize = a != null ? a.pageSize() : 0;
        Superblock b = null;
        byte[] one = null;
        // slot 1 lies at one page; without a valid slot 0 try every possible page size
        for (int size = 1024; size <= 65536 && b == null; size *= 2) {
            if (pageSize != 0 && size != pageSize) {
                continue;
            }
            if (size + Superblock.SIZE > device.sizeBytes() || size % ss != 0) {
                continue;
            }
            one = ByteIo.read(device, size, Math.max(ss, Superblock.SIZE));
            Superblock c = Superblock.decode(one);
            if (c != null && c.pageSize() == size) {
                b = c;
            }
        }
        Superblock best = a == null ? b : b == null ? a : (b.generation() > a.generation() ? b : a);
        if (best == null) {
            boolean magic = Superblock.hasMagic(zero) || (one != null && Superblock.hasMagic(one));
            throw new KvException(Reason.CORRUPT, KvKey.ROOT, magic
                    ? "both superblocks of the crash-safe store are damaged"
                    : "no crash-safe store on this device (no superblock); create one with CrashSafeKv.format");
        }
        if (best.pageSize() % ss != 0 || best.pageCount() > device.sizeBytes() / best.pageSize()) {
            throw new KvException(Reason.CORRUPT, KvKey.ROOT, "the superblock describes " + best.pageCount() + " pages of "
                    + best.pageSize() + " bytes, which this device of " + device.sizeBytes() + " bytes in "
                    + ss + "-byte sectors cannot hold");
        }
        return best;
    }

    /** The generation of the last commit: it grows by one with every change. */
    public long generation() {
        lock.lock();
        try {
            return pager.generation;
        } finally {
            lock.unlock();
        }
    }

    /** The number of values stored. */
    public long valueCount() {
        lock.lock();
        try {
            return pager.values;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ keys

    private byte[] encode(KvKey key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < key.segments().size(); i++) {
            if (i > 0) {
                out.write(0);
            }
            out.writeBytes(key.segments().get(i).getBytes(StandardCharsets.UTF_8));
        }
        byte[] b = out.toByteArray();
        if (b.length > pager.maxKey) {
            throw new IllegalArgumentException("the key " + key + " is " + b.length + " bytes of UTF-8; this store's "
                    + pager.pageSize + "-byte pages hold keys of at most " + pager.maxKey);
        }
        return b;
    }

    /** The bytes every key strictly under {@code key} starts with. */
    private byte[] childPrefix(KvKey key) {
        if (key.isRoot()) {
            return new byte[0];
        }
        byte[] k = encode(key);
        return Arrays.copyOf(k, k.length + 1); // ends with the 0 that separates segments
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private boolean hasChildren(KvKey key) throws IOException, StoreCorruptException {
        byte[] prefix = childPrefix(key);
        Item first = tree.ceiling(prefix);
        return first != null && startsWith(first.key(), prefix);
    }

    // ------------------------------------------------------------------ reading

    @Override
    public Optional<Kind> exists(KvKey key) throws KvException {
        return locked(key, false, () -> {
            if (key.isRoot()) {
                return Optional.of(Kind.DICTIONARY);
            }
            if (tree.get(encode(key)) != null) {
                return Optional.of(Kind.VALUE);
            }
            return hasChildren(key) ? Optional.of(Kind.DICTIONARY) : Optional.empty();
        });
    }

    private Value value(KvKey key) throws IOException, StoreCorruptException {
        if (key.isRoot()) {
            throw new KvException(Reason.VALUE_EXPECTED, key, "the root is a dictionary");
        }
        Value v = tree.get(encode(key));
        if (v == null) {
            if (hasChildren(key)) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "is a dictionary");
            }
            throw KvException.notFound(key);
        }
        return v;
    }

    private byte[] read(Value v, long offset, int length) throws IOException, StoreCorruptException {
        if (v.isInline()) {
            return Arrays.copyOfRange(v.inline(), (int) offset, (int) offset + length);
        }
        return pager.readValue(v, offset, length);
    }

    @Override
    public byte[] get(KvKey key) throws KvException {
        return locked(key, false, () -> {
            Value v = value(key);
            return read(v, 0, (int) v.size());
        });
    }

    @Override
    public byte[] getPartial(KvKey key, long offset, int length) throws KvException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be non-negative");
        }
        return locked(key, false, () -> {
            Value v = value(key);
            if (offset >= v.size()) {
                return new byte[0];
            }
            return read(v, offset, (int) Math.min(length, v.size() - offset));
        });
    }

    @Override
    public long size(KvKey key) throws KvException {
        return locked(key, false, () -> value(key).size());
    }

    @Override
    public List<Entry> list(KvKey key) throws KvException {
        return locked(key, false, () -> {
            if (!key.isRoot() && tree.get(encode(key)) != null) {
                throw new KvException(Reason.DICTIONARY_EXPECTED, key, "is a value");
            }
            byte[] prefix = childPrefix(key);
            List<Entry> out = new ArrayList<>();
            byte[] at = prefix;
            while (true) {
                Item item = tree.ceiling(at);
                if (item == null || !startsWith(item.key(), prefix)) {
                    break;
                }
                int end = prefix.length;
                while (end < item.key().length && item.key()[end] != 0) {
                    end++;
                }
                byte[] segment = Arrays.copyOfRange(item.key(), prefix.length, end);
                out.add(new Entry(new String(segment, StandardCharsets.UTF_8), end == item.key().length ? Kind.VALUE : Kind.DICTIONARY));
                // skip the rest of this child: every key under it is below segment + 0x01
                at = Arrays.copyOf(item.key(), end + 1);
                at[end] = 1;
            }
            if (out.isEmpty() && !key.isRoot()) {
                throw KvException.notFound(key);
            }
            out.sort(Comparator.comparing(Entry::name));
            return out;
        });
    }

    @Override
    public Instant lastModified(KvKey key) throws KvException {
        return locked(key, false, () -> {
            if (!key.isRoot()) {
                Value v = tree.get(encode(key));
                if (v != null) {
                    return Instant.ofEpochMilli(v.mtime());
                }
            }
            byte[] prefix = childPrefix(key);
            long latest = Long.MIN_VALUE;
            for (Item item = tree.ceiling(prefix); item != null && startsWith(item.key(), prefix);
                    item = tree.ceiling(successor(item.key()))) {
                latest = Math.max(latest, item.value().mtime());
            }
            if (latest == Long.MIN_VALUE) {
                if (key.isRoot()) {
                    return Instant.EPOCH;
                }
                throw KvException.notFound(key);
            }
            return Instant.ofEpochMilli(latest);
        });
    }

    private static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1); // the smallest key greater than key
    }

    @Override
    public byte[] digest(KvKey key) throws KvException {
        return locked(key, false, () -> digestOf(key));
    }

    private byte[] digestOf(KvKey key) throws IOException, StoreCorruptException {
        if (!key.isRoot()) {
            Value v = tree.get(encode(key));
            if (v != null) {
                return KvDigest.ofValue(read(v, 0, (int) v.size()));
            }
        }
        KvDigest d = KvDigest.dictionary();
        for (Entry e : list(key)) { // the lock is reentrant
            d.add(e, digestOf(key.child(e.name())));
        }
        return d.finish();
    }

    // ------------------------------------------------------------------ writing

    @Override
    public void set(KvKey key, byte[] value) throws KvException {
        locked(key, true, () -> {
            if (key.isRoot()) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "the root is a dictionary");
            }
            byte[] k = encode(key);
            for (KvKey a = key.parent(); !a.isRoot(); a = a.parent()) {
                if (tree.get(encode(a)) != null) {
                    throw new KvException(Reason.DICTIONARY_EXPECTED, a, "is a value, so " + key + " cannot be stored under it");
                }
            }
            if (hasChildren(key)) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "is a dictionary");
            }
            boolean replacing = tree.get(k) != null;
            long now = clock.now().toEpochMilli();
            long newGeneration = pager.generation + 1;
            Value v = 2 + k.length + 1 + 8 + 4 + value.length <= pager.pageSize / 4
                    ? Value.inline(now, value.clone())
                    : Value.external(now, value.length, pager.writeValue(value, newGeneration));
            tree.put(k, v);
            commit(replacing ? pager.values : pager.values + 1);
            return null;
        });
    }

    @Override
    public void remove(KvKey key) throws KvException {
        locked(key, true, () -> {
            long removed = 0;
            if (!key.isRoot() && tree.delete(encode(key))) {
                removed++;
            }
            byte[] prefix = childPrefix(key);
            for (Item item = tree.ceiling(prefix); item != null && startsWith(item.key(), prefix); item = tree.ceiling(prefix)) {
                tree.delete(item.key());
                removed++;
            }
            if (removed > 0) {
                commit(pager.values - removed);
            }
            return null;
        });
    }

    /** Makes the transaction durable: its pages, a flush, the next superblock, a flush. */
    private void commit(long values) throws IOException {
        long next = pager.generation + 1;
        Ref root = tree.root == null ? null : pager.writeTree(tree.root, next);
        pager.device.flush();
        Superblock sb = new Superblock(next, pager.pageSize, pager.pageCount, root == null ? 0 : root.page(),
                root == null ? 0 : root.crc(), values);
        uncertain = true; // from here until the flush returns, a failure leaves the outcome unknown
        ByteIo.write(pager.device, (next % 2) * pager.pageSize, sb.encode(pager.device.sectorSize()), 0,
                pager.device.sectorSize());
        pager.device.flush();
        uncertain = false;
        pager.committed(root, next, values);
        tree.root = root;
    }

    /** Reads the superblocks again to learn the state the disk holds. */
    private void recover(KvKey key) throws KvException {
        pager.forget();
        try {
            Superblock sb = readSuperblock(pager.device);
            pager.committedRoot = sb.root();
            pager.generation = sb.generation();
            pager.values = sb.values();
            tree.root = sb.root();
            uncertain = false;
        } catch (KvException e) {
            throw new KvException(e.reason(), key, "after an earlier device failure: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new KvException(Reason.IO, key, "the device still fails (" + e.getMessage() + "); whether the last change"
                    + " took effect will be known once it works again", e);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface Body<T> {
        T run() throws IOException, StoreCorruptException, NoSpaceException;
    }

    private <T> T locked(KvKey key, boolean writes, Body<T> body) throws KvException {
        lock.lock();
        try {
            if (closed) {
                throw new KvException(Reason.IO, key, "the store is closed");
            }
            if (writes && readOnly) {
                throw new KvException(Reason.READ_ONLY, key, "the device " + pager.device + " is read-only");
            }
            if (uncertain) {
                recover(key);
            }
            boolean done = false;
            try {
                T result = body.run();
                done = true;
                return result;
            } catch (KvException e) {
                throw e;
            } catch (StoreCorruptException e) {
                throw new KvException(Reason.CORRUPT, key, "the store is damaged: " + e.getMessage()
                        + "; it will not return data it cannot verify");
            } catch (NoSpaceException e) {
                throw new KvException(Reason.NO_SPACE, key, "the store is full: no free page is left on "
                        + pager.device + " (a replaced value's pages are freed only after the change)");
            } catch (BlockException e) {
                throw new KvException(e.reason() == BlockException.Reason.READ_ONLY ? Reason.READ_ONLY : Reason.IO, key,
                        "the device failed: " + e.getMessage() + (uncertain ? "; whether this change took effect is"
                                + " found out at the next call" : "; nothing stored before was changed"), e);
            } catch (IOException e) {
                throw new KvException(Reason.IO, key, "the device failed: " + e.getMessage(), e);
            } finally {
                if (!done) {
                    // whatever the operation changed in memory goes; the committed tree stays (a
                    // removal of the last key leaves no page of its own, so always reset the root)
                    pager.abort();
                    tree.root = pager.committedRoot;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "CrashSafeKv[" + pager.pageCount + " pages of " + pager.pageSize + " bytes on " + pager.device + "]";
    }
}
