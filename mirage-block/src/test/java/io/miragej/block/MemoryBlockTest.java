package io.miragej.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.device.Block;
import io.miragej.device.BlockException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MemoryBlockTest {
    private static MemorySegment filled(int size, int value) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) value);
        return MemorySegment.ofArray(b);
    }

    @Test
    void writesAreReadBackAndTheRestStaysZero() throws Exception {
        MemoryBlock d = MemoryBlock.create(512, 8);
        assertEquals(4096, d.sizeBytes());
        d.write(2, filled(1024, 7));
        byte[] all = d.toByteArray();
        for (int i = 0; i < all.length; i++) {
            assertEquals(i >= 1024 && i < 2048 ? 7 : 0, all[i], "byte " + i);
        }
        byte[] one = new byte[512];
        d.read(3, MemorySegment.ofArray(one));
        assertArrayEquals(filled(512, 7).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), one);
    }

    @Test
    void requestsOutsideTheDeviceOrNotWholeSectorsAreRefused() {
        MemoryBlock d = MemoryBlock.create(512, 4);
        assertThrows(IllegalArgumentException.class, () -> d.read(4, filled(512, 0)));
        assertThrows(IllegalArgumentException.class, () -> d.read(3, filled(1024, 0)));
        assertThrows(IllegalArgumentException.class, () -> d.write(-1, filled(512, 0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.write(0, filled(100, 0)));
        assertTrue(e.getMessage().contains("not a whole number"), e.getMessage());
    }

    @Test
    void aReadOnlyImageRefusesWritesAndAClosedDeviceRefusesEverything() throws Exception {
        byte[] image = new byte[1024];
        image[600] = 42;
        MemoryBlock ro = MemoryBlock.of(image, 512, true);
        image[600] = 0; // the device holds a copy
        assertEquals(BlockException.Reason.READ_ONLY,
                assertThrows(BlockException.class, () -> ro.write(0, filled(512, 1))).reason());
        byte[] s = new byte[512];
        ro.read(1, MemorySegment.ofArray(s));
        assertEquals(42, s[88]);
        ro.close();
        assertEquals(BlockException.Reason.CLOSED,
                assertThrows(BlockException.class, () -> ro.read(0, filled(512, 0))).reason());
    }

    @Test
    void geometryIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> MemoryBlock.create(500, 4));
        assertThrows(IllegalArgumentException.class, () -> MemoryBlock.create(512, 0));
        assertThrows(IllegalArgumentException.class, () -> MemoryBlock.of(new byte[700], 512, false));
        assertThrows(IllegalArgumentException.class, () -> MemoryBlock.ofSize(1000));
        Block big = MemoryBlock.create(4096, 16);
        assertEquals(4096, big.sectorSize());
    }
}
