package io.miragej.dns;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.buffer.PacketBuffer;
import org.junit.jupiter.api.Test;

class NameCodecTest {
    private static int decode(byte[] msg, int pos, byte[] out) {
        return NameCodec.decode(PacketBuffer.wrap(msg), pos, out);
    }

    private static String decoded(byte[] msg, int pos) {
        byte[] out = new byte[255];
        int r = decode(msg, pos, out);
        assertTrue(r >= 0, NameCodec.describe(r));
        return Name.fromWire(out, 0, NameCodec.length(r)).toString();
    }

    /** The example of RFC 1035 §4.1.4: F.ISI.ARPA at 20, FOO.F.ISI.ARPA at 40, ARPA at 64, root at 92. */
    @Test
    void rfc1035CompressionExample() {
        byte[] m = new byte[100];
        byte[] f = {1, 'F', 3, 'I', 'S', 'I', 4, 'A', 'R', 'P', 'A', 0};
        System.arraycopy(f, 0, m, 20, f.length);
        byte[] foo = {3, 'F', 'O', 'O', (byte) 0xc0, 20};
        System.arraycopy(foo, 0, m, 40, foo.length);
        m[64] = (byte) 0xc0;
        m[65] = 26;
        m[92] = 0;
        assertEquals("F.ISI.ARPA.", decoded(m, 20));
        assertEquals("FOO.F.ISI.ARPA.", decoded(m, 40));
        assertEquals("ARPA.", decoded(m, 64));
        assertEquals(".", decoded(m, 92));
        byte[] out = new byte[255];
        int r = decode(m, 40, out);
        assertEquals(46, NameCodec.end(r), "the name ends after the pointer, not where the pointer led");
    }

    @Test
    void rejectsPointerToItself() {
        byte[] m = new byte[14];
        m[12] = (byte) 0xc0;
        m[13] = 12;
        assertEquals(NameCodec.ERR_POINTER, decode(m, 12, new byte[255]));
    }

    @Test
    void rejectsForwardPointers() {
        byte[] m = {(byte) 0xc0, 4, 0, 0, 1, 'a', 0};
        assertEquals(NameCodec.ERR_POINTER, decode(m, 0, new byte[255]));
    }

    @Test
    void rejectsLoopsThroughSeveralPointers() {
        // at 0: "a" then pointer to 4; at 4: "b" then pointer to 0 -> loop
        byte[] m = {1, 'a', (byte) 0xc0, 4, 1, 'b', (byte) 0xc0, 0};
        assertEquals(NameCodec.ERR_POINTER, decode(m, 4, new byte[255]));
        // a pointer into the name's own earlier labels
        byte[] self = {1, 'a', 1, 'b', (byte) 0xc0, 2};
        assertEquals(NameCodec.ERR_POINTER, decode(self, 0, new byte[255]));
    }

    @Test
    void rejectsOutOfBoundsAndTruncation() {
        assertEquals(NameCodec.ERR_TRUNCATED, decode(new byte[] {3, 'a', 'b'}, 0, new byte[255]));
        assertEquals(NameCodec.ERR_TRUNCATED, decode(new byte[] {1, 'a', (byte) 0xc0}, 0, new byte[255]));
        assertEquals(NameCodec.ERR_TRUNCATED, decode(new byte[] {1, 'a'}, 0, new byte[255]));
        assertEquals(NameCodec.ERR_TRUNCATED, decode(new byte[0], 0, new byte[255]));
    }

    @Test
    void rejectsExtendedLabelTypes() {
        assertEquals(NameCodec.ERR_LABEL_TYPE, decode(new byte[] {0x41, 0}, 0, new byte[255]));
        assertEquals(NameCodec.ERR_LABEL_TYPE, decode(new byte[] {(byte) 0x80, 0}, 0, new byte[255]));
    }

    @Test
    void rejectsNamesOver255BytesBuiltFromPointers() {
        // A chain of 63-byte labels, each followed by a pointer to the previous one: legal pointers,
        // but the name grows past 255 bytes.
        byte[] m = new byte[1000];
        int p = 0;
        m[p++] = 0; // root at 0
        int prev = 0;
        int last = 0;
        for (int i = 0; i < 5; i++) {
            last = p;
            m[p++] = 63;
            p += 63;
            m[p++] = (byte) (0xc0 | (prev >>> 8));
            m[p++] = (byte) prev;
            prev = last;
        }
        assertEquals(NameCodec.ERR_TOO_LONG, decode(m, last, new byte[255]));
    }

    @Test
    void accepts255ByteNameAndRejects256() {
        byte[] w = Name.of(String.join(".", "a".repeat(63), "a".repeat(63), "a".repeat(63), "a".repeat(61))).toWire();
        assertEquals(255, w.length);
        byte[] out = new byte[255];
        int r = decode(w, 0, out);
        assertEquals(255, NameCodec.length(r));
        byte[] w2 = new byte[256];
        System.arraycopy(w, 0, w2, 0, 192);
        w2[192] = 62;
        for (int i = 193; i < 255; i++) {
            w2[i] = 'a';
        }
        w2[255] = 0;
        assertEquals(NameCodec.ERR_TOO_LONG, decode(w2, 0, out));
    }
}
