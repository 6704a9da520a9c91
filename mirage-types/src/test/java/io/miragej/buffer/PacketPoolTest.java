package io.miragej.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketPoolTest {

    @Test
    void anEmptyPoolAnswersNullAndCountsIt() {
        PacketPool pool = PacketPool.nativePool(4, 256, 32);
        List<PacketBuffer> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            taken.add(assertNotNull(pool.acquire()));
        }
        assertNull(pool.acquire());
        assertNull(pool.acquire());
        assertEquals(2, pool.exhaustedCount());
        taken.getFirst().release();
        assertNotNull(pool.acquire());
    }

    @Test
    void aBufferReturnsOnlyAfterItsLastReference() {
        PacketPool pool = PacketPool.heapPool(1, 64, 16);
        PacketBuffer b = pool.acquire();
        b.retain();
        PacketBuffer slice = b.extend(10).slice(2, 4);
        b.release();
        assertNull(pool.acquire(), "still retained");
        slice.release(); // a slice shares its parent's count
        assertEquals(1, pool.available());
        PacketBuffer again = pool.acquire();
        assertSame(b, again);
        assertEquals(0, again.length());
        assertEquals(16, again.headroom());
    }

    @Test
    void releasingTooOftenIsCaught() {
        PacketPool pool = PacketPool.heapPool(1, 64, 0);
        PacketBuffer b = pool.acquire();
        b.release();
        assertThrows(IllegalStateException.class, b::release);
        assertThrows(IllegalStateException.class, b::retain);
        assertEquals(1, pool.available());
    }

    @Test
    void aPoolOverCallerMemoryUsesThatMemoryAndChecksItsSize() {
        java.lang.foreign.MemorySegment memory = java.lang.foreign.Arena.ofAuto().allocate(3 * 128);
        PacketPool pool = PacketPool.over(memory, 3, 128, 16);
        PacketBuffer b = pool.acquire();
        b.extend(1).setByte(0, (byte) 42);
        long at = b.memory().address() + b.offset() - memory.address();
        assertEquals(42, memory.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at));
        assertEquals(16, at % 128, "buffers sit on bufferSize boundaries after their headroom");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PacketPool.over(memory, 4, 128, 16));
        assertEquals("a pool of 4 buffers of 128 bytes needs 512 bytes of memory, got 384", e.getMessage());
    }

    private static PacketBuffer assertNotNull(PacketBuffer b) {
        org.junit.jupiter.api.Assertions.assertNotNull(b);
        return b;
    }
}
