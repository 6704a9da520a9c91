package io.miragej.block.fat;

import io.miragej.block.internal.ByteIo;
import io.miragej.device.Block;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The file allocation table: entries read and written through a bounded cache of FAT sectors,
 * written back to every mirrored copy; chains followed with loop and range checks; clusters
 * allocated from a next-free hint; the free count kept exact.
 */
final class FatTable {
    /** FAT sectors kept in memory. */
    static final int CACHE_SECTORS = 64;

    private final Block device;
    private final BootSector bs;
    private final FatType type;
    private final int bps;
    private final long maxCluster;
    private final LinkedHashMap<Long, byte[]> cache = new LinkedHashMap<>(CACHE_SECTORS * 2, 0.75f, true);
    private final TreeSet<Long> dirty = new TreeSet<>();
    private long freeCount;
    private long nextFree = 2;

    FatTable(Block device, BootSector bs) {
        this.device = device;
        this.bs = bs;
        this.type = bs.type();
        this.bps = bs.bytesPerSector();
        this.maxCluster = bs.clusterCount() + 1;
    }

    long maxCluster() {
        return maxCluster;
    }

    long freeCount() {
        return freeCount;
    }

    long nextFreeHint() {
        return nextFree;
    }

    /** Counts the free clusters by reading the whole table once. */
    void scan() throws IOException {
        long free = 0;
        long first = 0;
        long chunkEntries = type == FatType.FAT32 ? (1 << 18) : maxCluster + 1;
        for (long start = 0; start <= maxCluster; start += chunkEntries) {
            long end = Math.min(maxCluster, start + chunkEntries - 1);
            long fromByte = byteOffset(start);
            long toByte = byteOffset(end) + (type == FatType.FAT32 ? 4 : 2);
            byte[] raw = ByteIo.read(device, fatStart(bs.activeFat()) + fromByte, (int) (toByte - fromByte));
            for (long c = Math.max(2, start); c <= end; c++) {
                if (decode(raw, (int) (byteOffset(c) - fromByte), c) == 0) {
                    free++;
                    if (first == 0) {
                        first = c;
                    }
                }
            }
        }
        freeCount = free;
        nextFree = first == 0 ? 2 : first;
    }

    private long byteOffset(long cluster) {
        return switch (type) {
            case FAT12 -> cluster + cluster / 2;
            case FAT16 -> cluster * 2;
            case FAT32 -> cluster * 4;
        };
    }

    private long decode(byte[] raw, int at, long cluster) {
        return switch (type) {
            case FAT12 -> {
                int v = ByteIo.u16(raw, at);
                yield (cluster & 1) == 0 ? v & 0xFFF : v >>> 4;
            }
            case FAT16 -> ByteIo.u16(raw, at);
            case FAT32 -> ByteIo.u32(raw, at) & 0x0FFF_FFFFL;
        };
    }

    private long fatStart(int copy) {
        return ((long) bs.reservedSectors() + copy * bs.fatSize()) * bps;
    }

    private byte[] sector(long index) throws IOException {
        byte[] s = cache.get(index);
        if (s == null) {
            if (cache.size() >= CACHE_SECTORS) {
                evictOne();
            }
            s = ByteIo.read(device, fatStart(bs.activeFat()) + index * bps, bps);
            cache.put(index, s);
        }
        return s;
    }

    private void evictOne() throws IOException {
        Iterator<Map.Entry<Long, byte[]>> it = cache.entrySet().iterator();
        Map.Entry<Long, byte[]> eldest = it.next();
        if (dirty.remove(eldest.getKey())) {
            writeSector(eldest.getKey(), eldest.getValue());
        }
        it.remove();
    }

    private int byteAt(long offset) throws IOException {
        return sector(offset / bps)[(int) (offset % bps)] & 0xFF;
    }

    private void setByte(long offset, int value) throws IOException {
        long index = offset / bps;
        sector(index)[(int) (offset % bps)] = (byte) value;
        dirty.add(index);
    }

    /** The raw entry of {@code cluster} (0 free, a next cluster, bad, or end of chain). */
    long get(long cluster) throws IOException {
        long off = byteOffset(cluster);
        return switch (type) {
            case FAT12 -> {
                int v = byteAt(off) | byteAt(off + 1) << 8;
                yield (cluster & 1) == 0 ? v & 0xFFF : v >>> 4;
            }
            case FAT16 -> byteAt(off) | byteAt(off + 1) << 8;
            case FAT32 -> ((long) byteAt(off) | (long) byteAt(off + 1) << 8 | (long) byteAt(off + 2) << 16
                    | (long) byteAt(off + 3) << 24) & 0x0FFF_FFFFL;
        };
    }

