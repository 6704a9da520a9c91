package io.miragej.block;

import io.miragej.device.Block;
import io.miragej.device.BlockException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A test device in front of another that fails on demand: I/O errors on chosen sectors, failing
 * flushes, and power cuts.
 *
 * <p>The device beneath holds only what is <em>durable</em>. Writes go to a volatile cache here,
 * visible to reads at once but reaching the device beneath only at {@link #flush()}, the way a
 * disk's write cache behaves. A power cut ({@link #cutPowerAtWrite} or {@link #cutPowerNow})
 * loses what was not flushed: all of it by default, or, after {@link #keepSomeUnflushedWrites},
 * an arbitrary seeded choice per sector among the versions written since the last flush (the
 * most a real disk may do while honouring the {@link Block} contract: sectors are atomic, writes
 * between flushes may land in any order). While the power is off every call fails with
 * {@link BlockException.Reason#IO}; {@link #powerOn()} brings the device back with what
 * survived, as a machine rebooting would find it.
 *
 * <p>Writes are numbered from 0 in the order they are issued; {@link #writeCount()} is the number
 * issued so far, so a test can run a workload once to count its writes and then cut the power at
 * each of them in turn.
 */
public final class FaultyBlock implements Block {
    private final Block durable;
    private final int sectorSize;
    /** Versions of each sector written since the last flush, oldest first. */
    private final TreeMap<Long, List<byte[]>> unflushed = new TreeMap<>();
    private final List<long[]> failingReads = new ArrayList<>();
    private final List<long[]> failingWrites = new ArrayList<>();
    private boolean failFlushes;
    private long failFlushNumber = -1;
    private long failWriteNumber = -1;
    private long cutAtWrite = -1;
    private boolean powerOff;
    private SplittableRandom survivors;
    private long writes;
    private long flushes;
    private long cuts;
    private volatile boolean closed;

    private FaultyBlock(Block durable) {
        this.durable = durable;
        this.sectorSize = durable.sectorSize();
    }

    /** A faulty device over {@code durable}, which receives only flushed writes. */
    public static FaultyBlock over(Block durable) {
        return new FaultyBlock(durable);
    }

    /** The device beneath, holding what is durable. */
    public Block durable() {
        return durable;
    }

    /** Reads touching any of the {@code count} sectors from {@code first} fail with an I/O error. */
    public synchronized FaultyBlock failReads(long first, long count) {
        failingReads.add(new long[] {first, first + count});
        return this;
    }

    /** Writes touching any of the {@code count} sectors from {@code first} fail and store nothing. */
    public synchronized FaultyBlock failWrites(long first, long count) {
        failingWrites.add(new long[] {first, first + count});
        return this;
    }

    /** Every read fails from now on (until {@link #heal()}). */
    public synchronized FaultyBlock failAllReads() {
        return failReads(0, Long.MAX_VALUE / 2);
    }

    /** Every write fails from now on (until {@link #heal()}). */
    public synchronized FaultyBlock failAllWrites() {
        return failWrites(0, Long.MAX_VALUE / 2);
    }

    /** Flushes fail (and make nothing durable) while {@code fail} is true. */
    public synchronized FaultyBlock failFlushes(boolean fail) {
        this.failFlushes = fail;
        return this;
    }

    /**
     * The flush numbered {@code n} (counting from 0 since this device was made, see
     * {@link #flushCount()}) fails and makes nothing durable; writes before it stay in the cache.
     */
    public synchronized FaultyBlock failFlushNumber(long n) {
        this.failFlushNumber = n;
        return this;
    }

    /**
     * The write numbered {@code n} (counting from 0 since this device was made, see
     * {@link #writeCount()}) fails with an I/O error and stores nothing.
     */
    public synchronized FaultyBlock failWriteNumber(long n) {
        this.failWriteNumber = n;
        return this;
    }

    /** Stops every injected read, write and flush failure (power cuts are undone by {@link #powerOn()}). */
    public synchronized FaultyBlock heal() {
        failingReads.clear();
        failingWrites.clear();
        failFlushes = false;
        failFlushNumber = -1;
        failWriteNumber = -1;
        return this;
    }

    /**
     * Cuts the power when write number {@code n} (counting from 0 since this device was made) is
     * issued: that write fails with an I/O error and, like every write not yet flushed, is lost
     * (or partly kept, see {@link #keepSomeUnflushedWrites}).
     */
    public synchronized FaultyBlock cutPowerAtWrite(long n) {
        if (n < writes) {
            throw new IllegalArgumentException("write " + n + " has already been issued (" + writes + " so far)");
        }
        cutAtWrite = n;
        return this;
    }

    /**
     * From now on a power cut keeps, for each sector written since the last flush, one of the
     * versions written or the durable one, chosen from {@code seed}; writes issued together may
     * be torn at sector boundaries.
     */
    public synchronized FaultyBlock keepSomeUnflushedWrites(long seed) {
        this.survivors = new SplittableRandom(seed);
        return this;
    }

    /** Cuts the power now. */
    public synchronized void cutPowerNow() {
        if (powerOff) {
            return;
        }
        powerOff = true;
        cutAtWrite = -1;
        cuts++;
        try {
            if (survivors != null) {
                for (Map.Entry<Long, List<byte[]>> e : unflushed.entrySet()) {
                    int pick = survivors.nextInt(e.getValue().size() + 1); // 0 keeps the durable sector
                    if (pick > 0) {
                        durable.write(e.getKey(), MemorySegment.ofArray(e.getValue().get(pick - 1)));
                    }
                }
                durable.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException("the device beneath a FaultyBlock failed: " + e.getMessage(), e);
        } finally {
            unflushed.clear();
        }
    }

    /** True between a power cut and {@link #powerOn()}. */
    public synchronized boolean powerIsOff() {
        return powerOff;
    }

    /** Restores power: the device now holds what survived the cut. */
    public synchronized void powerOn() {
        powerOff = false;
        cutAtWrite = -1;
    }

    /** Writes issued so far (including failed ones and the one that cut the power). */
    public synchronized long writeCount() {
        return writes;
    }

    /** Flushes issued so far. */
    public synchronized long flushCount() {
        return flushes;
    }

    /** Power cuts so far. */
    public synchronized long powerCuts() {
        return cuts;
    }

    /** True when writes have been issued since the last successful flush. */
    public synchronized boolean hasUnflushedWrites() {
        return !unflushed.isEmpty();
    }

    @Override
    public int sectorSize() {
        return sectorSize;
    }

    @Override
    public long sectorCount() {
        return durable.sectorCount();
    }

    @Override
    public boolean readOnly() {
        return durable.readOnly();
    }

    @Override
    public synchronized void read(long sector, MemorySegment buffer) throws IOException {
        Block.checkRange(this, sector, buffer);
        checkUsable();
        long count = buffer.byteSize() / sectorSize;
        if (touches(failingReads, sector, count)) {
            throw new BlockException(BlockException.Reason.IO, "injected read error in sectors " + sector + ".." + (sector + count));
        }
        durable.read(sector, buffer);
        for (Map.Entry<Long, List<byte[]>> e : unflushed.subMap(sector, sector + count).entrySet()) {
            MemorySegment.copy(e.getValue().getLast(), 0, buffer, ValueLayout.JAVA_BYTE, (e.getKey() - sector) * sectorSize, sectorSize);
        }
    }

    @Override
    public synchronized void write(long sector, MemorySegment buffer) throws IOException {
        Block.checkRange(this, sector, buffer);
        checkUsable();
        if (durable.readOnly()) {
            throw new BlockException(BlockException.Reason.READ_ONLY, durable + " is read-only");
        }
        long number = writes++;
        long count = buffer.byteSize() / sectorSize;
        if (number == cutAtWrite) {
            if (survivors != null) {
                // the write in flight may itself be torn: some of its sectors may land
                remember(sector, buffer, count);
            }
            cutPowerNow();
            throw new BlockException(BlockException.Reason.IO, "power cut at write " + number);
        }
        if (number == failWriteNumber || touches(failingWrites, sector, count)) {
            throw new BlockException(BlockException.Reason.IO, "injected write error in sectors " + sector + ".." + (sector + count));
        }
        remember(sector, buffer, count);
    }

    private void remember(long sector, MemorySegment buffer, long count) {
        for (long i = 0; i < count; i++) {
            byte[] copy = buffer.asSlice(i * sectorSize, sectorSize).toArray(ValueLayout.JAVA_BYTE);
            unflushed.computeIfAbsent(sector + i, k -> new ArrayList<>(1)).add(copy);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        checkUsable();
        long number = flushes++;
        if (failFlushes || number == failFlushNumber) {
            throw new BlockException(BlockException.Reason.IO, "injected flush error");
        }
        Iterator<Map.Entry<Long, List<byte[]>>> it = unflushed.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, List<byte[]>> e = it.next();
            durable.write(e.getKey(), MemorySegment.ofArray(e.getValue().getLast()));
            it.remove();
        }
        durable.flush();
    }

    private static boolean touches(List<long[]> ranges, long sector, long count) {
        for (long[] r : ranges) {
            if (sector < r[1] && sector + count > r[0]) {
                return true;
            }
        }
        return false;
    }

    private void checkUsable() throws BlockException {
        if (closed) {
            throw new BlockException(BlockException.Reason.CLOSED, "this faulty device is closed");
        }
        if (powerOff) {
            throw new BlockException(BlockException.Reason.IO, "the power is off (cut by the test); call powerOn()");
        }
    }

    /** Closes this device (not the one beneath). */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "FaultyBlock[" + durable + "]";
    }
}
