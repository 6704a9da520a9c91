package io.miragej.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.block.internal.ByteIo;
import io.miragej.device.Block;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PartitionTableTest {
    @Test
    void aBlankDiskHasNoPartitions() throws Exception {
        assertEquals(List.of(), PartitionTable.read(MemoryBlock.create(512, 100)));
    }

    @Test
    void mbrPartitionsRoundTripAndOpenAsSlices() throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 10_000);
        PartitionTable.writeMbr(disk, List.of(Partition.mbr(0x0C, 2048, 4000), Partition.mbr(0x83, 6048, 3952)));
        List<Partition> read = PartitionTable.read(disk);
        assertEquals(2, read.size());
        assertEquals(new Partition(1, Partition.Scheme.MBR, 2048, 4000, 0x0C, null, null, "", 0), read.get(0));
        assertEquals(6048, read.get(1).firstSector());
        Block p2 = read.get(1).open(disk);
        assertEquals(3952, p2.sectorCount());
        byte[] b = new byte[512];
        b[0] = 5;
        p2.write(0, MemorySegment.ofArray(b));
        assertEquals(5, disk.toByteArray()[6048 * 512]);
    }

    @Test
    void gptPartitionsRoundTripWithNamesAndGuids() throws Exception {
        for (int sectorSize : new int[] {512, 4096}) {
            MemoryBlock disk = MemoryBlock.create(sectorSize, 4000);
            long first = PartitionTable.gptFirstUsable(disk);
            Partition a = Partition.gpt("EFI system", Partition.EFI_SYSTEM, first, 100);
            Partition b = Partition.gpt("données", Partition.LINUX_FILESYSTEM, first + 100, 500);
            UUID diskId = UUID.randomUUID();
            PartitionTable.writeGpt(disk, diskId, List.of(a, b));
            List<Partition> read = PartitionTable.read(disk);
            assertEquals(2, read.size());
            assertEquals(new Partition(1, Partition.Scheme.GPT, first, 100, 0, Partition.EFI_SYSTEM, a.uniqueGuid(),
                    "EFI system", 0), read.get(0));
            assertEquals("données", read.get(1).name());
            assertEquals(b.uniqueGuid(), read.get(1).uniqueGuid());
        }
    }

    @Test
    void aDamagedPrimaryGptFallsBackToTheBackupAndTwoDamagedOnesAreReported() throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 4000);
        PartitionTable.writeGpt(disk, UUID.randomUUID(),
                List.of(Partition.gpt("x", Partition.BASIC_DATA, PartitionTable.gptFirstUsable(disk), 64)));
        ByteIo.write(disk, 512 + 60, new byte[] {1}, 0, 1); // inside the primary header: its CRC fails
        assertEquals(1, PartitionTable.read(disk).size());
        ByteIo.write(disk, 3999L * 512 + 60, new byte[] {1}, 0, 1);
        PartitionTableException e = assertThrows(PartitionTableException.class, () -> PartitionTable.read(disk));
        assertTrue(e.getMessage().contains("both GPT headers are damaged"), e.getMessage());
        assertTrue(e.getMessage().contains("CRC32"), e.getMessage());
    }

    @Test
    void damagedGptEntriesAreReported() throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 4000);
        PartitionTable.writeGpt(disk, UUID.randomUUID(),
                List.of(Partition.gpt("x", Partition.BASIC_DATA, PartitionTable.gptFirstUsable(disk), 64)));
        ByteIo.write(disk, 1024 + 40, new byte[] {7}, 0, 1); // primary entries
        assertEquals(64, PartitionTable.read(disk).getFirst().sectorCount(), "the backup's entries are intact");
    }

    @Test
    void logicalPartitionsAreFollowedThroughTheirChain() throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 10_000);
        byte[] mbr = new byte[512];
        entry(mbr, 0, 0x83, 100, 100);
        entry(mbr, 1, 0x05, 1000, 5000);
        sign(mbr);
        ByteIo.write(disk, 0, mbr, 0, 512);
        byte[] ebr1 = new byte[512];
        entry(ebr1, 0, 0x0C, 63, 1000); // logical 5 at 1063
        entry(ebr1, 1, 0x05, 2000, 1000); // next EBR at 1000+2000
        sign(ebr1);
        ByteIo.write(disk, 1000L * 512, ebr1, 0, 512);
        byte[] ebr2 = new byte[512];
        entry(ebr2, 0, 0x83, 63, 500); // logical 6 at 3063
        sign(ebr2);
        ByteIo.write(disk, 3000L * 512, ebr2, 0, 512);
        List<Partition> read = PartitionTable.read(disk);
        assertEquals(List.of(1, 5, 6), read.stream().map(Partition::number).toList());
        assertEquals(1063, read.get(1).firstSector());
        assertEquals(3063, read.get(2).firstSector());
        // a loop in the chain is reported, not followed forever: the second EBR links to itself
        entry(ebr2, 1, 0x05, 2000, 1000);
        ByteIo.write(disk, 3000L * 512, ebr2, 0, 512);
        PartitionTableException e = assertThrows(PartitionTableException.class, () -> PartitionTable.read(disk));
        assertTrue(e.getMessage().contains("loops"), e.getMessage());
    }

    @Test
    void aPartitionPastTheEndOfTheDiskIsReported() throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 1000);
        byte[] mbr = new byte[512];
        entry(mbr, 0, 0x83, 100, 1000);
        sign(mbr);
        ByteIo.write(disk, 0, mbr, 0, 512);
        PartitionTableException e = assertThrows(PartitionTableException.class, () -> PartitionTable.read(disk));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    }

    @Test
    void writersRefuseOverlapsAndPartitionsOutsideTheDisk() {
        MemoryBlock disk = MemoryBlock.create(512, 1000);
        assertThrows(IllegalArgumentException.class,
                () -> PartitionTable.writeMbr(disk, List.of(Partition.mbr(0x83, 10, 100), Partition.mbr(0x83, 50, 100))));
        assertThrows(IllegalArgumentException.class, () -> PartitionTable.writeMbr(disk, List.of(Partition.mbr(0x83, 10, 1000))));
        assertThrows(IllegalArgumentException.class,
                () -> PartitionTable.writeGpt(disk, UUID.randomUUID(), List.of(Partition.gpt("a", Partition.BASIC_DATA, 1, 10))));
    }

    static void entry(byte[] b, int slot, int type, long first, long count) {
        int at = 446 + 16 * slot;
        b[at + 4] = (byte) type;
        ByteIo.put32(b, at + 8, first);
        ByteIo.put32(b, at + 12, count);
    }

    static void sign(byte[] b) {
        b[510] = 0x55;
        b[511] = (byte) 0xAA;
    }
}
