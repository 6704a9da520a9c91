package io.miragej.block.fat;

/** The three widths of the file allocation table; the cluster count decides which a volume is. */
public enum FatType {
    FAT12(12, 1, 4084),
    FAT16(16, 4085, 65524),
    FAT32(32, 65525, 0x0FFF_FFF4);

    /** Bits per table entry (FAT32 uses the low 28 of its 32). */
    public final int bits;
    /** Fewest clusters a volume of this type has (Microsoft's FAT specification, section 3.5). */
    public final long minClusters;
    /** Most clusters a volume of this type can have. */
    public final long maxClusters;

    FatType(int bits, long minClusters, long maxClusters) {
        this.bits = bits;
        this.minClusters = minClusters;
        this.maxClusters = maxClusters;
    }

    /** The type a volume with {@code clusters} data clusters is, by the specification's rule. */
    public static FatType ofClusterCount(long clusters) {
        return clusters < 4085 ? FAT12 : clusters < 65525 ? FAT16 : FAT32;
    }

    /** Entry values at or above this end a chain. */
    long endOfChain() {
        return switch (this) {
            case FAT12 -> 0xFF8;
            case FAT16 -> 0xFFF8;
            case FAT32 -> 0x0FFF_FFF8L;
        };
    }

    /** The value marking a bad cluster. */
    long bad() {
        return endOfChain() - 1;
    }

    /** The end-of-chain value this implementation writes. */
    long endMark() {
        return switch (this) {
            case FAT12 -> 0xFFF;
            case FAT16 -> 0xFFFF;
            case FAT32 -> 0x0FFF_FFFFL;
        };
    }
}
