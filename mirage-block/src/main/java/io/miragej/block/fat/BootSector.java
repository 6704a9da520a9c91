package io.miragej.block.fat;

import static io.miragej.block.internal.ByteIo.put16;
import static io.miragej.block.internal.ByteIo.put32;
import static io.miragej.block.internal.ByteIo.u16;
import static io.miragej.block.internal.ByteIo.u32;
import static io.miragej.block.internal.ByteIo.u8;

import io.miragej.block.internal.ByteIo;
import java.nio.charset.StandardCharsets;

/**
 * The BIOS parameter block of a FAT volume (Microsoft's FAT specification, section 3), decoded and
 * checked for consistency with itself and the device. Like Linux and dosfstools, a volume whose
 * 16-bit FAT size is zero is laid out as FAT32 even with fewer than 65,525 clusters.
 */
record BootSector(int bytesPerSector, int sectorsPerCluster, int reservedSectors, int numFats, int rootEntries,
        long totalSectors, int media, long fatSize, long rootCluster, int fsInfoSector, int backupBootSector,
        int extFlags, long volumeId, String label, FatType type, long clusterCount) {

    long rootDirSectors() {
        return ((long) rootEntries * 32 + bytesPerSector - 1) / bytesPerSector;
    }

    long firstDataSector() {
        return reservedSectors + numFats * fatSize + rootDirSectors();
    }

    int clusterBytes() {
        return bytesPerSector * sectorsPerCluster;
    }

    /** The FAT copies that are kept up to date: all when mirrored, else the active one. */
    boolean mirrored() {
        return type != FatType.FAT32 || (extFlags & 0x80) == 0;
    }

    int activeFat() {
        return mirrored() ? 0 : extFlags & 0x0F;
    }

    /** Decodes sector 0 of a volume of {@code deviceBytes} bytes. */
    static BootSector parse(byte[] b, long deviceBytes) throws FatCorruptException {
        if (b.length < 512 || u8(b, 510) != 0x55 || u8(b, 511) != 0xAA) {
            throw new FatCorruptException("not a FAT file system: sector 0 has no 55AA boot signature");
        }
        int bps = u16(b, 11);
        int spc = u8(b, 13);
        int reserved = u16(b, 14);
        int nfats = u8(b, 16);
        int rootEntries = u16(b, 17);
        long total = u16(b, 19) != 0 ? u16(b, 19) : u32(b, 32);
        int media = u8(b, 21);
        boolean fat32Layout = u16(b, 22) == 0;
        long fatSize = fat32Layout ? u32(b, 36) : u16(b, 22);
        if (bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) {
            throw new FatCorruptException("not a FAT file system: " + bps + " bytes per sector (512, 1024, 2048 or 4096 expected)");
        }
        if (spc == 0 || Integer.bitCount(spc) != 1) {
            throw new FatCorruptException("not a FAT file system: " + spc + " sectors per cluster (a power of two expected)");
        }
        if (reserved == 0 || nfats == 0 || nfats > 4 || fatSize == 0) {
            throw new FatCorruptException("not a FAT file system: " + reserved + " reserved sectors, " + nfats
                    + " FATs of " + fatSize + " sectors");
        }
        if (total * bps > deviceBytes) {
            throw new FatCorruptException("the volume claims " + total + " sectors of " + bps + " bytes but the device holds only "
                    + deviceBytes + " bytes");
        }
        if (fat32Layout && rootEntries != 0) {
            throw new FatCorruptException("a FAT32 boot sector with " + rootEntries + " fixed root entries");
        }
        long rootDirSectors = ((long) rootEntries * 32 + bps - 1) / bps;
        long firstData = reserved + nfats * fatSize + rootDirSectors;
        if (firstData >= total) {
            throw new FatCorruptException("the volume's " + total + " sectors leave no room for data after its "
                    + firstData + " sectors of reserved area, FATs and root directory");
        }
        long clusters = (total - firstData) / spc;
        if (clusters == 0) {
            throw new FatCorruptException("the volume has no data clusters");
        }
        FatType type = fat32Layout ? FatType.FAT32 : FatType.ofClusterCount(clusters);
        if (!fat32Layout && type == FatType.FAT32) {
            throw new FatCorruptException(clusters + " clusters need FAT32, but the boot sector has a FAT12/16 layout");
        }
        if (clusters > FatType.FAT32.maxClusters) {
            throw new FatCorruptException("the volume claims " + clusters + " clusters, more than FAT32 can address");
        }
        long entriesInFat = fatSize * bps * 8 / type.bits;
        if (entriesInFat < clusters + 2) {
            throw new FatCorruptException("a FAT of " + fatSize + " sectors cannot describe " + clusters + " clusters");
        }
        long rootCluster = 0;
        int fsInfo = 0;
        int backup = 0;
        int extFlags = 0;
        long volumeId;
        String label;
        if (type == FatType.FAT32) {
            extFlags = u16(b, 40);
            if (u16(b, 42) != 0) {
                throw new FatCorruptException("FAT32 version " + u16(b, 42) + " is not supported (0 expected)");
            }
            rootCluster = u32(b, 44);
            if (rootCluster < 2 || rootCluster > clusters + 1) {
                throw new FatCorruptException("the root directory cluster " + rootCluster + " is outside clusters 2.."
                        + (clusters + 1));
            }
            fsInfo = u16(b, 48);
            backup = u16(b, 50);
            if ((extFlags & 0x80) != 0 && (extFlags & 0x0F) >= nfats) {
                throw new FatCorruptException("the active FAT " + (extFlags & 0x0F) + " does not exist");
            }
            boolean extended = u8(b, 66) == 0x29;
            volumeId = extended ? u32(b, 67) : 0;
            label = extended ? ByteIo.ascii(b, 71, 11) : "";
        } else {
            boolean extended = u8(b, 38) == 0x29;
            volumeId = extended ? u32(b, 39) : 0;
            label = extended ? ByteIo.ascii(b, 43, 11) : "";
        }
        return new BootSector(bps, spc, reserved, nfats, rootEntries, total, media, fatSize, rootCluster, fsInfo, backup,
                extFlags, volumeId, label.equals("NO NAME") ? "" : label, type, clusters);
    }

    /** The layout {@code format} gives a device of {@code sectors} sectors of {@code bps} bytes. */
    static BootSector layout(FatFormat format, int bps, long sectors) {
        if (bps < 512 || bps > 4096) {
            throw new IllegalArgumentException("FAT needs sectors of 512 to 4096 bytes, this device has " + bps);
        }
        long bytes = sectors * bps;
        if (sectors > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("FAT volumes hold at most 2^32-1 sectors; this device has " + sectors
                    + ": put a partition on it");
        }
        FatType type = format.type() != null ? format.type()
                : bytes < (16L << 20) ? FatType.FAT12 : bytes < (512L << 20) ? FatType.FAT16 : FatType.FAT32;
        int rootEntries = type == FatType.FAT32 ? 0 : format.rootEntries() != 0 ? format.rootEntries() : 512;
        int reserved = type == FatType.FAT32 ? 32 : 1;
        int nfats = 2;
        int spc = format.sectorsPerCluster();
        if (spc == 0) {
            spc = defaultSectorsPerCluster(type, bytes, bps);
            // grow clusters while there would be too many for the type
            while (spc < 128 && clusters(type, bps, sectors, reserved, nfats, rootEntries, spc)[0] > type.maxClusters) {
                spc *= 2;
            }
            // shrink them while there would be too few
            while (spc > 1 && clusters(type, bps, sectors, reserved, nfats, rootEntries, spc)[0] < type.minClusters) {
                spc /= 2;
            }
        }
        long[] cf = clusters(type, bps, sectors, reserved, nfats, rootEntries, spc);
        long clusters = cf[0];
        if (clusters < type.minClusters || clusters > type.maxClusters) {
            throw new IllegalArgumentException("a " + type + " volume needs " + type.minClusters + " to " + type.maxClusters
                    + " clusters, but " + bytes + " bytes with " + spc + "-sector clusters give " + clusters
                    + "; choose another type, cluster size or device size");
        }
        String label = format.label() == null || format.label().isBlank() ? "" : format.label().strip().toUpperCase(java.util.Locale.ROOT);
        return new BootSector(bps, spc, reserved, nfats, rootEntries, sectors, 0xF8, cf[1],
                type == FatType.FAT32 ? 2 : 0, type == FatType.FAT32 ? 1 : 0, type == FatType.FAT32 ? 6 : 0, 0,
                format.volumeId() & 0xffff_ffffL, label, type, clusters);
    }

    private static int defaultSectorsPerCluster(FatType type, long bytes, int bps) {
        long clusterBytes = switch (type) {
            case FAT12 -> 512;
            case FAT16 -> bytes <= (16L << 20) ? 1024 : bytes <= (128L << 20) ? 2048 : bytes <= (256L << 20) ? 4096
                    : bytes <= (512L << 20) ? 8192 : bytes <= (1L << 30) ? 16384 : 32768;
            case FAT32 -> bytes <= (260L << 20) ? 512 : bytes <= (8L << 30) ? 4096 : bytes <= (16L << 30) ? 8192
                    : bytes <= (32L << 30) ? 16384 : 32768;
        };
        return (int) Math.max(1, clusterBytes / bps);
    }

    /** {clusters, fatSize} for a layout: the FAT grows until it covers the clusters it leaves. */
    private static long[] clusters(FatType type, int bps, long sectors, int reserved, int nfats, int rootEntries, int spc) {
        long rootSectors = ((long) rootEntries * 32 + bps - 1) / bps;
        long fatSize = 1;
        while (true) {
            long data = sectors - reserved - rootSectors - nfats * fatSize;
            long clusters = data <= 0 ? 0 : data / spc;
            long needed = ((clusters + 2) * type.bits + 8L * bps - 1) / (8L * bps);
            if (needed <= fatSize) {
                return new long[] {clusters, fatSize};
            }
            fatSize = needed;
        }
    }

    /** Sector 0 of the volume, {@code bytesPerSector} long. */
    byte[] encode() {
        byte[] b = new byte[bytesPerSector];
        boolean fat32 = type == FatType.FAT32;
        b[0] = (byte) 0xEB;
        b[1] = (byte) (fat32 ? 0x58 : 0x3C);
        b[2] = (byte) 0x90;
        System.arraycopy("MIRAGEJ ".getBytes(StandardCharsets.US_ASCII), 0, b, 3, 8);
        put16(b, 11, bytesPerSector);
        b[13] = (byte) sectorsPerCluster;
        put16(b, 14, reservedSectors);
        b[16] = (byte) numFats;
        put16(b, 17, rootEntries);
        if (!fat32 && totalSectors < 0x10000) {
            put16(b, 19, (int) totalSectors);
        } else {
            put32(b, 32, totalSectors);
        }
        b[21] = (byte) media;
        put16(b, 24, 63);
        put16(b, 26, 255);
        int ext;
        if (fat32) {
            put32(b, 36, fatSize);
            put16(b, 40, extFlags);
            put32(b, 44, rootCluster);
            put16(b, 48, fsInfoSector);
            put16(b, 50, backupBootSector);
            ext = 64;
        } else {
            put16(b, 22, (int) fatSize);
            ext = 36;
        }
        b[ext] = (byte) 0x80;
        b[ext + 2] = 0x29;
        put32(b, ext + 3, volumeId);
        byte[] lab = String.format("%-11s", label.isEmpty() ? "NO NAME" : label).getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(lab, 0, b, ext + 7, 11);
        String fsType = switch (type) {
            case FAT12 -> "FAT12   ";
            case FAT16 -> "FAT16   ";
            case FAT32 -> "FAT32   ";
        };
        System.arraycopy(fsType.getBytes(StandardCharsets.US_ASCII), 0, b, ext + 18, 8);
        // boot code: int 18h, asking the BIOS to try the next boot device
        b[ext + 26] = (byte) 0xCD;
        b[ext + 27] = 0x18;
        b[510] = 0x55;
        b[511] = (byte) 0xAA;
        return b;
    }
}
