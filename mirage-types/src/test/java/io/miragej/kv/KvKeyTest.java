package io.miragej.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KvKeyTest {
    @Test
    void parsesAndPrintsPaths() {
        KvKey k = KvKey.parse("//a/b//c/");
        assertEquals("/a/b/c", k.toString());
        assertEquals("c", k.name());
        assertEquals(KvKey.of("a", "b"), k.parent());
        assertTrue(k.startsWith(KvKey.of("a")));
        assertTrue(KvKey.parse("/").isRoot());
        assertEquals(KvKey.ROOT, KvKey.ROOT.parent());
    }

    @Test
    void refusesSegmentsThatCouldEscapeADirectory() {
        assertThrows(IllegalArgumentException.class, () -> KvKey.parse("/a/../b"));
        assertThrows(IllegalArgumentException.class, () -> KvKey.of("a/b"));
        assertThrows(IllegalArgumentException.class, () -> KvKey.of("."));
        assertThrows(IllegalArgumentException.class, () -> KvKey.of("a\0"));
    }
}
