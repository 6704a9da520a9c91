package io.miragej.block.fat;

import static io.miragej.block.fat.FatTestSupport.CLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

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

class FatProperties {
    // ------------------------------------------------------------------ arbitrary and damaged volumes

    /**
     * A boot sector whose fields are drawn from plausible and implausible values, over arbitrary
     * bytes: mounting, reading everything and writing give results or KvExceptions, nothing else.
     */
    @Property(tries = 400)
    void arbitraryBytesNeverCrashTheFileSystem(@ForAll long seed, @ForAll @IntRange(min = 0, max = 7) int spcLog,
            @ForAll @IntRange(min = 0, max = 3) int reservedChoice, @ForAll @IntRange(min = 0, max = 3) int fatSizeChoice,
            @ForAll @IntRange(min = 0, max = 3) int rootChoice, @ForAll boolean fat32) throws Exception {
        Random r = new Random(seed);
        byte[] image = new byte[512 * 512];
        r.nextBytes(image);
        ByteIo.put16(image, 11, 512);
        image[13] = (byte) (1 << spcLog);
        ByteIo.put16(image, 14, new int[] {1, 32, r.nextInt(4), r.nextInt(600)}[reservedChoice]);
        image[16] = (byte) (1 + r.nextInt(2));
        ByteIo.put16(image, 17, fat32 ? 0 : new int[] {16, 512, 224, r.nextInt(1000)}[rootChoice]);
        ByteIo.put16(image, 19, 512);
        int fatSize = new int[] {1, 2, 3, r.nextInt(300)}[fatSizeChoice];
        ByteIo.put16(image, 22, fat32 ? 0 : fatSize);
        ByteIo.put32(image, 36, fat32 ? fatSize : r.nextInt());
        ByteIo.put16(image, 42, fat32 && r.nextBoolean() ? 0 : r.nextInt(3));
        ByteIo.put32(image, 44, 2 + r.nextInt(20));
        image[510] = 0x55;
        image[511] = (byte) 0xAA;
        exercise(MemoryBlock.of(image, 512, false), r);
    }

    @Provide
    Arbitrary<List<Integer>> damage() {
        return Arbitraries.integers().between(0, 1 << 20).list().ofMinSize(1).ofMaxSize(40);
    }

    /** A good volume with bytes of its metadata overwritten at random fails cleanly wherever it is read. */
    @Property(tries = 300)
    void damagedVolumesFailCleanly(@ForAll @IntRange(min = 0, max = 2) int typeIndex, @ForAll("damage") List<Integer> hits,
            @ForAll long seed) throws Exception {
        FatType type = FatType.values()[typeIndex];
        MemoryBlock disk = smallVolume(type);
        FatFileSystem fs = FatFileSystem.format(disk, FatFormat.defaults().withType(type).withSectorsPerCluster(1), CLOCK);
        Random r = new Random(seed);
        for (int i = 0; i < 25; i++) {
            fs.set(KvKey.parse("/d" + (i % 3) + "/sub" + (i % 2) + "/a long file name " + i), new byte[r.nextInt(3000)]);
        }
        // the metadata lies in the first part of the volume: reserved sectors, FATs, root, early clusters
        int metadataBytes = type == FatType.FAT32 ? 1_200_000 : 200_000;
        byte[] one = new byte[1];
        for (int hit : hits) {
            one[0] = (byte) r.nextInt();
            ByteIo.write(disk, hit % metadataBytes, one, 0, 1);
        }
        exercise(disk, r);
    }

    private static MemoryBlock smallVolume(FatType type) {
        return MemoryBlock.ofSize(switch (type) {
            case FAT12 -> 1L << 20;
            case FAT16 -> 3L << 20;
            case FAT32 -> 34L << 20;
        });
    }

    private static void exercise(MemoryBlock disk, Random r) throws Exception {
        FatFileSystem fs;
        try {
            fs = FatFileSystem.mount(disk, CLOCK);
        } catch (KvException e) {
            assertEquals(Reason.CORRUPT, e.reason(), e.getMessage());
            return;
        }
        List<KvKey> seen = new ArrayList<>();
        walk(fs, KvKey.ROOT, seen, new int[] {0});
        tolerate(() -> fs.digest(KvKey.ROOT));
        tolerate(() -> fs.set(KvKey.parse("/new/file"), new byte[r.nextInt(5000)]));
        for (KvKey k : seen.subList(0, Math.min(10, seen.size()))) {
            tolerate(() -> fs.set(k, new byte[100]));
            tolerate(() -> fs.rename(k, KvKey.parse("/renamed" + r.nextInt(3))));
            tolerate(() -> fs.truncate(k, r.nextInt(5000)));
            tolerate(() -> fs.remove(k));
        }
        tolerate(() -> fs.remove(KvKey.ROOT));
        walk(fs, KvKey.ROOT, new ArrayList<>(), new int[] {0});
    }

