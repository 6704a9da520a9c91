package io.miragej.block.fat;

import static io.miragej.block.fat.FatTestSupport.CLOCK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.block.Blocks;
import io.miragej.block.FaultyBlock;
import io.miragej.block.MemoryBlock;
import io.miragej.block.Partition;
import io.miragej.block.PartitionTable;
import io.miragej.device.Block;
import io.miragej.kv.KvException;
import io.miragej.kv.KvException.Reason;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv.Entry;
import io.miragej.kv.ReadOnlyKv.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FatFileSystemTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static KvKey k(String path) {
        return KvKey.parse(path);
    }

    private static FatFileSystem fat16() throws Exception {
        return FatFileSystem.format(MemoryBlock.ofSize(16L << 20), FatFormat.defaults().withType(FatType.FAT16), CLOCK);
    }

    @Test
    void namesAreCaseInsensitiveButKeepTheirCase() throws Exception {
        FatFileSystem fs = fat16();
        fs.set(k("/Mixed Case Name.Txt"), bytes("one"));
        assertArrayEquals(bytes("one"), fs.get(k("/mixed case name.TXT")));
        fs.set(k("/MIXED CASE NAME.TXT"), bytes("two"));
        assertEquals(List.of(new Entry("Mixed Case Name.Txt", Kind.VALUE)), fs.list(KvKey.ROOT), "one file, its first spelling");
        assertArrayEquals(bytes("two"), fs.get(k("/Mixed Case Name.Txt")));
    }

    @Test
    void aLongNameIsAlsoReachableByItsShortAlias() throws Exception {
        FatFileSystem fs = fat16();
        fs.set(k("/A rather long name.markdown"), bytes("x"));
        fs.set(k("/A rather long name, again.markdown"), bytes("y"));
        assertArrayEquals(bytes("x"), fs.get(k("/ARATHE~1.MAR")));
        assertArrayEquals(bytes("y"), fs.get(k("/arathe~2.mar")));
    }

    @Test
    void namesFatCannotHoldAreRefusedSayingWhy() throws Exception {
        FatFileSystem fs = fat16();
        for (String bad : List.of("a:b", "what?", "star*", "trailing.", "trailing ", " leading", "tab\tname", "x".repeat(256))) {
            KvException e = assertThrows(KvException.class, () -> fs.set(KvKey.of(bad), bytes("v")));
            assertEquals(KvException.Reason.UNSUPPORTED_KEY, e.reason());
            assertTrue(e.getMessage().contains("FAT names"), e.getMessage());
        }
        fs.set(KvKey.of("x".repeat(255)), bytes("longest"));
        assertArrayEquals(bytes("longest"), fs.get(KvKey.of("x".repeat(255))));
        fs.set(KvKey.of("ünïcødé ☃ [1] + 2; =.txt"), bytes("fine"));
        assertEquals(Optional.of(Kind.VALUE), fs.exists(KvKey.of("ÜNÏCØDÉ ☃ [1] + 2; =.TXT")));
        fs.set(KvKey.of("beyond the BMP 😀"), bytes("surrogates are stored as UTF-16, as Windows and Linux do"));
        assertEquals(Optional.of(Kind.VALUE), fs.exists(KvKey.of("beyond the BMP 😀")));
    }

    @Test
    void freeSpaceIsCountedInWholeClusters() throws Exception {
        for (FatType type : FatType.values()) {
            MemoryBlock disk = MemoryBlock.ofSize(type == FatType.FAT32 ? 40L << 20 : 8L << 20);
            FatFileSystem fs = FatFileSystem.format(disk,
                    FatFormat.defaults().withType(type).withSectorsPerCluster(type == FatType.FAT12 ? 4 : type == FatType.FAT16 ? 2 : 1), CLOCK);
            int cb = fs.clusterBytes();
            long empty = fs.freeBytes();
            assertEquals(fs.totalBytes() - (type == FatType.FAT32 ? cb : 0), empty, type + ": only FAT32's root takes a cluster");
            fs.set(k("/f"), new byte[3 * cb + 1]);
            assertEquals(empty - 4L * cb, fs.freeBytes(), type.toString());
            fs.set(k("/d/e/g"), new byte[0]);
            assertEquals(empty - 6L * cb, fs.freeBytes(), type + ": two directories of one cluster, an empty file of none");
            fs.truncate(k("/f"), cb);
            assertEquals(empty - 3L * cb, fs.freeBytes(), type.toString());
            fs.remove(k("/d"));
            fs.remove(k("/f"));
            assertEquals(empty, fs.freeBytes(), type.toString());
            FatFileSystem again = FatFileSystem.mount(disk, CLOCK);
            assertEquals(empty, again.freeBytes(), type + ": the count after mounting agrees");
        }
    }

    @Test
    void aFullVolumeSaysSoAndKeepsWhatItHad() throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(1L << 20);
        FatFileSystem fs = FatFileSystem.format(disk, FatFormat.defaults(), CLOCK);
        assertEquals(FatType.FAT12, fs.type());
        byte[] chunk = new byte[100_000];
        Arrays.fill(chunk, (byte) 7);
        int stored = 0;
        KvException full = null;
        while (full == null) {
            try {
                fs.set(k("/f" + stored), chunk);
                stored++;
            } catch (KvException e) {
                full = e;
            }
        }
        assertEquals(Reason.NO_SPACE, full.reason());
        assertTrue(full.getMessage().contains("full"), full.getMessage());
        long free = fs.freeBytes();
        assertTrue(free < chunk.length);
        assertEquals(Optional.empty(), fs.exists(k("/f" + stored)), "the failed set left nothing behind");
        FatFileSystem again = FatFileSystem.mount(disk, CLOCK);
        assertEquals(free, again.freeBytes());
        for (int i = 0; i < stored; i++) {
            assertArrayEquals(chunk, again.get(k("/f" + i)));
        }
        // replacing a value with a larger one when only the old one's space is free still works
        again.set(k("/f0"), new byte[chunk.length + (int) free]);
        assertEquals(0, again.freeBytes());
    }

    @Test
    void theFixedRootDirectoryFillsUpButSubdirectoriesGrow() throws Exception {
        FatFileSystem fs = FatFileSystem.format(MemoryBlock.ofSize(2L << 20), FatFormat.defaults().withRootEntries(16), CLOCK);
        for (int i = 0; i < 16; i++) {
            fs.set(k("/F" + i), bytes("v"));
        }
        KvException e = assertThrows(KvException.class, () -> fs.set(k("/F16"), bytes("v")));
        assertEquals(Reason.NO_SPACE, e.reason());
        assertTrue(e.getMessage().contains("root directory is full"), e.getMessage());
        fs.remove(k("/F15"));
        for (int i = 0; i < 300; i++) {
            fs.set(k("/SUB/a file with a long name number " + i), bytes("v" + i)); // an 8.3 name takes one slot
        }
        assertEquals(300, fs.list(k("/SUB")).size());
        assertArrayEquals(bytes("v299"), fs.get(k("/sub/a file with a long name number 299")));
    }

    @Test
    void renameMovesFilesAndDirectoriesAndReplacesFiles() throws Exception {
        FatFileSystem fs = fat16();
        fs.set(k("/a/b/file"), bytes("1"));
        fs.set(k("/a/other"), bytes("2"));
        fs.set(k("/target"), bytes("3"));
        fs.rename(k("/a/b"), k("/c/moved b"));
        assertArrayEquals(bytes("1"), fs.get(k("/c/moved b/file")));
        assertEquals(Optional.empty(), fs.exists(k("/a/b")));
        fs.rename(k("/a/other"), k("/target"));
        assertArrayEquals(bytes("2"), fs.get(k("/target")));
        fs.rename(k("/target"), k("/TARGET"));
        assertEquals(List.of("TARGET", "a", "c"), fs.list(KvKey.ROOT).stream().map(Entry::name).toList());
        assertThrows(IllegalArgumentException.class, () -> fs.rename(k("/c"), k("/c/moved b/inside")));
        assertEquals(Reason.NOT_FOUND, assertThrows(KvException.class, () -> fs.rename(k("/nope"), k("/x"))).reason());
        assertEquals(Reason.VALUE_EXPECTED, assertThrows(KvException.class, () -> fs.rename(k("/TARGET"), k("/c"))).reason());
        assertEquals(Reason.DICTIONARY_EXPECTED, assertThrows(KvException.class, () -> fs.rename(k("/c"), k("/TARGET"))).reason());
        // the moved directory's ".." now names its new parent: moving it back and reading through it works
        fs.rename(k("/c/moved b"), k("/b again"));
        assertArrayEquals(bytes("1"), fs.get(k("/b again/file")));
    }

    @Test
    void truncateAndPartialWritesKeepZerosInGaps() throws Exception {
        FatFileSystem fs = FatFileSystem.format(MemoryBlock.ofSize(2L << 20), FatFormat.defaults().withSectorsPerCluster(1), CLOCK);
        byte[] ones = new byte[1500];
        Arrays.fill(ones, (byte) 1);
        fs.set(k("/f"), ones);
        fs.truncate(k("/f"), 700);
        fs.truncate(k("/f"), 3000);
        byte[] got = fs.get(k("/f"));
        assertEquals(3000, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(i < 700 ? 1 : 0, got[i], "byte " + i);
        }
        fs.write(k("/new/g"), 5000, bytes("tail"));
        assertEquals(5004, fs.size(k("/new/g")));
        assertArrayEquals(new byte[5000], fs.getPartial(k("/new/g"), 0, 5000));
        fs.write(k("/new/g"), 510, bytes("across a sector boundary"));
        assertArrayEquals(bytes("across a sector boundary"), fs.getPartial(k("/new/g"), 510, 24));
        assertArrayEquals(bytes("tail"), fs.getPartial(k("/new/g"), 5000, 100));
        fs.truncate(k("/new/g"), 0);
        assertArrayEquals(new byte[0], fs.get(k("/new/g")));
        assertEquals(Reason.VALUE_EXPECTED, assertThrows(KvException.class, () -> fs.truncate(k("/new"), 1)).reason());
    }

    @Test
    void everythingSurvivesRemountingAndTimesAreKept() throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(8L << 20);
        FatFileSystem fs = FatFileSystem.format(disk, FatFormat.defaults().withLabel("data"), CLOCK);
        fs.set(k("/dir/file.bin"), bytes("kept"));
        fs.mkdir(k("/empty/dir"));
        FatFileSystem again = FatFileSystem.mount(disk, CLOCK);
        assertEquals("DATA", again.label());
        assertArrayEquals(bytes("kept"), again.get(k("/dir/file.bin")));
        assertEquals(List.of(new Entry("dir", Kind.DICTIONARY)), again.list(k("/empty")));
        assertEquals(Instant.parse("2023-11-14T22:13:20Z"), again.lastModified(k("/dir/file.bin")));
    }

    @Test
    void theDirectoryCacheStaysWithinItsBound() throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(16L << 20);
        FatFileSystem fs = FatFileSystem.format(disk, FatFormat.defaults().withType(FatType.FAT16).withSectorsPerCluster(1), CLOCK);
        fs.limitDirectoryCache(8 * 1024);
        for (int d = 0; d < 12; d++) {
            for (int f = 0; f < 40; f++) {
                fs.set(KvKey.of("directory " + d, "a file with a long name " + f), bytes(d + "/" + f));
                assertTrue(fs.cachedDirectoryBytes() <= 8 * 1024, fs.cachedDirectoryBytes() + " bytes cached");
            }
        }
        for (int round = 0; round < 2; round++) {
            for (int d = 0; d < 12; d++) {
                assertArrayEquals(bytes(d + "/7"), fs.get(KvKey.of("directory " + d, "a file with a long name 7")));
                assertTrue(fs.cachedDirectoryBytes() <= 8 * 1024, fs.cachedDirectoryBytes() + " bytes cached");
            }
        }
    }

    @Test
    void aDeviceWithoutFatIsNotMistakenForOne() throws Exception {
        KvException e = assertThrows(KvException.class, () -> FatFileSystem.mount(MemoryBlock.ofSize(1L << 20), CLOCK));
        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("not a FAT file system"), e.getMessage());
    }

    @Test
    void formatSaysWhatFitsWhenATypeDoesNot() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FatFileSystem.format(MemoryBlock.ofSize(8L << 20), FatFormat.defaults().withType(FatType.FAT32), CLOCK));
        assertTrue(e.getMessage().contains("FAT32 volume needs 65525"), e.getMessage());
    }

    @Test
    void aReadOnlyDeviceIsReadButNotWritten() throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(4L << 20);
        FatFileSystem.format(disk, FatFormat.defaults(), CLOCK).set(k("/f"), bytes("v"));
        FatFileSystem ro = FatFileSystem.mount(Blocks.readOnly(disk), CLOCK);
        assertArrayEquals(bytes("v"), ro.get(k("/f")));
        assertEquals(Reason.READ_ONLY, assertThrows(KvException.class, () -> ro.set(k("/g"), bytes("v"))).reason());
        assertEquals(Reason.READ_ONLY, assertThrows(KvException.class, () -> ro.remove(k("/f"))).reason());
    }

    @Test
    void sectorsOf4096BytesWork() throws Exception {
        MemoryBlock disk = MemoryBlock.create(4096, 4096);
        FatFileSystem fs = FatFileSystem.format(disk, FatFormat.defaults().withType(FatType.FAT16), CLOCK);
        fs.set(k("/a/b"), new byte[10_000]);
        fs.set(k("/a/c"), bytes("small"));
        FatFileSystem again = FatFileSystem.mount(disk, CLOCK);
        assertEquals(10_000, again.size(k("/a/b")));
        assertArrayEquals(bytes("small"), again.get(k("/a/c")));
    }

    @Test
    void aVolumeInAPartitionIsFoundThroughTheTable() throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(32L << 20);
        PartitionTable.writeGpt(disk, UUID.randomUUID(), List.of(Partition.gpt("data", Partition.BASIC_DATA, 2048, 40_000)));
        Block part = PartitionTable.read(disk).getFirst().open(disk);
        FatFileSystem.format(part, FatFormat.defaults(), CLOCK).set(k("/in/partition"), bytes("yes"));
        FatFileSystem again = FatFileSystem.mount(PartitionTable.read(disk).getFirst().open(disk), CLOCK);
        assertArrayEquals(bytes("yes"), again.get(k("/in/partition")));
        assertEquals(1, PartitionTable.read(disk).size(), "the table is untouched");
    }

    @Test
    void deviceErrorsAreReportedAndWhatWasStoredStaysReadable() throws Exception {
        MemoryBlock durable = MemoryBlock.ofSize(4L << 20);
        FaultyBlock disk = FaultyBlock.over(durable);
        FatFileSystem fs = FatFileSystem.format(disk, FatFormat.defaults(), CLOCK);
        fs.set(k("/kept/one"), bytes("one"));
        fs.set(k("/kept/two"), bytes("two"));
        disk.failAllWrites();
        KvException e = assertThrows(KvException.class, () -> fs.set(k("/kept/three"), new byte[5000]));
        assertEquals(Reason.IO, e.reason());
        assertTrue(e.getMessage().contains("device failed"), e.getMessage());
        assertEquals(Reason.IO, assertThrows(KvException.class, () -> fs.set(k("/kept/one"), bytes("new"))).reason());
        assertEquals(Reason.IO, assertThrows(KvException.class, () -> fs.remove(k("/kept/two"))).reason());
        disk.heal().failAllReads();
        assertEquals(Reason.IO, assertThrows(KvException.class, () -> fs.get(k("/kept/one"))).reason());
        disk.heal();
        assertArrayEquals(bytes("one"), fs.get(k("/kept/one")));
        assertArrayEquals(bytes("two"), fs.get(k("/kept/two")));
        fs.set(k("/kept/three"), bytes("three"));
        FatFileSystem again = FatFileSystem.mount(durable, CLOCK);
        assertEquals(Set.of("one", "two", "three"), Set.copyOf(again.list(k("/kept")).stream().map(Entry::name).toList()));
    }

    /** Replacing a value is crash-atomic: cut the power at every write of a set, find the old or the new value. */
    @Test
    void replacingAValueSurvivesAPowerCutAtEveryWrite() throws Exception {
        for (boolean keepSome : new boolean[] {false, true}) {
            MemoryBlock base = MemoryBlock.ofSize(2L << 20);
            FatFileSystem.format(base, FatFormat.defaults().withSectorsPerCluster(1), CLOCK).set(k("/dir/value"), new byte[2000]);
            byte[] image = base.toByteArray();
            byte[] next = new byte[3000];
            Arrays.fill(next, (byte) 9);
            FaultyBlock probe = FaultyBlock.over(MemoryBlock.of(image, 512, false));
            FatFileSystem.mount(probe, CLOCK).set(k("/dir/value"), next);
            long writes = probe.writeCount();
            assertTrue(writes >= 3, "a replacement writes data, table and entry: " + writes);
            Map<Boolean, Integer> seen = new java.util.HashMap<>();
            for (long cut = 0; cut <= writes; cut++) {
                FaultyBlock disk = FaultyBlock.over(MemoryBlock.of(image, 512, false));
                if (keepSome) {
                    disk.keepSomeUnflushedWrites(cut);
                }
                disk.cutPowerAtWrite(cut);
                FatFileSystem fs = FatFileSystem.mount(disk, CLOCK);
                try {
                    fs.set(k("/dir/value"), next);
                } catch (KvException expected) {
                    assertEquals(Reason.IO, expected.reason());
                }
                disk.powerOn();
                byte[] after = FatFileSystem.mount(disk, CLOCK).get(k("/dir/value"));
                boolean isNew = Arrays.equals(after, next);
                assertTrue(isNew || Arrays.equals(after, new byte[2000]), "cut at write " + cut + ": neither old nor new");
                seen.merge(isNew, 1, Integer::sum);
            }
            assertEquals(2, seen.size(), "some cuts keep the old value, later ones the new: " + seen);
        }
    }
}
