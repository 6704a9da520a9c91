package io.miragej.block.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.miragej.device.WallClock;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Shared by the FAT tests: a fixed clock, and trees of files compared between a store and a host directory. */
final class FatTestSupport {
    private FatTestSupport() {}

    /** 2023-11-14T22:13:20Z. */
    static final WallClock CLOCK = () -> 1_700_000_000L * 1_000_000_000L;

    /** Every value in the store under {@code key}, by path ("/a/b"); dictionaries as "/a/" with an empty value. */
    static Map<String, byte[]> tree(ReadOnlyKv kv) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        walk(kv, KvKey.ROOT, out);
        return out;
    }

    private static void walk(ReadOnlyKv kv, KvKey key, Map<String, byte[]> out) throws IOException {
        for (ReadOnlyKv.Entry e : kv.list(key)) {
            KvKey child = key.child(e.name());
            if (e.kind() == ReadOnlyKv.Kind.VALUE) {
                out.put(child.toString(), kv.get(child));
            } else {
                out.put(child + "/", new byte[0]);
                walk(kv, child, out);
            }
        }
    }

    /** The same for a host directory. */
    static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = "/" + root.relativize(p).toString();
                out.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? new byte[0] : Files.readAllBytes(p));
            }
        }
        return out;
    }

    static void assertSameTree(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet(), "the same paths");
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k), actual.get(k), "the bytes of " + k);
        }
    }
}
