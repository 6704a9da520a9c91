package io.miragej.block.store;

import io.miragej.device.WallClock;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

final class StoreTestSupport {
    private StoreTestSupport() {}

    static final WallClock CLOCK = () -> 1_700_000_000_123L * 1_000_000L;

    /** Every value of a store by key. */
    static Map<KvKey, byte[]> dump(ReadOnlyKv kv) throws IOException {
        Map<KvKey, byte[]> out = new TreeMap<>();
        dump(kv, KvKey.ROOT, out);
        return out;
    }

    private static void dump(ReadOnlyKv kv, KvKey key, Map<KvKey, byte[]> out) throws IOException {
        for (ReadOnlyKv.Entry e : kv.list(key)) {
            KvKey child = key.child(e.name());
            if (e.kind() == ReadOnlyKv.Kind.VALUE) {
                out.put(child, kv.get(child));
            } else {
                dump(kv, child, out);
            }
        }
    }

    /** Two maps of values are equal, comparing the bytes. */
    static boolean same(Map<KvKey, byte[]> a, Map<KvKey, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (KvKey k : a.keySet()) {
            if (!java.util.Arrays.equals(a.get(k), b.get(k))) {
                return false;
            }
        }
        return true;
    }

    static String describe(Map<KvKey, byte[]> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(k).append('=').append(v.length).append("B#").append(java.util.Arrays.hashCode(v)).append(' '));
        return b.append('}').toString();
    }
}
