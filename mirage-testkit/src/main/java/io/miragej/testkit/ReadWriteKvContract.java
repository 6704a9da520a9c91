package io.miragej.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.kv.KvException;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv.Entry;
import io.miragej.kv.ReadOnlyKv.Kind;
import io.miragej.kv.ReadWriteKv;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ReadWriteKv} must have. A store's test extends this and supplies a
 * fresh, empty store; the contract's tests then run against it.
 */
public abstract class ReadWriteKvContract {
    /** A new, empty, writable store. */
    protected abstract ReadWriteKv emptyStore() throws Exception;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void setThenGetReturnsTheValue() throws Exception {
        ReadWriteKv kv = emptyStore();
        kv.set(KvKey.parse("/a"), bytes("one"));
        kv.set(KvKey.parse("/d/e/f"), bytes("deep"));
        assertArrayEquals(bytes("one"), kv.get(KvKey.parse("/a")));
        assertArrayEquals(bytes("deep"), kv.get(KvKey.parse("/d/e/f")));
        assertEquals(4, kv.size(KvKey.parse("/d/e/f")));
        assertArrayEquals(bytes("ee"), kv.getPartial(KvKey.parse("/d/e/f"), 1, 2));
        assertArrayEquals(bytes("p"), kv.getPartial(KvKey.parse("/d/e/f"), 3, 10));
        assertArrayEquals(new byte[0], kv.getPartial(KvKey.parse("/d/e/f"), 10, 10));
        kv.set(KvKey.parse("/a"), bytes("two"));
        assertArrayEquals(bytes("two"), kv.get(KvKey.parse("/a")));
        kv.set(KvKey.parse("/empty"), new byte[0]);
        assertArrayEquals(new byte[0], kv.get(KvKey.parse("/empty")));
    }

    @Test
    void existsAndListSeeValuesAndDictionaries() throws Exception {
        ReadWriteKv kv = emptyStore();
        kv.set(KvKey.parse("/b"), bytes("x"));
        kv.set(KvKey.parse("/a/c"), bytes("y"));
        assertEquals(Optional.of(Kind.VALUE), kv.exists(KvKey.parse("/b")));
        assertEquals(Optional.of(Kind.DICTIONARY), kv.exists(KvKey.parse("/a")));
        assertEquals(Optional.of(Kind.DICTIONARY), kv.exists(KvKey.ROOT));
        assertEquals(Optional.empty(), kv.exists(KvKey.parse("/nope")));
        assertEquals(List.of(new Entry("a", Kind.DICTIONARY), new Entry("b", Kind.VALUE)), kv.list(KvKey.ROOT));
        assertEquals(List.of(new Entry("c", Kind.VALUE)), kv.list(KvKey.parse("/a")));
        assertDoesNotThrow(() -> kv.lastModified(KvKey.parse("/a/c")));
    }

    @Test
    void mistakesAreNamedByReason() throws Exception {
        ReadWriteKv kv = emptyStore();
        kv.set(KvKey.parse("/v"), bytes("x"));
        kv.set(KvKey.parse("/d/x"), bytes("x"));
        assertEquals(KvException.Reason.NOT_FOUND,
                assertThrows(KvException.class, () -> kv.get(KvKey.parse("/missing"))).reason());
        assertEquals(KvException.Reason.VALUE_EXPECTED,
                assertThrows(KvException.class, () -> kv.get(KvKey.parse("/d"))).reason());
        assertEquals(KvException.Reason.DICTIONARY_EXPECTED,
                assertThrows(KvException.class, () -> kv.list(KvKey.parse("/v"))).reason());
        assertEquals(KvException.Reason.DICTIONARY_EXPECTED,
                assertThrows(KvException.class, () -> kv.set(KvKey.parse("/v/under"), bytes("x"))).reason());
        assertEquals(KvException.Reason.VALUE_EXPECTED,
                assertThrows(KvException.class, () -> kv.set(KvKey.parse("/d"), bytes("x"))).reason());
        assertArrayEquals(bytes("x"), kv.get(KvKey.parse("/v")), "a failed set changes nothing");
    }

    @Test
    void removeTakesValuesAndWholeDictionaries() throws Exception {
        ReadWriteKv kv = emptyStore();
        kv.set(KvKey.parse("/keep"), bytes("k"));
        kv.set(KvKey.parse("/d/a"), bytes("1"));
        kv.set(KvKey.parse("/d/e/b"), bytes("2"));
        kv.remove(KvKey.parse("/d"));
        assertEquals(Optional.empty(), kv.exists(KvKey.parse("/d")));
        assertEquals(Optional.empty(), kv.exists(KvKey.parse("/d/e/b")));
        kv.remove(KvKey.parse("/keep"));
        kv.remove(KvKey.parse("/never-was"));
        assertEquals(List.of(), kv.list(KvKey.ROOT));
    }

    @Test
    void digestsDependOnContentOnly() throws Exception {
        ReadWriteKv one = emptyStore();
        ReadWriteKv two = emptyStore();
        for (ReadWriteKv kv : List.of(one, two)) {
            kv.set(KvKey.parse("/x/y"), bytes("same"));
            kv.set(KvKey.parse("/z"), bytes("also"));
        }
        assertArrayEquals(one.digest(KvKey.ROOT), two.digest(KvKey.ROOT));
        assertArrayEquals(one.digest(KvKey.parse("/x/y")), two.digest(KvKey.parse("/x/y")));
        byte[] before = one.digest(KvKey.ROOT);
        one.set(KvKey.parse("/x/y"), bytes("changed"));
        assertFalse(java.util.Arrays.equals(before, one.digest(KvKey.ROOT)));
        assertTrue(one.digest(KvKey.parse("/z")).length == 32);
    }
}
