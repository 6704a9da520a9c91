package io.miragej.dns;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class NameTest {
    @Test
    void parsesAndPrintsWithEscapes() {
        Name n = Name.parse("a\\.b.Example\\032x.", Name.ROOT);
        assertEquals(2, n.labelCount());
        assertArrayEquals("a.b".getBytes(), n.label(0));
        assertArrayEquals("Example x".getBytes(), n.label(1));
        assertEquals("a\\.b.Example\\032x.", n.toString());
        assertEquals(n, Name.parse(n.toString(), Name.ROOT));
    }

    @Test
    void relativeNamesTakeTheOrigin() {
        Name origin = Name.of("example.com");
        assertEquals(Name.of("www.example.com."), Name.parse("www", origin));
        assertEquals(origin, Name.parse("@", origin));
        assertEquals(Name.of("other.net."), Name.parse("other.net.", origin));
        assertEquals("www", Name.of("www.example.com").toString(origin));
        assertEquals("@", origin.toString(origin));
    }

    @Test
    void comparesWithoutCaseAndKeepsCase() {
        Name a = Name.of("WWW.Example.COM.");
        Name b = Name.of("www.example.com.");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equalsExactly(b));
        assertEquals("WWW.Example.COM.", a.toString());
        assertTrue(a.isSubdomainOf(Name.of("EXAMPLE.com")));
        assertFalse(Name.of("xexample.com").isSubdomainOf(Name.of("example.com")));
        assertTrue(a.isSubdomainOf(Name.ROOT));
    }

    @Test
    void enforcesLabelAndNameLimits() {
        String l63 = "a".repeat(63);
        assertEquals(65, Name.of(l63).wireLength());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Name.of("a".repeat(64)));
        assertTrue(e.getMessage().contains("63"), e.getMessage());
        // 4 labels of 63 + 1 of 1: 4*64 + 2 + 1 = 259 > 255
        String tooLong = String.join(".", l63, l63, l63, l63, "a");
        assertThrows(IllegalArgumentException.class, () -> Name.of(tooLong));
        // exactly 255: 3*64 + 62 + 1 = 255  (labels 63,63,63,61)
        Name max = Name.of(String.join(".", l63, l63, l63, "a".repeat(61)));
        assertEquals(255, max.wireLength());
        assertThrows(IllegalArgumentException.class, () -> max.child("b"));
        assertThrows(IllegalArgumentException.class, () -> Name.of("a..b"));
        assertThrows(IllegalArgumentException.class, () -> Name.of("a\\25"));
        assertThrows(IllegalArgumentException.class, () -> Name.of("a\\256"));
    }

    @Test
    void fromWireRejectsMalformedBytes() {
        assertThrows(IllegalArgumentException.class, () -> Name.fromWire(new byte[] {3, 'a', 'b'}, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> Name.fromWire(new byte[] {(byte) 0xc0, 0}, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Name.fromWire(new byte[] {0, 0}, 0, 2));
        assertEquals(Name.of("ab."), Name.fromWire(new byte[] {2, 'a', 'b', 0}, 0, 4));
    }

    /** The example ordering of RFC 4034 §6.1. */
    @Test
    void canonicalOrderOfRfc4034() {
        List<Name> expected = List.of(Name.of("example."), Name.of("a.example."), Name.of("yljkjljk.a.example."),
                Name.of("Z.a.example."), Name.of("zABC.a.EXAMPLE."), Name.of("z.example."),
                Name.of("\\001.z.example."), Name.of("*.z.example."), Name.of("\\200.z.example."));
        List<Name> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new java.util.Random(7));
        Collections.sort(shuffled);
        assertEquals(expected.stream().map(Name::toString).toList(), shuffled.stream().map(Name::toString).toList());
    }

    @Test
    void wildcardsAndParents() {
        Name w = Name.of("*.example.com");
        assertTrue(w.isWildcard());
        assertFalse(Name.of("a*.example.com").isWildcard());
        assertEquals(Name.of("example.com"), w.parent());
        assertEquals(Name.of("com"), w.suffix(1));
        assertEquals(Name.ROOT, w.suffix(0));
        assertThrows(IllegalStateException.class, Name.ROOT::parent);
    }
}