    private static void walk(FatFileSystem fs, KvKey key, List<KvKey> seen, int[] budget) {
        if (++budget[0] > 500) {
            return;
        }
        List<ReadOnlyKv.Entry> entries;
        try {
            entries = fs.list(key);
        } catch (KvException e) {
            return;
        }
        for (ReadOnlyKv.Entry e : entries) {
            KvKey child;
            try {
                child = key.child(e.name());
            } catch (IllegalArgumentException badName) {
                continue; // a damaged name that is no valid key (a '/' in it, say) cannot be asked for
            }
            seen.add(child);
            tolerate(() -> fs.exists(child));
            tolerate(() -> fs.lastModified(child));
            if (e.kind() == ReadOnlyKv.Kind.VALUE) {
                tolerate(() -> fs.get(child));
                tolerate(() -> fs.getPartial(child, 700, 3000));
            } else {
                walk(fs, child, seen, budget);
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
        } catch (KvException | IllegalArgumentException expected) {
            // a KvException names the damage; IllegalArgumentException a damaged name used as a key
        } catch (Exception e) {
            fail("an unexpected exception from a damaged volume", e);
        }
    }

    // ------------------------------------------------------------------ against a model

    private static final String[] SEGMENTS = {"a", "Bee", "long name one", "Long Name Two.txt", "c.d", "UPPER"};

    sealed interface Op {}

    record Set(KvKey key, int size) implements Op {}

    record Remove(KvKey key) implements Op {}

    record Rename(KvKey from, KvKey to) implements Op {}

    record Truncate(KvKey key, int size) implements Op {}

    record Write(KvKey key, int offset, int size) implements Op {}

    record Mkdir(KvKey key) implements Op {}

    @Provide
    Arbitrary<KvKey> keys() {
        return Arbitraries.of(SEGMENTS).list().ofMinSize(1).ofMaxSize(3).map(KvKey::new);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<KvKey> k = keys();
        Arbitrary<Integer> size = Arbitraries.integers().between(0, 6000);
        Arbitrary<Op> op = Arbitraries.oneOf(
                Combinators.combine(k, size).as(Set::new),
                Combinators.combine(k, size).as(Set::new),
                k.map(Remove::new),
                Combinators.combine(k, k).as(Rename::new),
                Combinators.combine(k, size).as(Truncate::new),
                Combinators.combine(k, size, Arbitraries.integers().between(0, 3000)).as(Write::new),
                k.map(Mkdir::new));
        return op.list().ofMinSize(1).ofMaxSize(40);
    }

    /**
     * Any sequence of changes leaves the same tree as a model of the key-value contract, before and
     * after remounting, fails with the reasons the model predicts, and gives back every cluster.
     */
    @Property(tries = 120)
    void operationsAgreeWithAModel(@ForAll @IntRange(min = 0, max = 2) int typeIndex, @ForAll("ops") List<Op> ops)
            throws Exception {
        FatType type = FatType.values()[typeIndex];
        MemoryBlock disk = smallVolume(type);
        FatFileSystem fs = FatFileSystem.format(disk, FatFormat.defaults().withType(type).withSectorsPerCluster(1), CLOCK);
        long emptyFree = fs.freeBytes();
        Model model = new Model();
        int n = 0;
        for (Op op : ops) {
            byte[] data = new byte[switch (op) {
                case Set s -> s.size();
                case Write w -> w.size();
                default -> 0;
            }];
            Arrays.fill(data, (byte) ++n);
            if (op instanceof Rename r && model.isDir(r.from()) && r.to().startsWith(r.from()) && !r.to().equals(r.from())) {
                assertThrows(IllegalArgumentException.class, () -> apply(fs, op, data), "a directory cannot move into itself");
                continue;
            }
            Reason expected = model.apply(op, data);
            if (expected == null) {
                apply(fs, op, data);
            } else {
                KvException e = assertThrows(KvException.class, () -> apply(fs, op, data), op.toString());
                assertEquals(expected, e.reason(), op + ": " + e.getMessage());
            }
        }
        FatTestSupport.assertSameTree(model.tree(), FatTestSupport.tree(fs));
        FatFileSystem again = FatFileSystem.mount(disk, CLOCK);
        FatTestSupport.assertSameTree(model.tree(), FatTestSupport.tree(again));
        assertEquals(fs.freeBytes(), again.freeBytes(), "the free count survives remounting");
        again.remove(KvKey.ROOT);
        if (type != FatType.FAT32) { // FAT32's root directory may have grown and keeps its clusters
            assertEquals(emptyFree, again.freeBytes(), "every cluster is free again");
        }
    }

    /**
     * FAT is not crash-safe as a whole, but its writes are ordered (what is new is durable before
     * anything points at it; what goes is unlinked before it is freed), so a power cut at any write
     * of any operation leaves a volume that mounts and reads without an error, in which every file
     * the operation did not touch is intact.
     */
    @Property(tries = 40)
    void aPowerCutHarmsOnlyWhatItsOperationTouches(@ForAll("ops") List<Op> ops, @ForAll boolean keepSome,
            @ForAll long seed) throws Exception {
        // FAT16: a FAT12 entry may straddle two sectors, and a torn write of one can damage a chain
        MemoryBlock base = MemoryBlock.ofSize(3L << 20);
        FatFileSystem setup = FatFileSystem.format(base, FatFormat.defaults().withType(FatType.FAT16)
                .withSectorsPerCluster(1).withRootEntries(32), CLOCK);
        for (int i = 0; i < 6; i++) {
            setup.set(KvKey.of("untouched", "keep " + i), ("kept value " + i).repeat(i * 40 + 1).getBytes());
        }
        byte[] image = base.toByteArray();
        Map<String, byte[]> kept = FatTestSupport.tree(setup);
        io.miragej.block.FaultyBlock dry = io.miragej.block.FaultyBlock.over(MemoryBlock.of(image, 512, false));
        FatFileSystem probe = FatFileSystem.mount(dry, CLOCK);
        long start = dry.writeCount();
        int n = 0;
        for (Op op : ops) {
            try {
                apply(probe, op, data(op, ++n));
            } catch (KvException | IllegalArgumentException refused) {
                // the model test checks these
            }
        }
        long writes = dry.writeCount() - start;
        for (long cut = 0; cut <= writes; cut++) {
            io.miragej.block.FaultyBlock disk = io.miragej.block.FaultyBlock.over(MemoryBlock.of(image, 512, false));
            if (keepSome) {
                disk.keepSomeUnflushedWrites(seed + cut);
            }
            FatFileSystem fs = FatFileSystem.mount(disk, CLOCK);
            disk.cutPowerAtWrite(disk.writeCount() + cut);
            n = 0;
            for (Op op : ops) {
                try {
                    apply(fs, op, data(op, ++n));
                } catch (KvException | IllegalArgumentException refused) {
                    if (disk.powerIsOff()) {
                        break;
                    }
                }
            }
            disk.powerOn();
            FatFileSystem after = FatFileSystem.mount(disk, CLOCK);
            Map<String, byte[]> found = FatTestSupport.tree(after); // everything reads without an exception
            for (Map.Entry<String, byte[]> e : kept.entrySet()) {
                if (!e.getKey().endsWith("/")) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(e.getValue(), found.get(e.getKey()),
                            "cut at write " + cut + ": " + e.getKey() + " was not touched");
                }
            }
        }
    }

