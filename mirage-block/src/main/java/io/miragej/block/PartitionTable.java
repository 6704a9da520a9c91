package io.miragej.block;

import static io.miragej.block.internal.ByteIo.put16;
import static io.miragej.block.internal.ByteIo.put32;
import static io.miragej.block.internal.ByteIo.put64;
import static io.miragej.block.internal.ByteIo.u32;
import static io.miragej.block.internal.ByteIo.u64;
import static io.miragej.block.internal.ByteIo.u8;

import io.miragej.block.Partition.Scheme;
import io.miragej.block.internal.ByteIo;
import io.miragej.device.Block;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * Reads and writes partition tables: the PC master boot record (with extended and logical
 * partitions) and the UEFI GUID partition table (UEFI 2.10, section 5.3), in the disk's own
 * sector size. Reading checks everything it relies on (signatures, both GPT checksums, that
 * every partition lies inside the disk, bounded chains of logical partitions) and falls back to
 * the backup GPT when the primary is damaged.
 */
public final class PartitionTable {
    /** At most this many logical partitions are followed in an extended partition's chain. */
    public static final int MAX_LOGICAL_PARTITIONS = 128;
    /** GPT entry arrays larger than this are refused (the usual array is 16 KiB). */
    public static final int MAX_GPT_ENTRY_BYTES = 1 << 20;

    private static final int GPT_ENTRIES = 128;
    private static final int GPT_ENTRY_SIZE = 128;
    private static final int GPT_HEADER_SIZE = 92;

    private PartitionTable() {}

    /**
     * The partitions on {@code disk}, sorted by number; empty when sector 0 holds no partition
     * table (a disk formatted whole, for example).
     *
     * @throws PartitionTableException when a table is present but damaged or inconsistent with the
     *     disk, naming what is wrong
     * @throws IOException when the disk cannot be read
     */
    public static List<Partition> read(Block disk) throws IOException {
        int ss = disk.sectorSize();
        if (ss < 512) {
            throw new PartitionTableException("partition tables need sectors of at least 512 bytes, this disk has " + ss);
        }
        byte[] mbr = ByteIo.read(disk, 0, 512);
        if (u8(mbr, 510) != 0x55 || u8(mbr, 511) != 0xAA) {
            return List.of();
        }
        for (int i = 0; i < 4; i++) {
            int status = u8(mbr, 446 + 16 * i);
            if (status != 0 && status != 0x80) {
                return List.of(); // a boot sector of a whole-disk file system, not a partition table
            }
        }
        for (int i = 0; i < 4; i++) {
            if (u8(mbr, 446 + 16 * i + 4) == 0xEE) {
                return readGpt(disk);
            }
        }
        return readMbr(disk, mbr);
    }

    private static List<Partition> readMbr(Block disk, byte[] mbr) throws IOException {
        List<Partition> out = new ArrayList<>();
        int logical = 5;
        for (int i = 0; i < 4; i++) {
            int at = 446 + 16 * i;
            int type = u8(mbr, at + 4);
            long first = u32(mbr, at + 8);
            long count = u32(mbr, at + 12);
            if (type == 0 || count == 0) {
                continue;
            }
            checkInside(disk, "MBR partition " + (i + 1), first, count);
            if (isExtended(type)) {
                logical = readLogical(disk, first, count, logical, out);
            } else {
                out.add(new Partition(i + 1, Scheme.MBR, first, count, type, null, null, "", u8(mbr, at)));
            }
        }
        out.sort(Comparator.comparingInt(Partition::number));
        return List.copyOf(out);
    }

    private static boolean isExtended(int type) {
        return type == 0x05 || type == 0x0F || type == 0x85;
    }

    private static int readLogical(Block disk, long extFirst, long extCount, int number, List<Partition> out)
            throws IOException {
        Set<Long> seen = new HashSet<>();
        long ebr = extFirst;
        while (true) {
            if (!seen.add(ebr)) {
                throw new PartitionTableException("the chain of logical partitions loops back to sector " + ebr);
            }
            if (seen.size() > MAX_LOGICAL_PARTITIONS) {
                throw new PartitionTableException("more than " + MAX_LOGICAL_PARTITIONS + " logical partitions");
            }
            byte[] b = ByteIo.read(disk, ebr * disk.sectorSize(), 512);
            if (u8(b, 510) != 0x55 || u8(b, 511) != 0xAA) {
                throw new PartitionTableException("the extended boot record at sector " + ebr + " has no 55AA signature");
            }
            int type = u8(b, 446 + 4);
            long rel = u32(b, 446 + 8);
            long count = u32(b, 446 + 12);
            if (type != 0 && count != 0) {
                long first = ebr + rel;
                checkInside(disk, "logical partition " + number, first, count);
                if (first < extFirst || first + count > extFirst + extCount) {
                    throw new PartitionTableException("logical partition " + number + " (sectors " + first + ".."
                            + (first + count) + ") lies outside its extended partition (" + extFirst + ".."
                            + (extFirst + extCount) + ")");
                }
                out.add(new Partition(number++, Scheme.MBR, first, count, type, null, null, "", u8(b, 446)));
            }
            int nextType = u8(b, 462 + 4);
            long next = u32(b, 462 + 8);
            if (nextType == 0 || next == 0) {
                return number;
            }
            if (!isExtended(nextType) || next >= extCount) {
                throw new PartitionTableException("the extended boot record at sector " + ebr
                        + " links to a next record outside the extended partition");
            }
            ebr = extFirst + next;
        }
    }

