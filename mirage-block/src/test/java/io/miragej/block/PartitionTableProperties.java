package io.miragej.block;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.miragej.block.internal.ByteIo;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class PartitionTableProperties {
    /** Reading arbitrary bytes gives partitions inside the disk or a PartitionTableException, nothing else. */
    @Property(tries = 300)
    void arbitraryFirstSectorsNeverCrashTheReader(@ForAll @Size(min = 4096, max = 4096) byte[] start,
            @ForAll boolean signed, @ForAll @IntRange(min = 0, max = 3) int protectiveSlot, @ForAll boolean gpt)
            throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 64);
        if (signed) {
            PartitionTableTest.sign(start);
            for (int i = 0; i < 4; i++) {
                start[446 + 16 * i] = (byte) (start[446 + 16 * i] < 0 ? 0x80 : 0);
            }
        }
        if (gpt) {
            start[446 + 16 * protectiveSlot + 4] = (byte) 0xEE;
            System.arraycopy("EFI PART".getBytes(), 0, start, 512, 8);
        }
        ByteIo.write(disk, 0, start, 0, start.length);
        readWithin(disk);
    }

    /** A GPT whose checksums are right but whose fields are arbitrary is read or refused cleanly. */
    @Property(tries = 300)
    void gptsWithValidChecksumsButArbitraryFieldsAreHandled(@ForAll @Size(min = 92, max = 92) byte[] header,
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int entryCountChoice) throws Exception {
        byte[] entries = new byte[640];
        new java.util.Random(seed).nextBytes(entries);
        MemoryBlock disk = MemoryBlock.create(512, 64);
        byte[] mbr = new byte[512];
        PartitionTableTest.entry(mbr, 0, 0xEE, 1, 63);
        PartitionTableTest.sign(mbr);
        ByteIo.write(disk, 0, mbr, 0, 512);
        System.arraycopy("EFI PART".getBytes(), 0, header, 0, 8);
        ByteIo.put32(header, 12, 92);
        ByteIo.put64(header, 24, 1);
        ByteIo.put64(header, 72, 2);
        ByteIo.put32(header, 80, new int[] {0, 1, 4, 5}[entryCountChoice]);
        ByteIo.put32(header, 84, 128);
        CRC32 c = new CRC32();
        c.update(entries, 0, (int) ByteIo.u32(header, 80) * 128);
        ByteIo.put32(header, 88, c.getValue());
        ByteIo.put32(header, 16, 0);
        CRC32 h = new CRC32();
        h.update(header);
        ByteIo.put32(header, 16, h.getValue());
        ByteIo.write(disk, 512, header, 0, 92);
        ByteIo.write(disk, 1024, entries, 0, 640);
        readWithin(disk);
    }

    private static void readWithin(MemoryBlock disk) throws Exception {
        try {
            for (Partition p : PartitionTable.read(disk)) {
                assertEquals(true, p.firstSector() >= 0 && p.endSector() <= disk.sectorCount(), p.toString());
                p.open(disk);
            }
        } catch (PartitionTableException expected) {
            // a damaged table is reported, which is what we want
        }
    }

    @Provide
    Arbitrary<List<long[]>> layouts() {
        return Arbitraries.longs().between(1, 300).array(long[].class).ofSize(2).list().ofMinSize(1).ofMaxSize(4);
    }

    /** Whatever non-overlapping layout is written, MBR or GPT, the same layout is read back. */
    @Property(tries = 200)
    void writtenLayoutsReadBack(@ForAll("layouts") List<long[]> gapsAndSizes, @ForAll boolean gpt) throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 4000);
        long at = gpt ? PartitionTable.gptFirstUsable(disk) : 1;
        List<Partition> parts = new ArrayList<>();
        for (long[] gs : gapsAndSizes) {
            at += gs[0] - 1;
            parts.add(gpt ? Partition.gpt("p" + parts.size(), Partition.BASIC_DATA, at, gs[1]) : Partition.mbr(0x83, at, gs[1]));
            at += gs[1];
        }
        if (gpt) {
            PartitionTable.writeGpt(disk, UUID.randomUUID(), parts);
        } else {
            PartitionTable.writeMbr(disk, parts);
        }
        List<Partition> read = PartitionTable.read(disk);
        assertEquals(parts.stream().map(p -> p.firstSector() + "+" + p.sectorCount()).toList(),
                read.stream().map(p -> p.firstSector() + "+" + p.sectorCount()).toList());
    }
}
