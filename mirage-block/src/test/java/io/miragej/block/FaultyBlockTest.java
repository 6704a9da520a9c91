package io.miragej.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.device.BlockException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultyBlockTest {
    private static MemorySegment sectors(int count, int value) {
        byte[] b = new byte[count * 512];
        Arrays.fill(b, (byte) value);
        return MemorySegment.ofArray(b);
    }

    private static int firstByte(FaultyBlock d, long sector) throws Exception {
        byte[] b = new byte[512];
        d.read(sector, MemorySegment.ofArray(b));
        return b[0];
    }

    @Test
    void writesAreVisibleAtOnceButDurableOnlyAfterAFlush() throws Exception {
        MemoryBlock durable = MemoryBlock.create(512, 8);
        FaultyBlock d = FaultyBlock.over(durable);
        d.write(1, sectors(1, 1));
        assertEquals(1, firstByte(d, 1));
        assertEquals(0, durable.toByteArray()[512], "not durable before the flush");
        assertTrue(d.hasUnflushedWrites());
        d.flush();
        assertEquals(1, durable.toByteArray()[512]);
        assertFalse(d.hasUnflushedWrites());
    }

    @Test
    void aPowerCutLosesEveryUnflushedWriteAndTheWriteThatCutIt() throws Exception {
        FaultyBlock d = FaultyBlock.over(MemoryBlock.create(512, 8));
        d.write(0, sectors(1, 1));
        d.flush();
        d.cutPowerAtWrite(d.writeCount() + 2);
        d.write(1, sectors(1, 2));
        d.write(0, sectors(1, 3));
        BlockException cut = assertThrows(BlockException.class, () -> d.write(2, sectors(1, 4)));
        assertEquals(BlockException.Reason.IO, cut.reason());
        assertTrue(d.powerIsOff());
        assertThrows(BlockException.class, () -> firstByte(d, 0));
        assertThrows(BlockException.class, d::flush);
        d.powerOn();
        assertEquals(1, firstByte(d, 0));
        assertEquals(0, firstByte(d, 1));
        assertEquals(0, firstByte(d, 2));
        assertEquals(4, d.writeCount(), "the write that cut the power is counted");
        assertEquals(1, d.powerCuts());
    }

    @Test
    void keepingSomeUnflushedWritesGivesEachSectorOneOfItsVersions() throws Exception {
        Set<String> outcomes = new HashSet<>();
        for (long seed = 0; seed < 64; seed++) {
            FaultyBlock d = FaultyBlock.over(MemoryBlock.create(512, 4)).keepSomeUnflushedWrites(seed);
            d.write(0, sectors(2, 1));
            d.write(0, sectors(1, 2));
            d.cutPowerNow();
            d.powerOn();
            int s0 = firstByte(d, 0);
            int s1 = firstByte(d, 1);
            assertTrue(Set.of(0, 1, 2).contains(s0), "sector 0 holds a version written to it: " + s0);
            assertTrue(Set.of(0, 1).contains(s1), "sector 1 holds a version written to it: " + s1);
            outcomes.add(s0 + "," + s1);
        }
        assertEquals(6, outcomes.size(), "every combination of versions turns up: " + outcomes);
    }

    @Test
    void chosenSectorsFailToReadOrWriteUntilHealed() throws Exception {
        FaultyBlock d = FaultyBlock.over(MemoryBlock.create(512, 8));
        d.failReads(3, 2).failWrites(6, 1);
        assertThrows(BlockException.class, () -> firstByte(d, 4));
        assertThrows(BlockException.class, () -> d.read(2, MemorySegment.ofArray(new byte[1024])));
        firstByte(d, 2);
        firstByte(d, 5);
        BlockException e = assertThrows(BlockException.class, () -> d.write(5, sectors(2, 1)));
        assertTrue(e.getMessage().contains("injected"), e.getMessage());
        assertEquals(0, firstByte(d, 5), "a failed write stores nothing");
        d.failFlushes(true);
        assertThrows(BlockException.class, d::flush);
        d.heal();
        d.write(5, sectors(2, 1));
        d.flush();
        assertEquals(1, firstByte(d, 6));
    }

    @Test
    void aCutCannotBeScheduledInThePast() throws Exception {
        FaultyBlock d = FaultyBlock.over(MemoryBlock.create(512, 2));
        d.write(0, sectors(1, 1));
        assertThrows(IllegalArgumentException.class, () -> d.cutPowerAtWrite(0));
    }
}
