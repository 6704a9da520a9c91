package io.miragej.block.fat;

import io.miragej.block.fat.Directory.Node;
import io.miragej.block.internal.ByteIo;
import io.miragej.device.Block;
import io.miragej.device.BlockException;
import io.miragej.device.WallClock;
import io.miragej.kv.KvDigest;
import io.miragej.kv.KvException;
import io.miragej.kv.KvException.Reason;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadWriteKv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A FAT12, FAT16 or FAT32 file system on a {@link Block} device (Microsoft's FAT specification
 * with VFAT long file names), as a key-value store: dictionaries are directories, values are
 * files, so an application needs no FAT-specific code. The extra methods ({@link #mkdir},
 * {@link #rename}, {@link #truncate}, {@link #write}, {@link #freeBytes}) are for those that do.
 *
 * <p>Names are case-insensitive and case-preserving, as on Windows: {@code /Readme.TXT} and
 * {@code /README.txt} are one file, and a file may also be reached by its 8.3 short name. Names
 * may not contain control characters or {@code " * / : < > ? \ |}, start with a space, or end
 * with a dot or a space (otherwise a {@link KvException} with reason {@code UNSUPPORTED_KEY}). Timestamps are written in
 * UTC from the {@link WallClock} given.
 *
 * <p>Every change is written and flushed before its method returns. Replacing a file's value
 * with {@link #set} is crash-atomic (the new data and table are made durable before one sector
 * holding the directory entry is rewritten), so a power cut leaves the old or the new value. Other
 * changes are not: a cut may leave lost clusters or stray directory entries, which
 * {@code fsck.fat} repairs. For a store that survives any cut, use the crash-safe store.
 *
 * <p>Everything read from the device is checked before use: a damaged volume gives
 * {@link KvException}s with reason {@code CORRUPT} saying what is wrong, never wrong data taken
 * from outside a file's clusters. Safe for use from several threads (one operation at a time).
 */
public final class FatFileSystem implements ReadWriteKv, AutoCloseable {
    private static final int MAX_DEPTH = 128;
    /** Directories kept between operations, in bytes of their entries. */
    static final int DIRECTORY_CACHE_BYTES = 4 << 20;

    private final ReentrantLock lock = new ReentrantLock();
    private final Volume v;
    private final WallClock clock;
    private final boolean readOnly;
    private final String label;
    private boolean closed;
    /** Loaded directories by first cluster (0: the root), least recently used first. */
    private final java.util.LinkedHashMap<Long, Directory> dirCache = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private long dirCacheBytes;
    private long dirCacheLimit = DIRECTORY_CACHE_BYTES;

    private FatFileSystem(Volume v, WallClock clock, String label) {
        this.v = v;
        this.clock = clock;
        this.readOnly = v.device.readOnly();
        this.label = label;
    }

    /**
     * Formats {@code device} as an empty FAT volume and mounts it.
     *
     * @throws IllegalArgumentException when the device cannot hold the requested type (the message
     *     says what fits)
     */
    public static FatFileSystem format(Block device, FatFormat format, WallClock clock) throws IOException {
        if (device.readOnly()) {
            throw new BlockException(BlockException.Reason.READ_ONLY, "cannot format the read-only device " + device);
        }
        int ss = device.sectorSize();
        BootSector bs = BootSector.layout(format, ss, device.sectorCount());
        int bps = bs.bytesPerSector();
        // the reserved area, both FATs and the fixed root directory start zeroed
        long zeroSectors = bs.firstDataSector();
        byte[] zeros = new byte[Math.min(1 << 20, (int) Math.min(Integer.MAX_VALUE, zeroSectors * bps))];
        for (long done = 0; done < zeroSectors * bps; done += zeros.length) {
            int n = (int) Math.min(zeros.length, zeroSectors * bps - done);
            ByteIo.write(device, done, zeros, 0, n);
        }
        byte[] boot = bs.encode();
        ByteIo.write(device, 0, boot, 0, bps);
        Volume v = new Volume(device, bs);
        v.fat.scan();
        FatType t = bs.type();
        v.fat.set(0, t == FatType.FAT12 ? 0xF00 | bs.media() : t == FatType.FAT16 ? 0xFF00 | bs.media() : 0x0FFF_FF00L | bs.media());
        v.fat.set(1, t.endMark());
        if (t == FatType.FAT32) {
            v.fat.set(bs.rootCluster(), t.endMark());
            v.zeroCluster(bs.rootCluster());
            ByteIo.write(device, (long) bs.backupBootSector() * bps, boot, 0, bps);
        }
        v.fat.writeBack();
        v.fat.scan();
        if (t == FatType.FAT32) {
            byte[] info = new byte[bps];
            ByteIo.put32(info, 0, 0x4161_5252L);
            ByteIo.put32(info, 484, 0x6141_7272L);
            ByteIo.put32(info, 488, v.fat.freeCount());
            ByteIo.put32(info, 492, v.fat.nextFreeHint());
            ByteIo.put32(info, 508, 0xAA55_0000L);
            ByteIo.write(device, (long) bs.fsInfoSector() * bps, info, 0, bps);
            ByteIo.write(device, (long) (bs.backupBootSector() + bs.fsInfoSector()) * bps, info, 0, bps);
        }
        if (!bs.label().isEmpty()) {
            try {
                Directory root = Directory.load(v, 0);
                byte[] e = new byte[Directory.SLOT];
                byte[] name = String.format("%-11s", bs.label()).getBytes(StandardCharsets.ISO_8859_1);
                System.arraycopy(name, 0, e, 0, 11);
                e[11] = Directory.ATTR_VOLUME_ID;
                stamp(e, clock.now(), true);
                root.writeSlot(0, e);
                root.writeBack();
            } catch (FatCorruptException e) {
                throw new IllegalStateException("a freshly formatted root directory is unreadable", e);
            }
        }
        device.flush();
        return mount(device, clock);
    }

    /**
     * Mounts the FAT volume on {@code device} (read-only when the device is).
     *
     * @throws KvException CORRUPT when the device holds no FAT volume or a damaged one, saying why
     */
    public static FatFileSystem mount(Block device, WallClock clock) throws IOException {
        int ss = device.sectorSize();
        byte[] first = ByteIo.read(device, 0, Math.max(512, ss));
        BootSector bs;
        try {
            bs = BootSector.parse(first, device.sizeBytes());
        } catch (FatCorruptException e) {
            throw new KvException(Reason.CORRUPT, KvKey.ROOT, e.getMessage());
        }
        if (bs.bytesPerSector() % ss != 0) {
            throw new KvException(Reason.CORRUPT, KvKey.ROOT, "the volume's " + bs.bytesPerSector()
                    + "-byte sectors do not fit this device's " + ss + "-byte sectors");
        }
        Volume v = new Volume(device, bs);
        v.fat.scan();
        String label = bs.label();
        try {
            Directory root = Directory.load(v, 0);
            for (int s = 0; s < root.slots(); s++) {
                byte[] e = root.slot(s);
                if (e[0] == 0) {
                    break;
                }
                if ((e[0] & 0xFF) != 0xE5 && (e[11] & 0x3F) != Directory.ATTR_LONG_NAME && (e[11] & Directory.ATTR_VOLUME_ID) != 0) {
                    label = ByteIo.ascii(e, 0, 11);
                    break;
                }
            }
        } catch (FatCorruptException e) {
            throw new KvException(Reason.CORRUPT, KvKey.ROOT, "the root directory is damaged: " + e.getMessage());
        }
        return new FatFileSystem(v, clock, label);
    }

    /** FAT12, FAT16 or FAT32. */
    public FatType type() {
        return v.bs.type();
    }

    /** The volume label, "" when there is none. */
    public String label() {
        return label;
    }

    /** Bytes per cluster, the unit of allocation. */
    public int clusterBytes() {
        return v.bs.clusterBytes();
    }

    /** For tests: a smaller bound on the directories kept between operations. */
    void limitDirectoryCache(long bytes) {
        dirCacheLimit = bytes;
    }

    /** For tests: the bytes of directories kept between operations. */
    long cachedDirectoryBytes() {
        return dirCacheBytes;
    }

    /** Bytes in all data clusters. */
    public long totalBytes() {
        return v.bs.clusterCount() * v.bs.clusterBytes();
    }

    /** Bytes in free clusters. */
    public long freeBytes() {
        lock.lock();
        try {
            return v.fat.freeCount() * v.bs.clusterBytes();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- read side

    @Override
    public Optional<Kind> exists(KvKey key) throws KvException {
        return locked(key, false, op -> {
            if (key.isRoot()) {
                return Optional.of(Kind.DICTIONARY);
            }
            Directory parent = op.dir(key.parent(), false);
            Node n = parent == null ? null : parent.find(key.name());
            return n == null ? Optional.empty() : Optional.of(n.isDirectory() ? Kind.DICTIONARY : Kind.VALUE);
        });
    }

    @Override
    public byte[] get(KvKey key) throws KvException {
        return locked(key, false, op -> {
            Node n = op.file(key);
            if (n.size() > Integer.MAX_VALUE - 8) {
                throw new KvException(Reason.NO_SPACE, key, "a value of " + n.size() + " bytes does not fit in an array;"
                        + " read it with getPartial");
            }
            return readFile(key, n, 0, (int) n.size());
        });
    }

    @Override
    public byte[] getPartial(KvKey key, long offset, int length) throws KvException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be non-negative");
        }
        return locked(key, false, op -> {
            Node n = op.file(key);
            if (offset >= n.size()) {
                return new byte[0];
            }
            return readFile(key, n, offset, (int) Math.min(length, n.size() - offset));
        });
    }

    @Override
    public long size(KvKey key) throws KvException {
        return locked(key, false, op -> op.file(key).size());
    }

    @Override
    public List<Entry> list(KvKey key) throws KvException {
        return locked(key, false, op -> {
            Directory d = op.dirOrError(key);
            List<Entry> out = new ArrayList<>();
            for (Node n : d.nodes()) {
                out.add(new Entry(n.name(), n.isDirectory() ? Kind.DICTIONARY : Kind.VALUE));
            }
            out.sort(Comparator.comparing(Entry::name));
            return out;
        });
    }

    @Override
    public Instant lastModified(KvKey key) throws KvException {
        return locked(key, false, op -> {
            if (key.isRoot()) {
                return LocalDateTime.of(1980, 1, 1, 0, 0).toInstant(ZoneOffset.UTC);
            }
            Directory parent = op.dir(key.parent(), false);
            Node n = parent == null ? null : parent.find(key.name());
            if (n == null) {
                throw KvException.notFound(key);
            }
            return decodeTime(n.writeDate(), n.writeTime());
        });
    }

    @Override
    public byte[] digest(KvKey key) throws KvException {
        return locked(key, false, op -> digest(op, key, 0, new java.util.HashSet<>()));
    }

    private byte[] digest(Op op, KvKey key, int depth, java.util.Set<Long> seen)
            throws IOException, FatCorruptException, FatTable.NoSpaceException {
        if (depth > MAX_DEPTH) {
            throw new FatCorruptException("directories nest deeper than " + MAX_DEPTH + " levels (a loop?)");
        }
        if (!key.isRoot()) {
            Directory parent = op.dir(key.parent(), false);
            Node n = parent == null ? null : parent.find(key.name());
            if (n == null) {
                throw KvException.notFound(key);
            }
            if (!n.isDirectory()) {
                if (n.size() > Integer.MAX_VALUE - 8) {
                    throw new KvException(Reason.NO_SPACE, key, "value too large to digest in memory");
                }
                return KvDigest.ofValue(readFile(key, n, 0, (int) n.size()));
            }
        }
        Directory dir = op.dirOrError(key);
        if (!seen.add(dir.firstCluster)) {
            throw new FatCorruptException("directory cluster " + dir.firstCluster + " is reached twice (cross-linked)");
        }
        List<Node> nodes = new ArrayList<>(dir.nodes());
        nodes.sort(Comparator.comparing(Node::name));
        KvDigest d = KvDigest.dictionary();
        for (Node n : nodes) {
            d.add(new Entry(n.name(), n.isDirectory() ? Kind.DICTIONARY : Kind.VALUE), digest(op, key.child(n.name()), depth + 1, seen));
        }
        return d.finish();
    }

    private byte[] readFile(KvKey key, Node n, long offset, int length) throws IOException, FatCorruptException {
        if (n.size() > totalBytes()) { // checked before allocating: a damaged size must not exhaust memory
            throw new FatCorruptException("the file claims " + n.size() + " bytes, more than the volume's " + totalBytes());
        }
        byte[] out = new byte[length];
        if (length == 0) {
            return out;
        }
        if (n.firstCluster() == 0) {
            throw new FatCorruptException("the file of " + n.size() + " bytes has no clusters");
        }
        v.fat.checkCluster(n.firstCluster(), "the file");
        int cb = v.bs.clusterBytes();
        long c = n.firstCluster();
        long skip = offset / cb;
        for (long i = 0; i < skip; i++) {
            c = v.fat.next(c);
            if (c == -1) {
                throw new FatCorruptException("the file's cluster chain ends before its size of " + n.size() + " bytes");
            }
        }
        int inCluster = (int) (offset % cb);
        int done = 0;
        while (done < length) {
            // gather a run of consecutive clusters into one device read
            long runStart = c;
            int runBytes = Math.min(cb - inCluster, length - done);
            while (done + runBytes < length) {
                long next = v.fat.next(c);
                if (next == -1) {
                    throw new FatCorruptException("the file's cluster chain ends before its size of " + n.size() + " bytes");
                }
                if (next != c + 1) {
                    v.read(runStart, inCluster, out, done, runBytes);
                    done += runBytes;
                    inCluster = 0;
                    runStart = next;
                    runBytes = Math.min(cb, length - done);
                    c = next;
                    continue;
                }
                c = next;
                runBytes += Math.min(cb, length - done - runBytes);
            }
            v.read(runStart, inCluster, out, done, runBytes);
            done += runBytes;
        }
        return out;
    }

    // ---------------------------------------------------------------- write side

    @Override
    public void set(KvKey key, byte[] value) throws KvException {
        checkNames(key);
        locked(key, true, op -> {
            if (key.isRoot()) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "the root is a dictionary");
            }
            Directory parent = op.dir(key.parent(), true);
            Node existing = parent.find(key.name());
            if (existing != null && existing.isDirectory()) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "is a directory");
            }
            long clusters = clustersFor(value.length);
            long[] chain;
            try {
                chain = v.fat.allocate(clusters);
            } catch (FatTable.NoSpaceException e) {
                if (existing == null || v.fat.freeCount() + chainLength(existing) < clusters) {
                    throw e;
                }
                // not room for old and new together: give up atomicity and reuse the old clusters
                freeChain(existing.firstCluster());
                chain = v.fat.allocate(clusters);
                writeChain(chain, value);
                byte[] entry = parent.slot(existing.shortSlot());
                setFirstCluster(entry, chain.length == 0 ? 0 : chain[0]);
                ByteIo.put32(entry, 28, value.length);
                stamp(entry, clock.now(), false);
                parent.writeSlot(existing.shortSlot(), entry);
                op.commit();
                return null;
            }
            writeChain(chain, value);
            long first = chain.length == 0 ? 0 : chain[0];
            if (existing == null) {
                v.barrier(); // the data and its chain are durable before an entry points at them
                byte[] entry = new byte[Directory.SLOT];
                entry[11] = Directory.ATTR_ARCHIVE;
                setFirstCluster(entry, first);
                ByteIo.put32(entry, 28, value.length);
                stamp(entry, clock.now(), true);
                parent.add(key.name(), entry);
                op.commit();
            } else {
                // data and table durable first, then the one sector holding the entry, then the old chain freed
                op.commit();
                byte[] entry = parent.slot(existing.shortSlot());
                setFirstCluster(entry, first);
                ByteIo.put32(entry, 28, value.length);
                entry[11] |= Directory.ATTR_ARCHIVE;
                stamp(entry, clock.now(), false);
                parent.writeSlot(existing.shortSlot(), entry);
                op.commit();
                if (existing.firstCluster() != 0) {
                    freeChain(existing.firstCluster());
                    op.commit();
                }
            }
            return null;
        });
    }

    private long clustersFor(long bytes) {
        int cb = v.bs.clusterBytes();
        return (bytes + cb - 1) / cb;
    }

    private long chainLength(Node n) throws IOException, FatCorruptException {
        if (n.firstCluster() == 0) {
            return 0;
        }
        v.fat.checkCluster(n.firstCluster(), "the file");
        long count = 0;
        for (long c = n.firstCluster(); c != -1; c = v.fat.next(c)) {
            if (++count > v.bs.clusterCount()) {
                throw new FatCorruptException("the cluster chain at " + n.firstCluster() + " loops");
            }
        }
        return count;
    }

    private void writeChain(long[] chain, byte[] value) throws IOException {
        int cb = v.bs.clusterBytes();
        int i = 0;
        while (i < chain.length) {
            int j = i + 1;
            while (j < chain.length && chain[j] == chain[j - 1] + 1) {
                j++;
            }
            long from = (long) i * cb;
            long to = Math.min((long) j * cb, value.length);
            int fullBytes = (int) ((to - from) / cb * cb);
            if (fullBytes > 0) {
                v.write(chain[i], 0, value, (int) from, fullBytes);
            }
            int rest = (int) (to - from - fullBytes);
            if (rest > 0) {
                byte[] last = new byte[cb];
                System.arraycopy(value, (int) (from + fullBytes), last, 0, rest);
                v.write(chain[i + fullBytes / cb], 0, last, 0, cb);
            }
            i = j;
        }
    }

    private void setFirstCluster(byte[] entry, long cluster) {
        ByteIo.put16(entry, 26, (int) cluster);
        ByteIo.put16(entry, 20, v.bs.type() == FatType.FAT32 ? (int) (cluster >>> 16) : 0);
    }

    @Override
    public void remove(KvKey key) throws KvException {
        locked(key, true, op -> {
            List<Long> toFree = new ArrayList<>();
            if (key.isRoot()) {
                Directory root = op.dir(key, false);
                java.util.Set<Long> seen = new java.util.HashSet<>();
                for (Node n : List.copyOf(root.nodes())) {
                    collect(n, toFree, 0, seen);
                    root.remove(n);
                }
            } else {
                Directory parent = op.dir(key.parent(), false);
                Node n = parent == null ? null : parent.find(key.name());
                if (n == null) {
                    return null;
                }
                collect(n, toFree, 0, new java.util.HashSet<>());
                parent.remove(n);
            }
            // the entries go first, so a cut leaves lost clusters rather than entries pointing at free ones
            op.commit();
            for (long c : toFree) {
                freeChain(c);
            }
            op.commit();
            return null;
        });
    }

    /** Adds the chains of {@code n} and of everything under it to {@code out}. */
    private void collect(Node n, List<Long> out, int depth, java.util.Set<Long> seen) throws IOException, FatCorruptException {
        if (depth > MAX_DEPTH) {
            throw new FatCorruptException("directories nest deeper than " + MAX_DEPTH + " levels (a loop?)");
        }
        if (n.isDirectory()) {
            if (n.firstCluster() == 0) {
                throw new FatCorruptException("directory '" + n.name() + "' has no clusters");
            }
            if (!seen.add(n.firstCluster())) {
                throw new FatCorruptException("directory cluster " + n.firstCluster() + " is reached twice (cross-linked)");
            }
            for (Node child : Directory.load(v, n.firstCluster()).nodes()) {
                collect(child, out, depth + 1, seen);
            }
        }
        if (n.firstCluster() != 0) {
            v.fat.checkCluster(n.firstCluster(), "'" + n.name() + "'");
            out.add(n.firstCluster());
        }
    }

    /**
     * Creates the directory {@code key} and any missing ones above it; an existing directory is
     * left alone.
     *
     * @throws KvException DICTIONARY_EXPECTED when {@code key} or a parent is a file
     */
    public void mkdir(KvKey key) throws KvException {
        checkNames(key);
        locked(key, true, op -> {
            op.dir(key, true);
            op.commit();
            return null;
        });
    }

    /**
     * Moves the file or directory {@code from} to {@code to}, creating directories above
     * {@code to}; a file already at {@code to} is replaced.
     *
     * @throws KvException NOT_FOUND when {@code from} is missing, VALUE_EXPECTED when {@code to} is
     *     a directory, DICTIONARY_EXPECTED when a directory would replace a file
     * @throws IllegalArgumentException when a directory would move into itself
     */
    public void rename(KvKey from, KvKey to) throws KvException {
        checkNames(to);
        locked(from, true, op -> {
            if (from.isRoot() || to.isRoot()) {
                throw new IllegalArgumentException("the root cannot be renamed, nor replaced");
            }
            Directory src = op.dir(from.parent(), false);
            Node node = src == null ? null : src.find(from.name());
            if (node == null) {
                throw KvException.notFound(from);
            }
            if (node.isDirectory() && to.startsWith(from) && !to.equals(from)) {
                throw new IllegalArgumentException("cannot move " + from + " into itself (" + to + ")");
            }
            Directory dst = op.dir(to.parent(), true);
            Node existing = dst.find(to.name());
            boolean sameEntry = existing != null && dst == src && existing.shortSlot() == node.shortSlot();
            if (sameEntry && existing.name().equals(to.name())) {
                return null;
            }
            long replaced = 0;
            if (existing != null && !sameEntry) {
                if (existing.isDirectory()) {
                    throw new KvException(Reason.VALUE_EXPECTED, to, "is a directory; remove it first");
                }
                if (node.isDirectory()) {
                    throw new KvException(Reason.DICTIONARY_EXPECTED, to, "is a file; a directory cannot replace it");
                }
                replaced = existing.firstCluster();
                dst.remove(existing);
            }
            // the new name first, then the old one goes: a cut in between leaves both (fsck.fat
            // untangles them), never neither
            byte[] entry = src.slot(node.shortSlot());
            dst.add(to.name(), entry);
            op.commit();
            src.remove(node);
            if (node.isDirectory() && dst.firstCluster != src.firstCluster) {
                Directory moved = op.load(node.firstCluster());
                moved.setDotDot(op.dotDot(dst));
            }
            op.commit();
            if (replaced != 0) {
                freeChain(replaced);
                op.commit();
            }
            return null;
        });
    }

    /**
     * Sets the size of the file {@code key}: shrinking frees clusters, growing adds zeros.
     *
     * @throws KvException NOT_FOUND, VALUE_EXPECTED for a directory, NO_SPACE
     */
    public void truncate(KvKey key, long size) throws KvException {
        if (size < 0 || size > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("FAT files are 0 to 4 GiB - 1 bytes, not " + size);
        }
        locked(key, true, op -> {
            Directory parent = op.dir(key.parent(), false);
            Node n = parent == null || key.isRoot() ? null : parent.find(key.name());
            if (n == null) {
                throw KvException.notFound(key);
            }
            if (n.isDirectory()) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "is a directory");
            }
            resize(op, parent, n, size);
            op.commit();
            return null;
        });
    }

    /**
     * Writes {@code data} into the file {@code key} at {@code offset}, creating it (and the
     * directories above it) when missing and growing it as needed; a gap reads as zeros.
     */
    public void write(KvKey key, long offset, byte[] data) throws KvException {
        checkNames(key);
        if (offset < 0 || offset + data.length > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("FAT files end before 4 GiB; cannot write " + data.length + " bytes at " + offset);
        }
        locked(key, true, op -> {
            if (key.isRoot()) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "the root is a dictionary");
            }
            Directory parent = op.dir(key.parent(), true);
            Node n = parent.find(key.name());
            if (n == null) {
                byte[] entry = new byte[Directory.SLOT];
                entry[11] = Directory.ATTR_ARCHIVE;
                stamp(entry, clock.now(), true);
                n = parent.add(key.name(), entry);
            } else if (n.isDirectory()) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "is a directory");
            }
            long end = Math.max(n.size(), offset + data.length);
            long first = resize(op, parent, n, end);
            op.commit();
            int cb = v.bs.clusterBytes();
            long c = first;
            for (long i = 0; i < offset / cb; i++) {
                c = v.fat.next(c);
            }
            int inCluster = (int) (offset % cb);
            int done = 0;
            while (done < data.length) {
                int chunk = Math.min(cb - inCluster, data.length - done);
                v.write(c, inCluster, data, done, chunk);
                done += chunk;
                inCluster = 0;
                if (done < data.length) {
                    c = v.fat.next(c);
                }
            }
            op.commit();
            return null;
        });
    }

    /**
     * Makes the file {@code n} {@code size} bytes long; returns its (possibly new) first cluster.
     * Growing: new clusters are zeroed and durable before the file links to them. Shrinking: the
     * smaller size is durable before clusters are cut off and freed. The caller commits last.
     */
    private long resize(Op op, Directory parent, Node n, long size) throws IOException, FatCorruptException, FatTable.NoSpaceException {
        int cb = v.bs.clusterBytes();
        long have = chainLength(n);
        long need = clustersFor(size);
        long first = n.firstCluster();
        if (have < clustersFor(n.size())) {
            throw new FatCorruptException("the file's chain of " + have + " clusters is shorter than its size of " + n.size() + " bytes");
        }
        long last = 0;
        if (have > 0) {
            last = first;
            for (long c = v.fat.next(first); c != -1; c = v.fat.next(c)) {
                last = c;
            }
        }
        if (size > n.size() && n.size() % cb != 0 && have > 0) {
            // the slack after the old end must read as zeros once it is inside the file
            long tail = n.firstCluster();
            for (long i = 0; i < n.size() / cb; i++) {
                tail = v.fat.next(tail);
            }
            int from = (int) (n.size() % cb);
            v.write(tail, from, new byte[cb - from], 0, cb - from);
        }
        if (need > have) {
            long[] added = v.fat.allocate(need - have);
            for (long c : added) {
                v.zeroCluster(c);
            }
            v.barrier();
            if (have == 0) {
                first = added[0];
            } else {
                v.fat.set(last, added[0]);
                v.barrier(); // the longer chain before the larger size: a cut leaves spare clusters, not missing ones
            }
        } else if (need < have) {
            writeEntry(parent, n, need == 0 ? 0 : first, size);
            op.commit();
            if (need == 0) {
                freeChain(first);
                first = 0;
            } else {
                long keep = first;
                for (long i = 1; i < need; i++) {
                    keep = v.fat.next(keep);
                }
                long rest = v.fat.next(keep);
                v.fat.set(keep, v.bs.type().endMark());
                freeChain(rest);
            }
        }
        writeEntry(parent, n, first, size);
        return first;
    }

    private void writeEntry(Directory parent, Node n, long first, long size) {
        byte[] entry = parent.slot(n.shortSlot());
        setFirstCluster(entry, first);
        ByteIo.put32(entry, 28, size);
        entry[11] |= Directory.ATTR_ARCHIVE;
        stamp(entry, clock.now(), false);
        parent.writeSlot(n.shortSlot(), entry);
    }

    /** Writes everything to the device and flushes it (every method already does). */
    public void flush() throws KvException {
        locked(KvKey.ROOT, false, op -> {
            op.commit();
            return null;
        });
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static void checkNames(KvKey key) throws KvException {
        for (String s : key.segments()) {
            String problem = Names.problem(s);
            if (problem != null) {
                throw new KvException(Reason.UNSUPPORTED_KEY, key, problem);
            }
        }
    }

    @FunctionalInterface
    private interface Body<T> {
        T run(Op op) throws IOException, FatCorruptException, FatTable.NoSpaceException;
    }

    private <T> T locked(KvKey key, boolean writes, Body<T> body) throws KvException {
        lock.lock();
        try {
            if (closed) {
                throw new KvException(Reason.IO, key, "the file system is closed");
            }
            if (writes && readOnly) {
                throw new KvException(Reason.READ_ONLY, key, "the device " + v.device + " is read-only");
            }
            try {
                Op op = new Op();
                T result = body.run(op);
                op.keep();
                return result;
            } catch (KvException e) {
                recover(key);
                throw e;
            } catch (FatCorruptException e) {
                recover(key);
                throw new KvException(Reason.CORRUPT, key, "the FAT volume is damaged: " + e.getMessage()
                        + "; check it with fsck.fat");
            } catch (FatTable.NoSpaceException e) {
                recover(key);
                throw new KvException(Reason.NO_SPACE, key, "the FAT volume is full: " + e.getMessage());
            } catch (BlockException e) {
                recover(key);
                throw new KvException(e.reason() == BlockException.Reason.READ_ONLY ? Reason.READ_ONLY : Reason.IO, key,
                        "the device failed: " + e.getMessage(), e);
            } catch (IOException e) {
                recover(key);
                throw new KvException(Reason.IO, key, "the device failed: " + e.getMessage(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a failed operation: forget table changes not written, so memory matches the disk. */
    private void recover(KvKey key) throws KvException {
        dirCache.clear(); // they may hold changes that never reached the disk
        dirCacheBytes = 0;
        if (!v.fat.isDirty()) {
            return;
        }
        try {
            v.fat.discard();
        } catch (IOException e) {
            throw new KvException(Reason.IO, key, "the device failed while recovering from an error: " + e.getMessage(), e);
        }
    }

    /** One operation's directories, loaded once each, and its commit. */
    private final class Op {
        private final Map<Long, Directory> dirs = new HashMap<>();
        private final List<Directory> order = new ArrayList<>();

        Directory load(long firstCluster) throws IOException, FatCorruptException {
            long k = firstCluster == v.bs.rootCluster() && v.bs.type() == FatType.FAT32 ? 0 : firstCluster;
            Directory d = dirs.get(k);
            if (d == null) {
                d = dirCache.remove(k);
                if (d != null) {
                    dirCacheBytes -= d.sizeBytes();
                } else {
                    d = Directory.load(v, k);
                }
                dirs.put(k, d);
                order.add(d);
            }
            return d;
        }

        /** After success: the directories match the disk and go (back) into the cache. */
        void keep() {
            for (Map.Entry<Long, Directory> e : dirs.entrySet()) {
                Directory old = dirCache.put(e.getKey(), e.getValue());
                if (old != null) {
                    dirCacheBytes -= old.sizeBytes();
                }
                dirCacheBytes += e.getValue().sizeBytes();
            }
            var it = dirCache.values().iterator();
            while (dirCacheBytes > dirCacheLimit && it.hasNext()) {
                dirCacheBytes -= it.next().sizeBytes();
                it.remove();
            }
        }


        /** The value ".." of a directory inside {@code parent} holds. */
        long dotDot(Directory parent) {
            return parent.isFixedRoot() || (v.bs.type() == FatType.FAT32 && parent.firstCluster == v.bs.rootCluster())
                    ? 0 : parent.firstCluster;
        }

        /**
         * The directory at {@code key}; when missing: null, or created with those above it when
         * {@code create}.
         */
        Directory dir(KvKey key, boolean create) throws IOException, FatCorruptException, FatTable.NoSpaceException {
            Directory d = load(0);
            KvKey at = KvKey.ROOT;
            for (String s : key.segments()) {
                at = at.child(s);
                Node n = d.find(s);
                if (n == null) {
                    if (!create) {
                        return null;
                    }
                    n = makeDirectory(d, s);
                } else if (!n.isDirectory()) {
                    if (!create) {
                        return null;
                    }
                    throw new KvException(Reason.DICTIONARY_EXPECTED, at, "is a file, not a directory");
                }
                if (n.firstCluster() == 0) {
                    throw new FatCorruptException("directory '" + n.name() + "' has no clusters");
                }
                d = load(n.firstCluster());
            }
            return d;
        }

        Directory dirOrError(KvKey key) throws IOException, FatCorruptException, FatTable.NoSpaceException {
            Directory d = dir(key, false);
            if (d == null) {
                Directory parent = key.isRoot() ? null : dir(key.parent(), false);
                Node n = parent == null ? null : parent.find(key.name());
                if (n != null && !n.isDirectory()) {
                    throw new KvException(Reason.DICTIONARY_EXPECTED, key, "is a file, not a directory");
                }
                throw KvException.notFound(key);
            }
            return d;
        }

        Node file(KvKey key) throws IOException, FatCorruptException, FatTable.NoSpaceException {
            if (key.isRoot()) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "the root is a dictionary");
            }
            Directory parent = dir(key.parent(), false);
            Node n = parent == null ? null : parent.find(key.name());
            if (n == null) {
                throw KvException.notFound(key);
            }
            if (n.isDirectory()) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "is a directory");
            }
            return n;
        }

        private Node makeDirectory(Directory parent, String name) throws IOException, FatCorruptException, FatTable.NoSpaceException {
            long[] c = v.fat.allocate(1);
            byte[] entry = new byte[Directory.SLOT];
            entry[11] = Directory.ATTR_DIRECTORY;
            setFirstCluster(entry, c[0]);
            stamp(entry, clock.now(), true);
            byte[] content = Directory.dotEntries(entry, c[0], dotDot(parent), v.bs.type(), v.bs.clusterBytes());
            v.write(c[0], 0, content, 0, content.length);
            v.barrier(); // the new directory is durable before its parent names it
            return parent.add(name, entry);
        }

        /** Writes the table and every changed directory, then flushes the device. */
        void commit() throws IOException {
            v.fat.writeBack();
            for (Directory d : order) {
                d.writeBack();
            }
            writeFsInfo();
            v.device.flush();
        }
    }

    /**
     * Frees a chain. A cached directory may have lived in it (one removed with its parent), so
     * the cache between operations is emptied; the current operation holds only live directories.
     */
    private void freeChain(long first) throws IOException {
        v.fat.free(first);
        dirCache.clear();
        dirCacheBytes = 0;
    }

    private long fsInfoFree = -1;

    private void writeFsInfo() throws IOException {
        BootSector bs = v.bs;
        if (bs.type() != FatType.FAT32 || bs.fsInfoSector() == 0 || bs.fsInfoSector() >= bs.reservedSectors()
                || fsInfoFree == v.fat.freeCount() || readOnly) {
            return;
        }
        int bps = bs.bytesPerSector();
        byte[] info = ByteIo.read(v.device, (long) bs.fsInfoSector() * bps, bps);
        if (ByteIo.u32(info, 0) != 0x4161_5252L || ByteIo.u32(info, 484) != 0x6141_7272L) {
            return; // not a valid FSInfo sector: leave it alone
        }
        ByteIo.put32(info, 488, v.fat.freeCount());
        ByteIo.put32(info, 492, v.fat.nextFreeHint());
        ByteIo.write(v.device, (long) bs.fsInfoSector() * bps, info, 0, bps);
        fsInfoFree = v.fat.freeCount();
    }

    /** Sets the write time and date (and, for a new entry, creation and access) to {@code now}. */
    private static void stamp(byte[] e, Instant now, boolean created) {
        LocalDateTime t = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
        if (t.getYear() < 1980) {
            t = LocalDateTime.of(1980, 1, 1, 0, 0);
        } else if (t.getYear() > 2107) {
            t = LocalDateTime.of(2107, 12, 31, 23, 59, 58);
        }
        int time = t.getHour() << 11 | t.getMinute() << 5 | t.getSecond() / 2;
        int date = (t.getYear() - 1980) << 9 | t.getMonthValue() << 5 | t.getDayOfMonth();
        ByteIo.put16(e, 22, time);
        ByteIo.put16(e, 24, date);
        ByteIo.put16(e, 18, date);
        if (created) {
            e[13] = (byte) ((t.getSecond() % 2) * 100 + t.getNano() / 10_000_000);
            ByteIo.put16(e, 14, time);
            ByteIo.put16(e, 16, date);
        }
    }

    private static Instant decodeTime(int date, int time) {
        int year = 1980 + (date >>> 9);
        int month = Math.clamp((date >>> 5) & 0xF, 1, 12);
        int day = Math.clamp(date & 0x1F, 1, java.time.YearMonth.of(year, month).lengthOfMonth());
        int hour = Math.min(23, time >>> 11);
        int minute = Math.min(59, (time >>> 5) & 0x3F);
        int second = Math.min(59, (time & 0x1F) * 2);
        return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
    }

    @Override
    public String toString() {
        return "FatFileSystem[" + v.bs.type() + ", " + v.bs.clusterCount() + " clusters of " + v.bs.clusterBytes()
                + " bytes on " + v.device + "]";
    }
}
