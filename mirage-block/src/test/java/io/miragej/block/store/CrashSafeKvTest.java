package io.miragej.block.store;

import static io.miragej.block.store.StoreTestSupport.CLOCK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.block.Blocks;
import io.miragej.block.FaultyBlock;
import io.miragej.block.MemoryBlock;
import io.miragej.block.internal.ByteIo;
import io.miragej.kv.KvException;
import io.miragej.kv.KvException.Reason;
import io.miragej.kv.KvKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CrashSafeKvTest {
    private static KvKey k(String p) {
        return KvKey.parse(p);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void largeValuesLiveInDataPagesAndReadBackInParts() throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(16L << 20);
        CrashSafeKv kv = CrashSafeKv.format(disk, CLOCK);
        byte[] big = random(3_000_000, 1); // more data pages than one extent page lists
        kv.set(k("/big"), big);
        kv.set(k("/small"), bytes("inline"));
        assertArrayEquals(big, kv.get(k("/big")));
        assertArrayEquals(Arrays.copyOfRange(big, 4090, 4200), kv.getPartial(k("/big"), 4090, 110));
        assertArrayEquals(Arrays.copyOfRange(big, 2_999_990, 3_000_000), kv.getPartial(k("/big"), 2_999_990, 100));
        CrashSafeKv again = CrashSafeKv.open(disk, CLOCK);
        assertArrayEquals(big, again.get(k("/big")));
        assertEquals(3_000_000, again.size(k("/big")));
        assertEquals(2, again.valueCount());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_123L), again.lastModified(k("/small")));
    }

    @Test
    void manyKeysGrowTheTreeAndRemovingThemShrinksIt() throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(8L << 20);
        CrashSafeKv kv = CrashSafeKv.format(disk, 1024, CLOCK);
        Map<KvKey, byte[]> model = new TreeMap<>();
        Random r = new Random(2);
        for (int i = 0; i < 3000; i++) {
            KvKey key = KvKey.of("d" + r.nextInt(20), "key number " + i);
            byte[] v = random(r.nextInt(200), i);
            kv.set(key, v);
            model.put(key, v);
        }
        assertTrue(StoreTestSupport.same(model, StoreTestSupport.dump(CrashSafeKv.open(disk, CLOCK))));
        for (int d = 0; d < 20; d += 2) {
            kv.remove(KvKey.of("d" + d));
            int dd = d;
            model.keySet().removeIf(x -> x.segments().getFirst().equals("d" + dd));
        }
        CrashSafeKv again = CrashSafeKv.open(disk, CLOCK);
        assertTrue(StoreTestSupport.same(model, StoreTestSupport.dump(again)));
        assertEquals(model.size(), again.valueCount());
        again.remove(KvKey.ROOT);
        assertEquals(0, again.valueCount());
        assertEquals(java.util.List.of(), again.list(KvKey.ROOT));
    }

    @Test
    void aFullStoreSaysSoKeepsItsDataAndReusesFreedPages() throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(256L << 10);
        CrashSafeKv kv = CrashSafeKv.format(disk, 1024, CLOCK);
        int stored = 0;
        KvException full = null;
        while (full == null) {
            try {
                kv.set(KvKey.of("v" + stored), random(20_000, stored));
                stored++;
            } catch (KvException e) {
                full = e;
            }
        }
        assertEquals(Reason.NO_SPACE, full.reason());
        assertTrue(full.getMessage().contains("full"), full.getMessage());
        assertTrue(stored >= 8, "a 256 KiB store holds several 20 KB values: " + stored);
        for (int i = 0; i < stored; i++) {
            assertArrayEquals(random(20_000, i), kv.get(KvKey.of("v" + i)));
        }
        // round and round: freed pages come back, many times over the device
        for (int round = 0; round < 50; round++) {
            kv.remove(KvKey.of("v" + (round % stored)));
            kv.set(KvKey.of("v" + (round % stored)), random(20_000, 1000 + round));
        }
        CrashSafeKv again = CrashSafeKv.open(disk, CLOCK);
        assertEquals(stored, again.valueCount());
        assertArrayEquals(random(20_000, 1049), again.get(KvKey.of("v" + (49 % stored))));
    }

    @Test
    void mistakesAreRefusedSayingWhy() throws Exception {
        CrashSafeKv kv = CrashSafeKv.format(MemoryBlock.ofSize(1L << 20), CLOCK);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kv.set(KvKey.of("x".repeat(600)), bytes("v")));
        assertTrue(e.getMessage().contains("at most 512"), e.getMessage());
        KvException blank = assertThrows(KvException.class, () -> CrashSafeKv.open(MemoryBlock.ofSize(1L << 20), CLOCK));
        assertEquals(Reason.CORRUPT, blank.reason());
        assertTrue(blank.getMessage().contains("no crash-safe store"), blank.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CrashSafeKv.format(MemoryBlock.ofSize(1L << 20), 3000, CLOCK));
        assertThrows(IllegalArgumentException.class, () -> CrashSafeKv.format(MemoryBlock.ofSize(8192), CLOCK));
    }

    @Test
    void openOrFormatFormatsOnlyBlankDevices() throws Exception {
        MemoryBlock blank = MemoryBlock.ofSize(1L << 20);
        CrashSafeKv.openOrFormat(blank, CLOCK).set(k("/x"), bytes("1"));
        assertArrayEquals(bytes("1"), CrashSafeKv.openOrFormat(blank, CLOCK).get(k("/x")), "opened, not formatted again");
        MemoryBlock other = MemoryBlock.ofSize(1L << 20);
        ByteIo.write(other, 5000, bytes("someone else's data"), 0, 19);
        KvException e = assertThrows(KvException.class, () -> CrashSafeKv.openOrFormat(other, CLOCK));
        assertEquals(Reason.CORRUPT, e.reason());
    }

    @Test
    void aReadOnlyDeviceIsReadButNotWritten() throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(1L << 20);
        CrashSafeKv.format(disk, CLOCK).set(k("/a/b"), bytes("v"));
        CrashSafeKv ro = CrashSafeKv.open(Blocks.readOnly(disk), CLOCK);
        assertArrayEquals(bytes("v"), ro.get(k("/a/b")));
        assertEquals(Reason.READ_ONLY, assertThrows(KvException.class, () -> ro.set(k("/c"), bytes("v"))).reason());
    }

    @Test
    void sectorsOf4096BytesWork() throws Exception {
        MemoryBlock disk = MemoryBlock.create(4096, 512);
        CrashSafeKv kv = CrashSafeKv.format(disk, CLOCK);
        kv.set(k("/x"), random(50_000, 3));
        assertArrayEquals(random(50_000, 3), CrashSafeKv.open(disk, CLOCK).get(k("/x")));
    }

    /** A failing disk gives clear errors and changes nothing stored; once it works again, so does the store. */
    @Test
    void ioErrorsAreReportedAndCorruptNothing() throws Exception {
        MemoryBlock durable = MemoryBlock.ofSize(1L << 20);
        FaultyBlock disk = FaultyBlock.over(durable);
        CrashSafeKv kv = CrashSafeKv.format(disk, CLOCK);
        kv.set(k("/kept"), bytes("kept"));
        kv.set(k("/big"), random(30_000, 4));
        long generation = kv.generation();
        disk.failAllWrites();
        KvException e = assertThrows(KvException.class, () -> kv.set(k("/kept"), bytes("new")));
        assertEquals(Reason.IO, e.reason());
        assertTrue(e.getMessage().contains("nothing stored before was changed"), e.getMessage());
        assertEquals(Reason.IO, assertThrows(KvException.class, () -> kv.remove(k("/big"))).reason());
        assertEquals(Reason.IO, assertThrows(KvException.class, () -> kv.set(k("/new"), random(30_000, 5))).reason());
        assertArrayEquals(bytes("kept"), kv.get(k("/kept")), "reads still work");
        disk.heal().failFlushes(true);
        assertEquals(Reason.IO, assertThrows(KvException.class, () -> kv.set(k("/kept"), bytes("new"))).reason());
        disk.heal().failAllReads();
        KvException read = assertThrows(KvException.class, () -> kv.get(k("/big")));
        assertEquals(Reason.IO, read.reason());
        disk.heal();
        assertEquals(generation, CrashSafeKv.open(disk, CLOCK).generation(), "no failed change was committed");
        assertArrayEquals(random(30_000, 4), kv.get(k("/big")));
        kv.set(k("/after"), bytes("works"));
        CrashSafeKv again = CrashSafeKv.open(durable, CLOCK);
        assertArrayEquals(bytes("kept"), again.get(k("/kept")));
        assertArrayEquals(bytes("works"), again.get(k("/after")));
    }

    /** Found by ioErrorsAtRandomNeverDamageTheStore: removing the last key leaves no page of the transaction's own. */
    @Test
    void aFailedRemovalOfTheLastKeyChangesNothing() throws Exception {
        FaultyBlock disk = FaultyBlock.over(MemoryBlock.ofSize(1L << 20));
        CrashSafeKv kv = CrashSafeKv.format(disk, CLOCK);
        kv.set(k("/a"), bytes("only"));
        disk.failFlushNumber(disk.flushCount());
        assertEquals(Reason.IO, assertThrows(KvException.class, () -> kv.remove(k("/a"))).reason());
        disk.heal();
        assertArrayEquals(bytes("only"), kv.get(k("/a")));
        assertEquals(1, kv.valueCount());
        kv.set(k("/b"), bytes("next"));
        assertEquals(2, CrashSafeKv.open(disk, CLOCK).valueCount());
    }

    /** A failure while writing the superblock leaves the outcome unknown; the next call finds it out from the disk. */
    @Test
    void aFailedSuperblockWriteIsResolvedByTheNextCall() throws Exception {
        for (boolean writeLands : new boolean[] {false, true}) {
            MemoryBlock durable = MemoryBlock.ofSize(1L << 20);
            FaultyBlock disk = FaultyBlock.over(durable);
            CrashSafeKv kv = CrashSafeKv.format(disk, CLOCK);
            kv.set(k("/v"), bytes("old"));
            // the next generation's superblock goes to page (g+1) % 2; fail only that sector's write
            long slot = (kv.generation() + 1) % 2 * CrashSafeKv.DEFAULT_PAGE_SIZE / 512;
            if (writeLands) {
                disk.failFlushNumber(disk.flushCount() + 1); // the superblock is written, the flush after it fails
            } else {
                disk.failWrites(slot, 1);
            }
            KvException e = assertThrows(KvException.class, () -> kv.set(k("/v"), bytes("new")));
            assertEquals(Reason.IO, e.reason());
            assertTrue(e.getMessage().contains("found out at the next call"), e.getMessage());
            disk.heal();
            assertArrayEquals(bytes(writeLands ? "new" : "old"), kv.get(k("/v")));
            kv.set(k("/w"), bytes("later"));
            CrashSafeKv again = CrashSafeKv.open(durable, CLOCK);
            assertArrayEquals(bytes(writeLands ? "new" : "old"), again.get(k("/v")));
            assertArrayEquals(bytes("later"), again.get(k("/w")));
        }
    }

    /** Damage to any single byte of the device is reported as CORRUPT or harmless; never wrong data. */
    @Test
    void damageAnywhereIsDetectedNeverReturned() throws Exception {
        MemoryBlock pristine = MemoryBlock.ofSize(64L << 10);
        CrashSafeKv kv = CrashSafeKv.format(pristine, 1024, CLOCK);
        Map<KvKey, byte[]> model = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            byte[] v = random(i % 3 == 0 ? 2500 : 40, i);
            kv.set(KvKey.of("dir" + i % 2, "key" + i), v);
            model.put(KvKey.of("dir" + i % 2, "key" + i), v);
        }
        byte[] image = pristine.toByteArray();
        int corruptions = 0;
        for (int at = 0; at < image.length; at += 97) {
            byte[] damaged = image.clone();
            damaged[at] ^= 0x20;
            MemoryBlock disk = MemoryBlock.of(damaged, 512, false);
            try {
                CrashSafeKv opened = CrashSafeKv.open(disk, CLOCK);
                for (Map.Entry<KvKey, byte[]> e : model.entrySet()) {
                    try {
                        assertArrayEquals(e.getValue(), opened.get(e.getKey()), "byte " + at + " damaged: wrong data for " + e.getKey());
                    } catch (KvException x) {
                        assertTrue(x.reason() == Reason.CORRUPT || x.reason() == Reason.NOT_FOUND, x.getMessage());
                        corruptions++;
                    }
                }
            } catch (KvException x) {
                assertEquals(Reason.CORRUPT, x.reason(), x.getMessage());
                corruptions++;
            }
        }
        assertTrue(corruptions > 0, "some damage must hit live pages");
    }
}
