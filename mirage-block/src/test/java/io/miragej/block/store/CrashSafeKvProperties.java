package io.miragej.block.store;

import static io.miragej.block.store.StoreTestSupport.CLOCK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.miragej.block.FaultyBlock;
import io.miragej.block.MemoryBlock;
import io.miragej.block.internal.ByteIo;
import io.miragej.kv.KvException;
import io.miragej.kv.KvException.Reason;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class CrashSafeKvProperties {
    sealed interface Op {}

    record Set(KvKey key, int size, int fill) implements Op {}

    record Remove(KvKey key) implements Op {}

    @Provide
    Arbitrary<List<Op>> workloads() {
        Arbitrary<KvKey> key = Arbitraries.of("a", "b", "c", "dir").list().ofMinSize(1).ofMaxSize(2).map(KvKey::new);
        Arbitrary<Integer> size = Arbitraries.of(0, 7, 100, 300, 2000, 5000);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Combinators.combine(key, size, Arbitraries.integers().between(1, 255)).as(Set::new)),
                net.jqwik.api.Tuple.of(1, key.map(Remove::new)));
        return op.list().ofMinSize(1).ofMaxSize(20);
    }

    /** The contract's semantics for set and remove; null when the operation succeeds. */
    static Reason apply(Map<KvKey, byte[]> model, Op op) {
        switch (op) {
            case Set s -> {
                for (KvKey a = s.key().parent(); !a.isRoot(); a = a.parent()) {
                    if (model.containsKey(a)) {
                        return Reason.DICTIONARY_EXPECTED;
                    }
                }
                for (KvKey k : model.keySet()) {
                    if (k.startsWith(s.key()) && !k.equals(s.key())) {
                        return Reason.VALUE_EXPECTED;
                    }
                }
                model.put(s.key(), value(s));
            }
            case Remove r -> model.keySet().removeIf(k -> k.startsWith(r.key()));
        }
        return null;
    }

    static byte[] value(Set s) {
        byte[] v = new byte[s.size()];
        Arrays.fill(v, (byte) s.fill());
        if (v.length > 0) {
            v[v.length - 1] = (byte) (s.fill() * 7); // so a value is not one repeated byte
        }
        return v;
    }

    static void run(CrashSafeKv kv, Op op) throws KvException {
        switch (op) {
            case Set s -> kv.set(s.key(), value(s));
            case Remove r -> kv.remove(r.key());
        }
    }

    /**
     * The property the store exists for: cut the power at every write of a random workload (losing
     * every unflushed write, or keeping an arbitrary choice of them); the store then opens with the
     * state after the last acknowledged operation or after the one in flight, and keeps working.
     */
    @Property(tries = 250)
    void everyPowerCutLeavesAnAcknowledgedState(@ForAll("workloads") List<Op> ops, @ForAll boolean keepSome,
            @ForAll long seed) throws Exception {
        MemoryBlock base = MemoryBlock.ofSize(192L << 10);
        CrashSafeKv.format(base, 1024, CLOCK);
        byte[] formatted = base.toByteArray();
        FaultyBlock dry = FaultyBlock.over(MemoryBlock.of(formatted, 512, false));
        CrashSafeKv probe = CrashSafeKv.open(dry, CLOCK);
        long start = dry.writeCount();
        for (Op op : ops) {
            try {
                run(probe, op);
            } catch (KvException expected) {
                // a mistake the model also predicts
            }
        }
        long writes = dry.writeCount() - start;
        for (long cut = 0; cut <= writes; cut++) {
            FaultyBlock disk = FaultyBlock.over(MemoryBlock.of(formatted, 512, false));
            if (keepSome) {
                disk.keepSomeUnflushedWrites(seed + cut);
            }
            CrashSafeKv kv = CrashSafeKv.open(disk, CLOCK);
            disk.cutPowerAtWrite(disk.writeCount() + cut);
            Map<KvKey, byte[]> acknowledged = new TreeMap<>();
            Map<KvKey, byte[]> inFlight = null;
            for (Op op : ops) {
                Map<KvKey, byte[]> next = new TreeMap<>(acknowledged);
                Reason expected = apply(next, op);
                try {
                    run(kv, op);
                    assertEquals(null, expected, op + " should have failed");
                    acknowledged = next;
                } catch (KvException e) {
                    if (disk.powerIsOff()) {
                        inFlight = next;
                        break;
                    }
                    assertEquals(expected, e.reason(), op + ": " + e.getMessage());
                }
            }
            disk.powerOn();
            Map<KvKey, byte[]> found;
            CrashSafeKv reopened;
            try {
                reopened = CrashSafeKv.open(disk, CLOCK);
                found = StoreTestSupport.dump(reopened);
            } catch (KvException e) {
                throw new AssertionError("cut at write " + cut + " of " + writes + ": the store does not open cleanly", e);
            }
            boolean ok = StoreTestSupport.same(found, acknowledged) || (inFlight != null && StoreTestSupport.same(found, inFlight));
            assertTrue(ok, "cut at write " + cut + " of " + writes + (keepSome ? " (some unflushed writes kept)" : "")
                    + ": found " + StoreTestSupport.describe(found) + ", acknowledged " + StoreTestSupport.describe(acknowledged)
                    + (inFlight == null ? "" : ", in flight " + StoreTestSupport.describe(inFlight)));
            assertEquals(found.size(), reopened.valueCount(), "the value count matches");
            reopened.set(KvKey.of("after the cut"), new byte[3000]);
            found.put(KvKey.of("after the cut"), new byte[3000]);
            assertTrue(StoreTestSupport.same(found, StoreTestSupport.dump(CrashSafeKv.open(disk, CLOCK))),
                    "cut at write " + cut + ": the store keeps working");
        }
    }

    /** Any workload (eight times over) leaves what a model of the contract holds, reopened or not, with exact counts. */
    @Property(tries = 100)
    void workloadsAgreeWithAModel(@ForAll("workloads") List<Op> ops, @ForAll @IntRange(min = 0, max = 2) int pageSizeChoice)
            throws Exception {
        int pageSize = new int[] {1024, 2048, 4096}[pageSizeChoice];
        MemoryBlock disk = MemoryBlock.ofSize(384L << 10); // small: allocation goes round the device many times
        CrashSafeKv kv = CrashSafeKv.format(disk, pageSize, CLOCK);
        Map<KvKey, byte[]> model = new TreeMap<>();
        List<Op> repeated = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            repeated.addAll(ops);
        }
        for (Op op : repeated) {
            Reason expected = apply(model, op);
            try {
                run(kv, op);
                assertEquals(null, expected, op.toString());
            } catch (KvException e) {
                assertEquals(expected, e.reason(), op + ": " + e.getMessage());
            }
        }
        assertTrue(StoreTestSupport.same(model, StoreTestSupport.dump(kv)));
        CrashSafeKv again = CrashSafeKv.open(disk, CLOCK);
        assertTrue(StoreTestSupport.same(model, StoreTestSupport.dump(again)));
        assertEquals(model.size(), again.valueCount());
    }

    /**
     * With a look-ahead window of a few pages, allocation refills it and moves it round the device
     * all the time: the store still agrees with the model and never overwrites a live page.
     */
    @Property(tries = 60)
    void aSmallLookAheadWindowMovesRoundTheDevice(@ForAll("workloads") List<Op> ops,
            @ForAll @IntRange(min = 1, max = 40) int windowPages, @ForAll boolean reopenEachPass) throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(160L << 10);
        CrashSafeKv.format(disk, 1024, CLOCK);
        CrashSafeKv kv = CrashSafeKv.open(disk, CLOCK, windowPages);
        Map<KvKey, byte[]> model = new TreeMap<>();
        // cold values, written once: their pages must survive every lap the allocator makes
        for (int i = 0; i < 4; i++) {
            byte[] cold = new byte[i * 1500 + 10];
            Arrays.fill(cold, (byte) (100 + i));
            kv.set(KvKey.of("cold", "c" + i), cold);
            model.put(KvKey.of("cold", "c" + i), cold);
        }
        for (int pass = 0; pass < 6; pass++) {
            for (Op op : ops) {
                Reason expected = apply(model, op);
                try {
                    run(kv, op);
                    assertEquals(null, expected, op.toString());
                } catch (KvException e) {
                    assertEquals(expected, e.reason(), op + ": " + e.getMessage());
                }
            }
            if (reopenEachPass) {
                kv = CrashSafeKv.open(disk, CLOCK, windowPages);
            }
            assertTrue(StoreTestSupport.same(model, StoreTestSupport.dump(kv)), "pass " + pass);
        }
    }

    /**
     * I/O errors at random writes and flushes: each failed operation reports IO and leaves the
     * state before it (or, when the superblock write failed, the state before or after it, as the
     * next call finds out); nothing stored is ever damaged, and the store keeps working.
     */
    @Property(tries = 150)
    void ioErrorsAtRandomNeverDamageTheStore(@ForAll("workloads") List<Op> ops, @ForAll long seed) throws Exception {
        Random r = new Random(seed);
        MemoryBlock durable = MemoryBlock.ofSize(192L << 10);
        FaultyBlock disk = FaultyBlock.over(durable);
        CrashSafeKv kv = CrashSafeKv.format(disk, 1024, CLOCK);
        Map<KvKey, byte[]> model = new TreeMap<>();
        int failures = 0;
        for (Op op : ops) {
            switch (r.nextInt(3)) {
                case 0 -> disk.failWriteNumber(disk.writeCount() + r.nextInt(6));
                case 1 -> disk.failFlushNumber(disk.flushCount() + r.nextInt(2));
                default -> { }
            }
            Map<KvKey, byte[]> after = new TreeMap<>(model);
            Reason expected = apply(after, op);
            try {
                run(kv, op);
                assertEquals(null, expected, op.toString());
                model = after;
            } catch (KvException e) {
                if (e.reason() != Reason.IO) {
                    assertEquals(expected, e.reason(), op + ": " + e.getMessage());
                    continue;
                }
                failures++;
                boolean unknown = e.getMessage().contains("found out at the next call");
                disk.heal();
                Map<KvKey, byte[]> found = StoreTestSupport.dump(kv);
                if (StoreTestSupport.same(found, after) && (unknown || StoreTestSupport.same(model, after))) {
                    model = after;
                } else {
                    assertTrue(StoreTestSupport.same(found, model), op + " failed (" + e.getMessage() + ") yet changed the store");
                }
            }
            disk.heal();
        }
        assertTrue(StoreTestSupport.same(model, StoreTestSupport.dump(kv)));
        assertTrue(StoreTestSupport.same(model, StoreTestSupport.dump(CrashSafeKv.open(durable, CLOCK))),
                "after " + failures + " failures, the durable state is the model's");
    }

    /** Tree pages decoded from arbitrary bytes: a node or a StoreCorruptException, nothing else. */
    @Property(tries = 1000)
    void arbitraryPagesNeverCrashTheDecoder(@ForAll @Size(min = 1024, max = 1024) byte[] page, @ForAll boolean leaf,
            @ForAll @IntRange(min = 0, max = 40) int count) {
        ByteIo.put16(page, 0, Node.MAGIC);
        page[2] = (byte) (leaf ? Node.LEAF : Node.INTERNAL);
        ByteIo.put16(page, 4, count);
        try {
            Node n = Node.decode(page, 7, 128);
            assertTrue(n.size() == count);
        } catch (StoreCorruptException expected) {
            // reported, which is the point
        }
    }

    /** Arbitrary device contents: open refuses, or every read gives a value or a KvException. */
    @Property(tries = 200)
    void arbitraryDevicesNeverCrashTheStore(@ForAll long seed, @ForAll boolean validSuperblock,
            @ForAll @IntRange(min = 2, max = 63) int rootPage, @ForAll boolean validRootPage) throws Exception {
        Random r = new Random(seed);
        byte[] image = new byte[64 * 1024];
        r.nextBytes(image);
        if (validSuperblock) {
            byte[] sb = new Superblock(5, 1024, 64, rootPage, 0, r.nextInt(10)).encode(512);
            if (validRootPage) {
                // a page whose checksums are right but whose entries are arbitrary: the decoder's problem
                byte[] p = Arrays.copyOfRange(image, rootPage * 1024, rootPage * 1024 + 1024);
                ByteIo.put16(p, 0, Node.MAGIC);
                p[2] = (byte) (1 + r.nextInt(3));
                ByteIo.put16(p, 4, r.nextInt(12));
                ByteIo.put64(p, 8, rootPage);
                Pages.seal(p);
                System.arraycopy(p, 0, image, rootPage * 1024, 1024);
                sb = new Superblock(5, 1024, 64, rootPage, Pages.refCrc(p), r.nextInt(10)).encode(512);
            }
            System.arraycopy(sb, 0, image, 1024, 512);
        }
        CrashSafeKv kv;
        try {
            kv = CrashSafeKv.open(MemoryBlock.of(image, 512, false), CLOCK);
        } catch (KvException e) {
            assertEquals(Reason.CORRUPT, e.reason());
            return;
        }
        tolerate(() -> walk(kv, KvKey.ROOT, 0));
        tolerate(() -> kv.set(KvKey.of("new"), new byte[3000]));
        tolerate(() -> kv.remove(KvKey.ROOT));
        tolerate(() -> kv.digest(KvKey.ROOT));
    }

    private static void walk(ReadOnlyKv kv, KvKey key, int depth) throws Exception {
        if (depth > 8) {
            return;
        }
        for (ReadOnlyKv.Entry e : kv.list(key)) {
            KvKey child;
            try {
                child = key.child(e.name());
            } catch (IllegalArgumentException bad) {
                continue;
            }
            if (e.kind() == ReadOnlyKv.Kind.VALUE) {
                tolerate(() -> kv.get(child));
                tolerate(() -> kv.lastModified(child));
            } else {
                tolerate(() -> walk(kv, child, depth + 1));
            }
        }
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private static void tolerate(Action a) {
        try {
            a.run();
        } catch (KvException e) {
            // CORRUPT for damage; NOT_FOUND and friends when a damaged tree contradicts itself
        } catch (Exception e) {
            fail("an unexpected exception from a damaged store", e);
        }
    }

    /** Bytes damaged anywhere in a populated store: every read is the stored value or CORRUPT, never other bytes. */
    @Property(tries = 100)
    void damageIsReportedNeverReturned(@ForAll("workloads") List<Op> ops, @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 20) int hits) throws Exception {
        MemoryBlock disk = MemoryBlock.ofSize(96L << 10);
        CrashSafeKv kv = CrashSafeKv.format(disk, 1024, CLOCK);
        Map<KvKey, byte[]> model = new TreeMap<>();
        for (Op op : ops) {
            if (apply(new TreeMap<>(model), op) == null) {
                apply(model, op);
                run(kv, op);
            }
        }
        long generation = kv.generation();
        Random r = new Random(seed);
        byte[] image = disk.toByteArray();
        List<Integer> damaged = new ArrayList<>();
        for (int i = 0; i < hits; i++) {
            int at = 1024 * 2 + r.nextInt(image.length - 2048); // the superblocks are not hit: see damageAnywhere
            image[at] ^= (byte) (1 + r.nextInt(255));
            damaged.add(at);
        }
        CrashSafeKv opened = CrashSafeKv.open(MemoryBlock.of(image, 512, false), CLOCK);
        assertEquals(generation, opened.generation());
        for (Map.Entry<KvKey, byte[]> e : model.entrySet()) {
            try {
                assertArrayEquals(e.getValue(), opened.get(e.getKey()), "damage at " + damaged + " returned wrong bytes");
            } catch (KvException x) {
                assertEquals(Reason.CORRUPT, x.reason(), x.getMessage());
            }
        }
    }
}
