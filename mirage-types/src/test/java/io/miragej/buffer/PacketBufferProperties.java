package io.miragej.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class PacketBufferProperties {

    /** A buffer with a random fill, headroom and tailroom, heap or native. */
    @Provide
    Arbitrary<PacketBuffer> buffers() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 64),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                        Arbitraries.integers().between(0, 64),
                        Arbitraries.of(true, false))
                .as((head, content, tail, nativeMemory) -> {
                    PacketPool pool = nativeMemory
                            ? PacketPool.nativePool(1, head + content.length + tail + 1, head)
                            : PacketPool.heapPool(1, head + content.length + tail + 1, head);
                    PacketBuffer b = pool.acquire();
                    b.extend(content.length).setBytes(0, content);
                    return b;
                });
    }

    @Property
    void everyAccessorRoundTrips(@ForAll("buffers") PacketBuffer b, @ForAll int i32, @ForAll long i64,
            @ForAll @IntRange(min = 0, max = 199) int at) {
        int index = b.length() == 0 ? 0 : at % b.length();
        if (index + 8 <= b.length()) {
            b.setI64(index, i64);
            assertEquals(i64, b.getI64(index));
        }
        if (index + 4 <= b.length()) {
            b.setI32(index, i32);
            assertEquals(i32, b.getI32(index));
            b.setU32(index, i32 & 0xffff_ffffL);
            assertEquals(i32 & 0xffff_ffffL, b.getU32(index));
        }
        if (index + 2 <= b.length()) {
            b.setU16(index, i32);
            assertEquals(i32 & 0xffff, b.getU16(index));
            assertEquals((i32 >>> 8) & 0xff, b.getU8(index)); // big-endian: high byte first
        }
        if (index + 1 <= b.length()) {
            b.setU8(index, i32);
            assertEquals(i32 & 0xff, b.getU8(index));
            b.setByte(index, (byte) i32);
            assertEquals((byte) i32, b.getByte(index));
        }
    }

    @Property
    void bytesRoundTrip(@ForAll("buffers") PacketBuffer b, @ForAll byte[] data) {
        if (data.length > b.length()) {
            assertThrows(IndexOutOfBoundsException.class, () -> b.setBytes(0, data));
            return;
        }
        b.setBytes(0, data);
        byte[] back = new byte[data.length];
        b.getBytes(0, back, 0, data.length);
        assertArrayEquals(data, back);
    }

    /** Whatever index and size a caller passes, a slice reads and writes only its own bytes. */
    @Property
    void slicesNeverEscapeTheirBounds(@ForAll("buffers") PacketBuffer b,
            @ForAll @IntRange(min = -5, max = 220) int from, @ForAll @IntRange(min = -5, max = 220) int len,
            @ForAll @IntRange(min = -10, max = 230) int probe, @ForAll @IntRange(min = -3, max = 300) int grow) {
        if (from < 0 || len < 0 || from + len > b.length()) {
            assertThrows(IndexOutOfBoundsException.class, () -> b.slice(from, len));
            return;
        }
        byte[] before = b.toByteArray();
        PacketBuffer s = b.slice(from, len);
        assertEquals(len, s.length());
        assertEquals(0, s.headroom());
        assertEquals(0, s.tailroom());
        assertThrows(IndexOutOfBoundsException.class, () -> s.prepend(Math.max(1, grow)));
        assertThrows(IndexOutOfBoundsException.class, () -> s.extend(Math.max(1, grow)));
        for (int size : new int[] {1, 2, 4, 8}) {
            if (probe >= 0 && probe + size <= len) {
                write(s, probe, size);
            } else {
                assertThrows(IndexOutOfBoundsException.class, () -> write(s, probe, size));
                assertThrows(IndexOutOfBoundsException.class, () -> s.getU8(probe + (probe >= 0 ? len : 0)));
            }
        }
        s.fill(0, len, (byte) 0x5a);
        byte[] after = b.toByteArray();
        for (int i = 0; i < before.length; i++) {
            if (i < from || i >= from + len) {
                assertEquals(before[i], after[i], "byte " + i + " outside the slice changed");
            } else {
                assertEquals(0x5a, after[i]);
            }
        }
    }

    @Property
    void prependAdvanceExtendTruncateKeepTheWindowInsideTheBuffer(@ForAll("buffers") PacketBuffer b,
            @ForAll @IntRange(min = -2, max = 300) int n) {
        int head = b.headroom();
        int len = b.length();
        int tail = b.tailroom();
        int capacity = b.capacity();
        if (n >= 0 && n <= head) {
            b.prepend(n);
            assertEquals(len + n, b.length());
            b.advance(n);
        } else {
            assertThrows(IndexOutOfBoundsException.class, () -> b.prepend(n));
        }
        if (n >= 0 && n <= tail) {
            b.extend(n);
            b.truncate(len);
        } else {
            assertThrows(IndexOutOfBoundsException.class, () -> b.extend(n));
        }
        assertEquals(head, b.headroom());
        assertEquals(len, b.length());
        assertEquals(tail, b.tailroom());
        assertEquals(capacity, b.headroom() + b.length() + b.tailroom());
    }

    @Property
    void prependedHeaderPrecedesPayload(@ForAll byte[] payload, @ForAll short header) {
        PacketBuffer b = PacketBuffer.allocate(2, payload.length);
        b.setBytes(0, payload);
        b.prepend(2).setU16(0, header);
        assertEquals(header & 0xffff, b.getU16(0));
        assertArrayEquals(payload, b.slice(2, payload.length).toByteArray());
        assertTrue(b.headroom() == 0);
    }

    private static void write(PacketBuffer b, int index, int size) {
        switch (size) {
            case 1 -> b.setU8(index, 0xa5);
            case 2 -> b.setU16(index, 0xa5a5);
            case 4 -> b.setI32(index, 0xa5a5a5a5);
            default -> b.setI64(index, 0xa5a5a5a5a5a5a5a5L);
        }
    }
}
