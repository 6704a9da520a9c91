package io.miragej.block.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.miragej.block.MemoryBlock;
import io.miragej.kv.KvException;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class TarProperties {
    /** Arbitrary bytes: an index or a KvException from open, and then only values or KvExceptions. */
    @Property(tries = 300)
    void arbitraryBytesNeverCrashTheReader(@ForAll long seed, @ForAll @IntRange(min = 1, max = 16) int blocks) throws Exception {
        byte[] image = new byte[blocks * 512];
        new Random(seed).nextBytes(image);
        exercise(image);
    }

    /**
     * Headers with correct checksums whose fields (type, size, numbers, names, pax records) are
     * arbitrary get past the checksum and exercise everything behind it.
     */
    @Property(tries = 500)
    void signedHeadersWithArbitraryFieldsNeverCrashTheReader(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int entries)
            throws Exception {
        Random r = new Random(seed);
        TestTar t = new TestTar();
        char[] types = {'0', '5', '1', '2', 'x', 'g', 'L', 'K', '7', 'S', '\0', (char) r.nextInt(256)};
        for (int i = 0; i < entries; i++) {
            byte[] h = TestTar.header("n" + r.nextInt(5) + (r.nextBoolean() ? "/" : "") + (r.nextBoolean() ? "/../x" : ""),
                    types[r.nextInt(types.length)], r.nextInt(1200), r.nextInt(), r.nextBoolean() ? "n1" : "");
            for (int k = r.nextInt(4); k > 0; k--) {
                h[r.nextInt(512)] = (byte) r.nextInt(); // damage some field, then sign it anyway
            }
            TestTar.sign(h);
            byte[] data = new byte[r.nextInt(1200)];
            if (r.nextBoolean()) {
                String rec = List.of("path=p/" + r.nextInt(3), "size=" + r.nextInt(2000), "mtime=" + r.nextInt(),
                        "size=-1", "mtime=x", "linkpath=n1").get(r.nextInt(6));
                data = ((rec.length() + 3 + (rec.length() + 3 >= 10 ? 1 : 0)) + " " + rec + "\n").getBytes(StandardCharsets.UTF_8);
            } else {
                r.nextBytes(data);
            }
            t.raw(h, data);
        }
        exercise(t.finish(512));
    }

    private static void exercise(byte[] image) throws Exception {
        TarKv kv;
        try {
            kv = TarKv.open(MemoryBlock.of(image, 512, true));
        } catch (KvException e) {
            return;
        }
        walk(kv, KvKey.ROOT, 0);
    }

    private static void walk(ReadOnlyKv kv, KvKey key, int depth) throws Exception {
        for (ReadOnlyKv.Entry e : kv.list(key)) {
            KvKey child = key.child(e.name());
            try {
                kv.lastModified(child);
                if (e.kind() == ReadOnlyKv.Kind.VALUE) {
                    kv.getPartial(child, 3, 100);
                    assertEquals(kv.size(child), kv.get(child).length);
                } else {
                    walk(kv, child, depth + 1);
                }
                kv.digest(child);
            } catch (KvException unexpected) {
                fail("an indexed entry must be readable: " + child, unexpected);
            }
        }
    }

    @Provide
    Arbitrary<Map<String, String>> trees() {
        Arbitrary<String> segment = Arbitraries.of("a", "b", "ünï", "long " + "x".repeat(120), "dot.ted");
        Arbitrary<String> path = segment.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
        return Arbitraries.maps(path, Arbitraries.strings().ofMaxLength(2000)).ofMaxSize(12);
    }

    /** Whatever files an archive holds (names long enough to need pax), the store gives them back. */
    @Property(tries = 200)
    void archivesWrittenWithPaxReadBack(@ForAll("trees") Map<String, String> files) throws Exception {
        TestTar t = new TestTar();
        Map<KvKey, String> expected = new TreeMap<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            t.pax('x', "path=" + f.getKey()).file("ignored", f.getValue());
            KvKey key = KvKey.parse(f.getKey());
            expected.keySet().removeIf(k -> key.startsWith(k) || k.startsWith(key)); // later entries win...
            expected.put(key, f.getValue());
        }
        TarKv kv = TarKv.open(MemoryBlock.of(t.finish(512), 512, true));
        for (Map.Entry<KvKey, String> e : expected.entrySet()) {
            if (kv.exists(e.getKey()).orElse(null) == ReadOnlyKv.Kind.VALUE) {
                assertArrayEquals(e.getValue().getBytes(StandardCharsets.UTF_8), kv.get(e.getKey()));
            } else {
                // ...unless a file was in the way of a path, which tar skips too
                assertEquals(true, kv.skippedEntries() > 0, e.getKey() + " missing without a skip");
            }
        }
    }
}
