package io.miragej.block.fat;

import io.miragej.block.internal.ByteIo;
import io.miragej.device.Block;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One directory, loaded whole (at most 65,536 entries, 2 MiB, as the specification allows):
 * its 32-byte slots, the live entries parsed from them with their long names, and the sectors
 * changed since it was loaded.
 */
final class Directory {
    static final int SLOT = 32;
    static final int MAX_BYTES = 65536 * SLOT;
    static final int ATTR_READ_ONLY = 0x01;
    static final int ATTR_VOLUME_ID = 0x08;
    static final int ATTR_DIRECTORY = 0x10;
    static final int ATTR_ARCHIVE = 0x20;
    static final int ATTR_LONG_NAME = 0x0F;

    /** A live entry: a file or a subdirectory. */
    record Node(String name, String shortDisplay, int firstSlot, int shortSlot, int attr, long firstCluster, long size,
            int writeTime, int writeDate) {
        boolean isDirectory() {
            return (attr & ATTR_DIRECTORY) != 0;
        }

    }

    private final Volume volume;
    /** First cluster; 0 for the fixed root directory of FAT12/16. */
    final long firstCluster;
    private long[] clusters;
    private byte[] data;
    private final BitSet dirtySectors = new BitSet();
    private List<Node> nodes;
    private java.util.Map<String, Node> index;

    private Directory(Volume volume, long firstCluster, long[] clusters, byte[] data) {
        this.volume = volume;
        this.firstCluster = firstCluster;
        this.clusters = clusters;
        this.data = data;
    }

    /** Loads the directory at {@code firstCluster} (0: the FAT12/16 root). */
    static Directory load(Volume v, long firstCluster) throws IOException, FatCorruptException {
        BootSector bs = v.bs;
        if (firstCluster == 0) {
            if (bs.type() == FatType.FAT32) {
                return load(v, bs.rootCluster());
            }
            long start = (bs.reservedSectors() + bs.numFats() * bs.fatSize()) * bs.bytesPerSector();
            return new Directory(v, 0, null, ByteIo.read(v.device, start, bs.rootEntries() * SLOT));
        }
        v.fat.checkCluster(firstCluster, "a directory");
        int cb = bs.clusterBytes();
        List<Long> chain = new ArrayList<>();
        long c = firstCluster;
        while (c != -1) {
            chain.add(c);
            if ((long) chain.size() * cb > MAX_BYTES) {
                throw new FatCorruptException("the directory at cluster " + firstCluster + " is longer than 65536 entries"
                        + " (its chain may loop)");
            }
            c = v.fat.next(c);
        }
        long[] clusters = chain.stream().mapToLong(Long::longValue).toArray();
        byte[] data = new byte[clusters.length * cb];
        for (int i = 0; i < clusters.length; i++) {
            v.readCluster(clusters[i], data, i * cb);
        }
        return new Directory(v, firstCluster, clusters, data);
    }

    boolean isFixedRoot() {
        return clusters == null;
    }

    int slots() {
        return data.length / SLOT;
    }

    /** The live entries (not ".", "..", volume labels, deleted slots or orphaned long names). */
    List<Node> nodes() {
        if (nodes == null) {
            nodes = parse();
        }
        return nodes;
    }

    private List<Node> parse() {
        List<Node> out = new ArrayList<>();
        char[] lfn = null;
        int lfnCount = 0;
        int expected = 0;
        int checksum = -1;
        int lfnStart = -1;
        for (int s = 0; s < slots(); s++) {
            int at = s * SLOT;
            int first = data[at] & 0xFF;
            if (first == 0) {
                break;
            }
            int attr = data[at + 11] & 0xFF;
            if (first == 0xE5) {
                lfn = null;
                continue;
            }
            if ((attr & 0x3F) == ATTR_LONG_NAME) {
                int ord = first & 0x1F;
                if ((first & 0x40) != 0 && ord >= 1 && ord <= 20) {
                    lfnCount = ord;
                    lfn = new char[ord * 13];
                    expected = ord;
                    checksum = data[at + 13] & 0xFF;
                    lfnStart = s;
                } else if (lfn == null || ord != expected || (data[at + 13] & 0xFF) != checksum) {
                    lfn = null;
                    continue;
                }
                int base = (ord - 1) * 13;
                int k = 0;
                for (int off : new int[] {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30}) {
                    lfn[base + k++] = (char) ByteIo.u16(data, at + off);
                }
                expected = ord - 1;
                continue;
            }
            String longName = null;
            int start = s;
            if (lfn != null && expected == 0 && Names.checksum(data, at) == checksum) {
                longName = lfnString(lfn, lfnCount);
                start = lfnStart;
            }
            lfn = null;
            if ((attr & ATTR_VOLUME_ID) != 0 || first == '.') {
                continue;
            }
            String shortName = Names.display(data, at);
            long cluster = ByteIo.u16(data, at + 26) | (volume.bs.type() == FatType.FAT32 ? (long) ByteIo.u16(data, at + 20) << 16 : 0);
            out.add(new Node(longName != null && !longName.isEmpty() ? longName : shortName, shortName, start, s, attr,
                    cluster, ByteIo.u32(data, at + 28), ByteIo.u16(data, at + 22), ByteIo.u16(data, at + 24)));
        }
        return out;
    }

