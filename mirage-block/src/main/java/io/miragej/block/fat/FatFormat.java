package io.miragej.block.fat;

/**
 * How to format a FAT volume. Zero or null fields are chosen from the device's size the way
 * mkfs.fat and Microsoft's specification choose them.
 *
 * @param type FAT12, FAT16 or FAT32; null picks by size (FAT12 below 16 MiB, FAT16 below 512 MiB)
 * @param sectorsPerCluster a power of two from 1 to 128; 0 picks by size and type
 * @param label up to 11 characters of the volume label; null or blank for none
 * @param volumeId the volume serial number
 * @param rootEntries FAT12/16 root directory entries (a multiple of 16); 0 means 512
 */
public record FatFormat(FatType type, int sectorsPerCluster, String label, int volumeId, int rootEntries) {
    public FatFormat {
        if (sectorsPerCluster < 0 || sectorsPerCluster > 128 || (sectorsPerCluster != 0 && Integer.bitCount(sectorsPerCluster) != 1)) {
            throw new IllegalArgumentException("sectors per cluster must be a power of two from 1 to 128, got " + sectorsPerCluster);
        }
        if (label != null && label.strip().length() > 11) {
            throw new IllegalArgumentException("a FAT volume label holds at most 11 characters, got '" + label + "'");
        }
        if (rootEntries < 0 || rootEntries % 16 != 0 || rootEntries > 4096) {
            throw new IllegalArgumentException("root entries must be a multiple of 16 up to 4096, got " + rootEntries);
        }
    }

    /** Everything chosen by size, no label, volume id 0x4D4A4146. */
    public static FatFormat defaults() {
        return new FatFormat(null, 0, null, 0x4D4A_4146, 0);
    }

    public FatFormat withType(FatType t) {
        return new FatFormat(t, sectorsPerCluster, label, volumeId, rootEntries);
    }

    public FatFormat withSectorsPerCluster(int n) {
        return new FatFormat(type, n, label, volumeId, rootEntries);
    }

    public FatFormat withLabel(String l) {
        return new FatFormat(type, sectorsPerCluster, l, volumeId, rootEntries);
    }

    public FatFormat withVolumeId(int id) {
        return new FatFormat(type, sectorsPerCluster, label, id, rootEntries);
    }

    public FatFormat withRootEntries(int n) {
        return new FatFormat(type, sectorsPerCluster, label, volumeId, n);
    }
}
