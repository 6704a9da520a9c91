package io.miragej.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.device.Block;
import io.miragej.device.BlockException;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class BlocksTest {
    @Test
    void aSliceMapsItsSectorZeroToItsFirstSector() throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 100);
        Block slice = Blocks.slice(disk, 10, 20);
        assertEquals(20, slice.sectorCount());
        byte[] b = new byte[512];
        b[0] = 9;
        slice.write(19, MemorySegment.ofArray(b));
        assertEquals(9, disk.toByteArray()[29 * 512]);
        assertThrows(IllegalArgumentException.class, () -> slice.write(20, MemorySegment.ofArray(b)));
        assertThrows(IllegalArgumentException.class, () -> slice.read(19, MemorySegment.ofArray(new byte[1024])));
        Block inner = Blocks.slice(slice, 15, 5);
        inner.read(4, MemorySegment.ofArray(b));
        assertEquals(9, b[0]);
    }

    @Test
    void slicesMustFitInTheirDevice() {
        MemoryBlock disk = MemoryBlock.create(512, 100);
        assertThrows(IllegalArgumentException.class, () -> Blocks.slice(disk, 90, 11));
        assertThrows(IllegalArgumentException.class, () -> Blocks.slice(disk, -1, 5));
        assertThrows(IllegalArgumentException.class, () -> Blocks.slice(disk, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Blocks.slice(disk, Long.MAX_VALUE, 2));
    }

    @Test
    void aReadOnlyViewRefusesWritesButReads() throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 4);
        Block ro = Blocks.readOnly(disk);
        assertTrue(ro.readOnly());
        BlockException e = assertThrows(BlockException.class, () -> ro.write(0, MemorySegment.ofArray(new byte[512])));
        assertEquals(BlockException.Reason.READ_ONLY, e.reason());
        assertTrue(Blocks.slice(ro, 1, 1).readOnly(), "a slice of a read-only view is read-only");
        ro.read(0, MemorySegment.ofArray(new byte[512]));
        ro.flush();
    }

    @Test
    void closingAViewLeavesTheDeviceOpen() throws Exception {
        MemoryBlock disk = MemoryBlock.create(512, 4);
        Block slice = Blocks.slice(disk, 1, 2);
        slice.close();
        assertEquals(BlockException.Reason.CLOSED,
                assertThrows(BlockException.class, () -> slice.read(0, MemorySegment.ofArray(new byte[512]))).reason());
        disk.read(0, MemorySegment.ofArray(new byte[512]));
    }
}