    private static byte[] data(Op op, int n) {
        byte[] data = new byte[switch (op) {
            case Set s -> s.size();
            case Write w -> w.size();
            default -> 0;
        }];
        Arrays.fill(data, (byte) n);
        return data;
    }

    private static void apply(FatFileSystem fs, Op op, byte[] data) throws KvException {
        switch (op) {
            case Set s -> fs.set(s.key(), data);
            case Remove r -> fs.remove(r.key());
            case Rename r -> fs.rename(r.from(), r.to());
            case Truncate t -> fs.truncate(t.key(), t.size());
            case Write w -> fs.write(w.key(), w.offset(), data);
            case Mkdir m -> fs.mkdir(m.key());
        }
    }

    /** The contract's semantics, as a map of values and a set of dictionaries. */
    static final class Model {
        final TreeMap<KvKey, byte[]> values = new TreeMap<>();
        final java.util.TreeSet<KvKey> dirs = new java.util.TreeSet<>();

        boolean isValue(KvKey k) {
            return values.containsKey(k);
        }

        boolean isDir(KvKey k) {
            return k.isRoot() || dirs.contains(k);
        }

        /** A value on the path above {@code k}, if any. */
        boolean valueAbove(KvKey k) {
            for (KvKey a = k.parent(); !a.isRoot(); a = a.parent()) {
                if (isValue(a)) {
                    return true;
                }
            }
            return false;
        }