    private static String lfnString(char[] parts, int count) {
        int len = 0;
        while (len < count * 13 && parts[len] != 0) {
            len++;
        }
        return new String(parts, 0, len);
    }

    Node find(String segment) {
        if (index == null) {
            index = new java.util.HashMap<>();
            for (Node n : nodes()) {
                index.putIfAbsent(fold(n.name()), n);
            }
            for (Node n : nodes()) {
                index.putIfAbsent(fold(n.shortDisplay()), n);
            }
        }
        return index.get(fold(segment));
    }

    /** Case folding as {@link String#equalsIgnoreCase} does it, character by character. */
    static String fold(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            c[i] = Character.toLowerCase(Character.toUpperCase(c[i]));
        }
        return new String(c);
    }

    int sizeBytes() {
        return data.length;
    }

    /** Every short name in use here, as 11-character strings. */
    Set<String> shortNames() {
        Set<String> out = new HashSet<>();
        for (int s = 0; s < slots(); s++) {
            int at = s * SLOT;
            int first = data[at] & 0xFF;
            if (first == 0) {
                break;
            }
            if (first != 0xE5 && (data[at + 11] & 0x3F) != ATTR_LONG_NAME) {
                out.add(new String(data, at, 11, StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    /**
     * Adds an entry named {@code name} whose short entry is {@code shortEntry} (its name bytes are
     * replaced by a fresh short name), growing the directory when no run of free slots is long
     * enough.
     */
    Node add(String name, byte[] shortEntry) throws IOException, FatCorruptException, FatTable.NoSpaceException {
        byte[] entry = shortEntry.clone();
        Set<String> taken = shortNames();
        byte[] exact = Names.exactShort(name);
        // an 8.3 name needs no long name entries, unless its short form is taken (by a volume label, say)
        boolean shortOnly = exact != null && !taken.contains(new String(exact, StandardCharsets.US_ASCII));
        byte[] shortName = shortOnly ? exact : Names.generate(name, taken);
        System.arraycopy(shortName, 0, entry, 0, 11);
        entry[12] = 0;
        int lfnSlots = shortOnly ? 0 : (name.length() + 12) / 13;
        int need = lfnSlots + 1;
        int at = findFree(need);
        while (at < 0) {
            grow();
            at = findFree(need);
        }
        int sum = Names.checksum(entry, 0);
        int end = endMarker();
        for (int i = 0; i < lfnSlots; i++) {
            int ord = lfnSlots - i;
            byte[] l = new byte[SLOT];
            l[0] = (byte) (ord | (i == 0 ? 0x40 : 0));
            l[11] = ATTR_LONG_NAME;
            l[13] = (byte) sum;
            int k = 0;
            for (int off : new int[] {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30}) {
                int idx = (ord - 1) * 13 + k++;
                int ch = idx < name.length() ? name.charAt(idx) : idx == name.length() ? 0 : 0xFFFF;
                ByteIo.put16(l, off, ch);
            }
            writeSlot(at + i, l);
        }
        writeSlot(at + lfnSlots, entry);
        // slots past the end marker are free whatever they hold: when the new entries used some,
        // the marker moves to just after them
        if (at + need > end && at + need < slots() && data[(at + need) * SLOT] != 0) {
            data[(at + need) * SLOT] = 0;
            markDirty(at + need);
        }
        nodes = null;
        index = null;
        return nodeAtShortSlot(at + lfnSlots);
    }

    private Node nodeAtShortSlot(int slot) {
        for (Node n : nodes()) {
            if (n.shortSlot() == slot) {
                return n;
            }
        }
        throw new IllegalStateException("no entry at slot " + slot);
    }

    /** The first slot of a run of {@code need} free ones: deleted, or anywhere after the end marker. */
    private int findFree(int need) {
        int run = 0;
        boolean pastEnd = false;
        for (int s = 0; s < slots(); s++) {
            int first = data[s * SLOT] & 0xFF;
            pastEnd |= first == 0;
            if (pastEnd || first == 0xE5) {
                if (++run == need) {
                    return s - need + 1;
                }
            } else {
                run = 0;
            }
        }
        return -1;
    }

    /** The slot holding the end marker (first byte 0), or {@link #slots()} when there is none. */
    private int endMarker() {
        int end = 0;
        while (end < slots() && data[end * SLOT] != 0) {
            end++;
        }
        return end;
    }

    private void grow() throws IOException, FatCorruptException, FatTable.NoSpaceException {
        if (isFixedRoot()) {
            throw new FatTable.NoSpaceException("the root directory is full (" + slots()
                    + " entries); FAT12 and FAT16 cannot grow it");
        }
        int cb = volume.bs.clusterBytes();
        if (data.length + cb > MAX_BYTES) {
            throw new FatTable.NoSpaceException("the directory is full (FAT directories hold at most 65536 entries)");
        }
        long[] added = volume.fat.allocate(1);
        volume.zeroCluster(added[0]);
        volume.barrier(); // zeroed and ending its chain before the directory links to it
        volume.fat.set(clusters[clusters.length - 1], added[0]);
        clusters = Arrays.copyOf(clusters, clusters.length + 1);
        clusters[clusters.length - 1] = added[0];
        data = Arrays.copyOf(data, data.length + cb);
    }

    /** Marks every slot of {@code node} deleted. */
    void remove(Node node) {
        for (int s = node.firstSlot(); s <= node.shortSlot(); s++) {
            data[s * SLOT] = (byte) 0xE5;
            markDirty(s);
        }
        nodes = null;
        index = null;
    }

    /** The 32 bytes of slot {@code s}. */
    byte[] slot(int s) {
        return Arrays.copyOfRange(data, s * SLOT, s * SLOT + SLOT);
    }

    void writeSlot(int s, byte[] entry) {
        System.arraycopy(entry, 0, data, s * SLOT, SLOT);
        markDirty(s);
        nodes = null;
        index = null;
    }

    private void markDirty(int slot) {
        dirtySectors.set(slot * SLOT / volume.bs.bytesPerSector());
    }

    /** Writes the changed sectors to the device. */
    void writeBack() throws IOException {
        int bps = volume.bs.bytesPerSector();
        for (int i = dirtySectors.nextSetBit(0); i >= 0; i = dirtySectors.nextSetBit(i + 1)) {
            long byteOnDisk;
            if (isFixedRoot()) {
                BootSector bs = volume.bs;
                byteOnDisk = (bs.reservedSectors() + bs.numFats() * bs.fatSize()) * bps + (long) i * bps;
            } else {
                int perCluster = volume.bs.sectorsPerCluster();
                byteOnDisk = volume.clusterOffset(clusters[i / perCluster]) + (long) (i % perCluster) * bps;
            }
            ByteIo.write(volume.device, byteOnDisk, data, i * bps, Math.min(bps, data.length - i * bps));
        }
        dirtySectors.clear();
    }

    /** Marks every sector changed (a new directory's first write). */
    void markAllDirty() {
        dirtySectors.set(0, (data.length + volume.bs.bytesPerSector() - 1) / volume.bs.bytesPerSector());
    }

    /** A new, empty subdirectory's first cluster contents: "." and "..". */
    static byte[] dotEntries(byte[] template, long self, long parent, FatType type, int clusterBytes) {
        byte[] d = new byte[clusterBytes];
        for (int i = 0; i < 2; i++) {
            byte[] e = template.clone();
            Arrays.fill(e, 0, 11, (byte) ' ');
            e[0] = '.';
            if (i == 1) {
                e[1] = '.';
            }
            e[11] = ATTR_DIRECTORY;
            long c = i == 0 ? self : parent;
            ByteIo.put16(e, 26, (int) c);
            ByteIo.put16(e, 20, type == FatType.FAT32 ? (int) (c >>> 16) : 0);
            ByteIo.put32(e, 28, 0);
            System.arraycopy(e, 0, d, i * SLOT, SLOT);
        }
        return d;
    }

    /** Points this directory's ".." entry at {@code parent} (after a move). */
    void setDotDot(long parent) {
        for (int s = 0; s < Math.min(2, slots()); s++) {
            int at = s * SLOT;
            if (data[at] == '.' && data[at + 1] == '.') {
                ByteIo.put16(data, at + 26, (int) parent);
                ByteIo.put16(data, at + 20, volume.bs.type() == FatType.FAT32 ? (int) (parent >>> 16) : 0);
                markDirty(s);
            }
        }
    }
}