    /** Sets the entry of {@code cluster}, keeping the free count (FAT32's top four bits are kept). */
    void set(long cluster, long value) throws IOException {
        long old = get(cluster);
        long off = byteOffset(cluster);
        switch (type) {
            case FAT12 -> {
                int v = byteAt(off) | byteAt(off + 1) << 8;
                v = (cluster & 1) == 0 ? (v & 0xF000) | (int) (value & 0xFFF) : (v & 0x000F) | (int) (value & 0xFFF) << 4;
                setByte(off, v & 0xFF);
                setByte(off + 1, v >>> 8);
            }
            case FAT16 -> {
                setByte(off, (int) value & 0xFF);
                setByte(off + 1, (int) (value >>> 8) & 0xFF);
            }
            case FAT32 -> {
                setByte(off, (int) value & 0xFF);
                setByte(off + 1, (int) (value >>> 8) & 0xFF);
                setByte(off + 2, (int) (value >>> 16) & 0xFF);
                setByte(off + 3, (byteAt(off + 3) & 0xF0) | (int) (value >>> 24) & 0x0F);
            }
        }
        if (old == 0 && value != 0) {
            freeCount--;
        } else if (old != 0 && value == 0) {
            freeCount++;
        }
    }

    /** True when {@code value} ends a chain. */
    boolean isEnd(long value) {
        return value >= type.endOfChain();
    }

    /**
     * The cluster after {@code cluster} in its chain, or -1 at the end.
     *
     * @throws FatCorruptException when the entry is free, bad or out of range
     */
    long next(long cluster) throws IOException, FatCorruptException {
        long v = get(cluster);
        if (isEnd(v)) {
            return -1;
        }
        if (v < 2 || v > maxCluster) {
            throw new FatCorruptException("cluster " + cluster + " links to " + (v == type.bad() ? "a bad cluster marker"
                    : v == 0 ? "a free cluster" : "cluster " + v + ", outside 2.." + maxCluster));
        }
        return v;
    }

    /** Checks that {@code cluster} is a data cluster number. */
    void checkCluster(long cluster, String what) throws FatCorruptException {
        if (cluster < 2 || cluster > maxCluster) {
            throw new FatCorruptException(what + " starts at cluster " + cluster + ", outside 2.." + maxCluster);
        }
    }

    /**
     * Allocates {@code n} clusters as a chain of their own ending in an end mark (linking it to
     * anything is the caller's next step, after a barrier), taking the next free ones in order.
     *
     * @return the clusters, in chain order
     * @throws NoSpaceException when fewer than {@code n} are free (nothing is changed)
     */
    long[] allocate(long n) throws IOException, NoSpaceException {
        if (n > freeCount) {
            throw new NoSpaceException(n, freeCount);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new NoSpaceException(n, freeCount);
        }
        long[] out = new long[(int) n];
        long c = nextFree < 2 || nextFree > maxCluster ? 2 : nextFree;
        int found = 0;
        for (long scanned = 0; found < n && scanned < bs.clusterCount(); scanned++) {
            if (get(c) == 0) {
                out[found++] = c;
            }
            c = c == maxCluster ? 2 : c + 1;
        }
        if (found < n) {
            throw new NoSpaceException(n, found); // the free count was wrong; nothing was changed
        }
        for (int i = 0; i < n; i++) {
            set(out[i], i + 1 < n ? out[i + 1] : type.endMark());
        }
        nextFree = c;
        return out;
    }

    /** Frees the chain starting at {@code first}; stops quietly at a damaged link. */
    void free(long first) throws IOException {
        long c = first;
        for (long steps = 0; c >= 2 && c <= maxCluster && steps <= bs.clusterCount(); steps++) {
            long v = get(c);
            if (v == 0) {
                return;
            }
            set(c, 0);
            if (isEnd(v) || v < 2 || v > maxCluster) {
                return;
            }
            c = v;
        }
    }

    /** True when sectors are waiting to be written. */
    boolean isDirty() {
        return !dirty.isEmpty();
    }

    /** Writes every changed FAT sector to every copy that is kept. */
    void writeBack() throws IOException {
        while (!dirty.isEmpty()) {
            long index = dirty.first();
            writeSector(index, cache.get(index));
            dirty.remove(index);
        }
    }

    private void writeSector(long index, byte[] data) throws IOException {
        for (int copy = 0; copy < bs.numFats(); copy++) {
            if (bs.mirrored() || copy == bs.activeFat()) {
                ByteIo.write(device, fatStart(copy) + index * bps, data, 0, bps);
            }
        }
    }

    /** Forgets every cached sector, changed or not (after a failed operation), and recounts. */
    void discard() throws IOException {
        cache.clear();
        dirty.clear();
        scan();
    }

    /** Not enough free clusters. */
    static final class NoSpaceException extends Exception {
        private static final long serialVersionUID = 1L;

        NoSpaceException(long needed, long free) {
            super(needed + " clusters needed, " + free + " free");
        }

        NoSpaceException(String message) {
            super(message);
        }
    }
}