        void makeParents(KvKey k) {
            for (KvKey a = k.parent(); !a.isRoot(); a = a.parent()) {
                dirs.add(a);
            }
        }

        /** Applies {@code op}; the reason it must fail for, or null. */
        Reason apply(Op op, byte[] data) {
            switch (op) {
                case Set s -> {
                    if (valueAbove(s.key())) {
                        return Reason.DICTIONARY_EXPECTED;
                    }
                    if (isDir(s.key())) {
                        return Reason.VALUE_EXPECTED;
                    }
                    makeParents(s.key());
                    values.put(s.key(), data);
                }
                case Remove r -> removeTree(r.key());
                case Mkdir m -> {
                    if (valueAbove(m.key()) || isValue(m.key())) {
                        return Reason.DICTIONARY_EXPECTED;
                    }
                    makeParents(m.key());
                    dirs.add(m.key());
                }
                case Truncate t -> {
                    if (isDir(t.key())) {
                        return Reason.VALUE_EXPECTED;
                    }
                    if (!isValue(t.key())) {
                        return Reason.NOT_FOUND;
                    }
                    values.put(t.key(), Arrays.copyOf(values.get(t.key()), t.size()));
                }
                case Write w -> {
                    if (valueAbove(w.key())) {
                        return Reason.DICTIONARY_EXPECTED;
                    }
                    if (isDir(w.key())) {
                        return Reason.VALUE_EXPECTED;
                    }
                    makeParents(w.key());
                    byte[] old = values.getOrDefault(w.key(), new byte[0]);
                    byte[] now = Arrays.copyOf(old, Math.max(old.length, w.offset() + data.length));
                    System.arraycopy(data, 0, now, w.offset(), data.length);
                    values.put(w.key(), now);
                }
                case Rename r -> {
                    KvKey from = r.from();
                    KvKey to = r.to();
                    if (!isValue(from) && !isDir(from)) {
                        return Reason.NOT_FOUND;
                    }
                    if (isDir(from) && to.startsWith(from) && !to.equals(from)) {
                        throw new AssertionError("the generator never moves a directory into itself");
                    }
                    if (valueAbove(to)) {
                        return Reason.DICTIONARY_EXPECTED;
                    }
                    if (from.equals(to)) {
                        return null;
                    }
                    if (isDir(to)) {
                        return Reason.VALUE_EXPECTED;
                    }
                    if (isValue(to) && isDir(from)) {
                        return Reason.DICTIONARY_EXPECTED;
                    }
                    makeParents(to);
                    values.remove(to);
                    Map<KvKey, byte[]> movedValues = new TreeMap<>();
                    List<KvKey> movedDirs = new ArrayList<>();
                    values.forEach((k, v) -> {
                        if (k.startsWith(from)) {
                            movedValues.put(rebase(k, from, to), v);
                        }
                    });
                    dirs.forEach(k -> {
                        if (k.startsWith(from)) {
                            movedDirs.add(rebase(k, from, to));
                        }
                    });
                    removeTree(from);
                    values.putAll(movedValues);
                    dirs.addAll(movedDirs);
                }
            }
            return null;
        }

        private static KvKey rebase(KvKey k, KvKey from, KvKey to) {
            List<String> s = new ArrayList<>(to.segments());
            s.addAll(k.segments().subList(from.segments().size(), k.segments().size()));
            return new KvKey(s);
        }

        private void removeTree(KvKey k) {
            values.keySet().removeIf(x -> x.startsWith(k));
            dirs.removeIf(x -> x.startsWith(k));
        }

        Map<String, byte[]> tree() {
            Map<String, byte[]> out = new TreeMap<>();
            values.forEach((k, v) -> out.put(k.toString(), v));
            dirs.forEach(k -> out.put(k + "/", new byte[0]));
            return out;
        }
    }
}
