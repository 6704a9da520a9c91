package io.miragej.block;

import io.miragej.device.Block;
import java.util.Objects;
import java.util.UUID;

/**
 * One partition of a disk: where it lies (in the disk's sectors) and what the table says of it.
 *
 * @param number 1-based: MBR primaries are 1-4 and logical partitions 5 on (as Linux numbers
 *     them); GPT entries are numbered by their slot in the entry array
 * @param scheme the table it came from
 * @param firstSector first sector, in the disk's sectors
 * @param sectorCount length in sectors
 * @param mbrType the MBR partition type byte (0x0C FAT32 LBA, 0x83 Linux, ...); 0 for GPT
 * @param typeGuid the GPT partition type; null for MBR
 * @param uniqueGuid the GPT partition's own GUID; null for MBR
 * @param name the GPT partition name; "" for MBR
 * @param flags MBR: 0x80 when marked active (bootable); GPT: the attribute bits
 */
public record Partition(int number, Scheme scheme, long firstSector, long sectorCount, int mbrType,
        UUID typeGuid, UUID uniqueGuid, String name, long flags) {

    /** The partition table formats. */
    public enum Scheme {
        /** The PC master boot record, with extended partitions. */
        MBR,
        /** The UEFI GUID partition table. */
        GPT
    }

    /** GPT type of a Microsoft basic data partition (FAT, NTFS, exFAT). */
    public static final UUID BASIC_DATA = UUID.fromString("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7");
    /** GPT type of a Linux file system partition. */
    public static final UUID LINUX_FILESYSTEM = UUID.fromString("0fc63daf-8483-4772-8e79-3d69d8477de4");
    /** GPT type of an EFI system partition. */
    public static final UUID EFI_SYSTEM = UUID.fromString("c12a7328-f81f-11d2-ba4b-00a0c93ec93b");

    public Partition {
        Objects.requireNonNull(scheme, "scheme");
        name = name == null ? "" : name;
        if (firstSector < 0 || sectorCount <= 0) {
            throw new IllegalArgumentException("a partition needs a first sector >= 0 and a length > 0, got "
                    + firstSector + "+" + sectorCount);
        }
    }

    /** An MBR partition, for {@link PartitionTable#writeMbr}. */
    public static Partition mbr(int type, long firstSector, long sectorCount) {
        return new Partition(0, Scheme.MBR, firstSector, sectorCount, type, null, null, "", 0);
    }

    /** A GPT partition with a random unique GUID, for {@link PartitionTable#writeGpt}. */
    public static Partition gpt(String name, UUID type, long firstSector, long sectorCount) {
        return new Partition(0, Scheme.GPT, firstSector, sectorCount, 0, type, UUID.randomUUID(), name, 0);
    }

    /** The sector after the partition's last. */
    public long endSector() {
        return firstSector + sectorCount;
    }

    /** The partition as a device of its own (a {@link Blocks#slice slice} of {@code disk}). */
    public Block open(Block disk) {
        return Blocks.slice(disk, firstSector, sectorCount);
    }
}