    private static List<Partition> readGpt(Block disk) throws IOException {
        long last = disk.sectorCount() - 1;
        String primaryProblem;
        try {
            return readGptAt(disk, 1);
        } catch (PartitionTableException e) {
            primaryProblem = e.getMessage();
        }
        try {
            return readGptAt(disk, last);
        } catch (PartitionTableException e) {
            throw new PartitionTableException("both GPT headers are damaged: primary: " + primaryProblem
                    + "; backup: " + e.getMessage());
        }
    }

    private static List<Partition> readGptAt(Block disk, long lba) throws IOException {
        int ss = disk.sectorSize();
        String where = (lba == 1 ? "primary" : "backup") + " GPT header at sector " + lba;
        if (lba < 1 || lba >= disk.sectorCount()) {
            throw new PartitionTableException(where + " lies outside the disk");
        }
        byte[] h = ByteIo.read(disk, lba * ss, ss);
        if (!ByteIo.startsWith(h, 0, "EFI PART")) {
            throw new PartitionTableException(where + " has no 'EFI PART' signature");
        }
        long headerSize = u32(h, 12);
        if (headerSize < GPT_HEADER_SIZE || headerSize > ss) {
            throw new PartitionTableException(where + " claims a size of " + headerSize + " bytes");
        }
        long crc = u32(h, 16);
        byte[] copy = java.util.Arrays.copyOf(h, (int) headerSize);
        put32(copy, 16, 0);
        if (crc32(copy, 0, copy.length) != crc) {
            throw new PartitionTableException(where + " fails its CRC32 check");
        }
        if (u64(h, 24) != lba) {
            throw new PartitionTableException(where + " says it lies at sector " + u64(h, 24));
        }
        long firstUsable = u64(h, 40);
        long lastUsable = u64(h, 48);
        long entriesLba = u64(h, 72);
        long count = u32(h, 80);
        long size = u32(h, 84);
        if (size < 128 || size % 8 != 0 || count * size > MAX_GPT_ENTRY_BYTES) {
            throw new PartitionTableException(where + " describes " + count + " entries of " + size
                    + " bytes (entries are at least 128 bytes, a multiple of 8, and the array at most "
                    + MAX_GPT_ENTRY_BYTES + " bytes)");
        }
        int bytes = (int) (count * size);
        long entrySectors = (bytes + ss - 1) / ss;
        if (entriesLba < 1 || entriesLba > disk.sectorCount() - entrySectors) {
            throw new PartitionTableException(where + " puts its entries at sector " + entriesLba + ", outside the disk");
        }
        if (firstUsable < 0 || firstUsable > lastUsable || lastUsable >= disk.sectorCount()) {
            throw new PartitionTableException(where + " has usable sectors " + firstUsable + ".." + lastUsable
                    + " on a disk of " + disk.sectorCount() + " sectors");
        }
        byte[] entries = ByteIo.read(disk, entriesLba * ss, bytes);
        if (crc32(entries, 0, bytes) != u32(h, 88)) {
            throw new PartitionTableException("the partition entries of the " + where + " fail their CRC32 check");
        }
        List<Partition> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = (int) (i * size);
            UUID type = guid(entries, at);
            if (type.getMostSignificantBits() == 0 && type.getLeastSignificantBits() == 0) {
                continue;
            }
            long first = u64(entries, at + 32);
            long lastSector = u64(entries, at + 40);
            if (first < firstUsable || first > lastSector || lastSector > lastUsable) { // both u64: negative means huge
                throw new PartitionTableException("GPT partition " + (i + 1) + " (sectors " + first + ".." + lastSector
                        + ") lies outside the usable sectors " + firstUsable + ".." + lastUsable);
            }
            String name = new String(entries, at + 56, 72, StandardCharsets.UTF_16LE);
            int nul = name.indexOf('\0');
            name = nul >= 0 ? name.substring(0, nul) : name;
            out.add(new Partition(i + 1, Scheme.GPT, first, lastSector - first + 1, 0, type, guid(entries, at + 16), name,
                    u64(entries, at + 48)));
        }
        return List.copyOf(out);
    }

    private static void checkInside(Block disk, String what, long first, long count) throws PartitionTableException {
        if (first == 0 || first + count > disk.sectorCount()) {
            throw new PartitionTableException(what + " (sectors " + first + ".." + (first + count)
                    + ") does not fit on a disk of " + disk.sectorCount() + " sectors");
        }
    }

    /**
     * Writes an MBR with up to four primary partitions (their numbers follow the list's order),
     * keeping the boot code in the first 446 bytes of sector 0.
     */
    public static void writeMbr(Block disk, List<Partition> partitions) throws IOException {
        if (partitions.size() > 4) {
            throw new IllegalArgumentException("an MBR holds at most 4 primary partitions, got " + partitions.size());
        }
        checkLayout(disk, partitions, 1, disk.sectorCount() - 1);
        byte[] mbr = ByteIo.read(disk, 0, 512);
        java.util.Arrays.fill(mbr, 446, 512, (byte) 0);
        for (int i = 0; i < partitions.size(); i++) {
            Partition p = partitions.get(i);
            if (p.endSector() > 0xFFFF_FFFFL || p.mbrType() <= 0 || p.mbrType() > 0xFF || p.mbrType() == 0xEE) {
                throw new IllegalArgumentException("MBR partition " + (i + 1) + " needs a type 1-255 other than 0xEE"
                        + " and must end below sector 2^32, got type " + p.mbrType() + " ending at " + p.endSector());
            }
            writeMbrEntry(mbr, i, (p.flags() & 0x80) != 0 ? 0x80 : 0, p.mbrType(), p.firstSector(), p.sectorCount());
        }
        mbr[510] = 0x55;
        mbr[511] = (byte) 0xAA;
        ByteIo.write(disk, 0, mbr, 0, 512);
        disk.flush();
    }

    private static void writeMbrEntry(byte[] mbr, int slot, int status, int type, long first, long count) {
        int at = 446 + 16 * slot;
        mbr[at] = (byte) status;
        chs(mbr, at + 1, first);
        mbr[at + 4] = (byte) type;
        chs(mbr, at + 5, first + count - 1);
        put32(mbr, at + 8, first);
        put32(mbr, at + 12, count);
    }

    /** Cylinder-head-sector address for 255 heads and 63 sectors per track, saturating as tools do. */
    private static void chs(byte[] b, int at, long lba) {
        long c = lba / (255 * 63);
        if (c > 1023) {
            b[at] = (byte) 0xFE;
            b[at + 1] = (byte) 0xFF;
            b[at + 2] = (byte) 0xFF;
            return;
        }
        long h = (lba / 63) % 255;
        long s = lba % 63 + 1;
        b[at] = (byte) h;
        b[at + 1] = (byte) (s | ((c >> 2) & 0xC0));
        b[at + 2] = (byte) c;
    }

    /**
     * Writes a GPT: a protective MBR, the primary header and entry array at the start, and the
     * backup entry array and header at the end of the disk. Partitions are numbered in the list's
     * order and must lie inside {@link #gptFirstUsable} .. {@link #gptLastUsable}.
     */
    public static void writeGpt(Block disk, UUID diskGuid, List<Partition> partitions) throws IOException {
        if (partitions.size() > GPT_ENTRIES) {
            throw new IllegalArgumentException("this writer puts at most " + GPT_ENTRIES + " partitions in a GPT");
        }
        int ss = disk.sectorSize();
        long firstUsable = gptFirstUsable(disk);
        long lastUsable = gptLastUsable(disk);
        checkLayout(disk, partitions, firstUsable, lastUsable);
        byte[] entries = new byte[GPT_ENTRIES * GPT_ENTRY_SIZE];
        for (int i = 0; i < partitions.size(); i++) {
            Partition p = partitions.get(i);
            if (p.typeGuid() == null) {
                throw new IllegalArgumentException("GPT partition " + (i + 1) + " needs a type GUID");
            }
            int at = i * GPT_ENTRY_SIZE;
            putGuid(entries, at, p.typeGuid());
            putGuid(entries, at + 16, p.uniqueGuid() == null ? UUID.randomUUID() : p.uniqueGuid());
            put64(entries, at + 32, p.firstSector());
            put64(entries, at + 40, p.endSector() - 1);
            put64(entries, at + 48, p.flags());
            byte[] name = p.name().getBytes(StandardCharsets.UTF_16LE);
            if (name.length > 72) {
                throw new IllegalArgumentException("GPT partition names hold at most 36 UTF-16 units: " + p.name());
            }
            System.arraycopy(name, 0, entries, at + 56, name.length);
        }
        long entrySectors = entries.length / ss + (entries.length % ss == 0 ? 0 : 1);
        long last = disk.sectorCount() - 1;
        byte[] padded = java.util.Arrays.copyOf(entries, (int) (entrySectors * ss));
        ByteIo.write(disk, 2L * ss, padded, 0, padded.length);
        ByteIo.write(disk, (last - entrySectors) * ss, padded, 0, padded.length);
        long entriesCrc = crc32(entries, 0, entries.length);
        ByteIo.write(disk, (long) ss, gptHeader(ss, 1, last, firstUsable, lastUsable, diskGuid, 2, entriesCrc), 0, ss);
        ByteIo.write(disk, last * ss,
                gptHeader(ss, last, 1, firstUsable, lastUsable, diskGuid, last - entrySectors, entriesCrc), 0, ss);
        byte[] mbr = ByteIo.read(disk, 0, 512);
        java.util.Arrays.fill(mbr, 446, 512, (byte) 0);
        writeMbrEntry(mbr, 0, 0, 0xEE, 1, Math.min(disk.sectorCount() - 1, 0xFFFF_FFFFL));
        mbr[510] = 0x55;
        mbr[511] = (byte) 0xAA;
        ByteIo.write(disk, 0, mbr, 0, 512);
        disk.flush();
    }

    /** The first sector a GPT partition may use on {@code disk}. */
    public static long gptFirstUsable(Block disk) {
        return 2 + gptEntrySectors(disk);
    }

    /** The last sector a GPT partition may use on {@code disk}. */
    public static long gptLastUsable(Block disk) {
        return disk.sectorCount() - 2 - gptEntrySectors(disk);
    }

    private static long gptEntrySectors(Block disk) {
        int bytes = GPT_ENTRIES * GPT_ENTRY_SIZE;
        return (bytes + disk.sectorSize() - 1) / disk.sectorSize();
    }

    private static byte[] gptHeader(int ss, long my, long alternate, long firstUsable, long lastUsable, UUID diskGuid,
            long entriesLba, long entriesCrc) {
        byte[] h = new byte[ss];
        System.arraycopy("EFI PART".getBytes(StandardCharsets.US_ASCII), 0, h, 0, 8);
        put32(h, 8, 0x0001_0000);
        put32(h, 12, GPT_HEADER_SIZE);
        put64(h, 24, my);
        put64(h, 32, alternate);
        put64(h, 40, firstUsable);
        put64(h, 48, lastUsable);
        putGuid(h, 56, diskGuid);
        put64(h, 72, entriesLba);
        put32(h, 80, GPT_ENTRIES);
        put32(h, 84, GPT_ENTRY_SIZE);
        put32(h, 88, entriesCrc);
        put32(h, 16, crc32(h, 0, GPT_HEADER_SIZE));
        return h;
    }

    private static void checkLayout(Block disk, List<Partition> partitions, long firstUsable, long lastUsable) {
        if (disk.sectorSize() < 512) {
            throw new IllegalArgumentException("partition tables need sectors of at least 512 bytes");
        }
        List<Partition> sorted = new ArrayList<>(partitions);
        sorted.sort(Comparator.comparingLong(Partition::firstSector));
        for (int i = 0; i < sorted.size(); i++) {
            Partition p = sorted.get(i);
            if (p.firstSector() < firstUsable || p.endSector() - 1 > lastUsable) {
                throw new IllegalArgumentException("partition at sectors " + p.firstSector() + ".." + p.endSector()
                        + " lies outside the usable sectors " + firstUsable + ".." + lastUsable);
            }
            if (i > 0 && sorted.get(i - 1).endSector() > p.firstSector()) {
                throw new IllegalArgumentException("partitions at sector " + sorted.get(i - 1).firstSector() + " and "
                        + p.firstSector() + " overlap");
            }
        }
    }

    private static long crc32(byte[] b, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(b, off, len);
        return crc.getValue();
    }

    /** GUIDs are stored with their first three fields little-endian. */
    private static UUID guid(byte[] b, int at) {
        ByteBuffer bb = ByteBuffer.wrap(b, at, 16);
        bb.order(ByteOrder.LITTLE_ENDIAN);
        long a = bb.getInt() & 0xffff_ffffL;
        long m = bb.getShort() & 0xffffL;
        long l = bb.getShort() & 0xffffL;
        bb.order(ByteOrder.BIG_ENDIAN);
        long low = bb.getLong();
        return new UUID(a << 32 | m << 16 | l, low);
    }

    private static void putGuid(byte[] b, int at, UUID g) {
        long hi = g.getMostSignificantBits();
        put32(b, at, hi >>> 32);
        put16(b, at + 4, (int) (hi >>> 16));
        put16(b, at + 6, (int) hi);
        ByteBuffer.wrap(b, at + 8, 8).order(ByteOrder.BIG_ENDIAN).putLong(g.getLeastSignificantBits());
    }
}
