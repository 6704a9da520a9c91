package io.miragej.block;

import io.miragej.device.Block;
import io.miragej.device.BlockException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link Block} device held in memory: fast, zero-filled at creation, lost when dropped. Every
 * write is durable at once ({@link #flush()} does nothing); to test what survives a power cut,
 * put a {@link FaultyBlock} in front of it.
 *
 * <p>Devices up to 2 GiB live on the Java heap; larger ones in native memory released by the
 * garbage collector.
 */
public final class MemoryBlock implements Block {
    private final MemorySegment memory;
    private final int sectorSize;
    private final long sectorCount;
    private final boolean readOnly;
    private volatile boolean closed;

    private MemoryBlock(MemorySegment memory, int sectorSize, boolean readOnly) {
        this.memory = memory;
        this.sectorSize = sectorSize;
        this.sectorCount = memory.byteSize() / sectorSize;
        this.readOnly = readOnly;
    }

    /** A zero-filled, writable device of {@code sectorCount} sectors of {@code sectorSize} bytes. */
    public static MemoryBlock create(int sectorSize, long sectorCount) {
        checkSectorSize(sectorSize);
        if (sectorCount <= 0) {
            throw new IllegalArgumentException("a device needs at least one sector, got " + sectorCount);
        }
        long bytes = Math.multiplyExact(sectorCount, (long) sectorSize);
        MemorySegment memory = bytes <= Integer.MAX_VALUE - 8
                ? MemorySegment.ofArray(new byte[(int) bytes])
                : Arena.ofAuto().allocate(bytes, 8);
        return new MemoryBlock(memory, sectorSize, false);
    }

    /** A zero-filled, writable device of {@code sizeBytes} (a whole number of 512-byte sectors). */
    public static MemoryBlock ofSize(long sizeBytes) {
        if (sizeBytes % 512 != 0) {
            throw new IllegalArgumentException(sizeBytes + " bytes is not a whole number of 512-byte sectors");
        }
        return create(512, sizeBytes / 512);
    }

    /**
     * A device holding a copy of {@code image} (a disk image read from a file, for example).
     *
     * @throws IllegalArgumentException when the image is not a whole number of sectors
     */
    public static MemoryBlock of(byte[] image, int sectorSize, boolean readOnly) {
        checkSectorSize(sectorSize);
        if (image.length == 0 || image.length % sectorSize != 0) {
            throw new IllegalArgumentException("an image of " + image.length + " bytes is not a whole, non-zero"
                    + " number of " + sectorSize + "-byte sectors");
        }
        return new MemoryBlock(MemorySegment.ofArray(image.clone()), sectorSize, readOnly);
    }

    private static void checkSectorSize(int sectorSize) {
        if (sectorSize < 1 || Integer.bitCount(sectorSize) != 1) {
            throw new IllegalArgumentException("the sector size must be a power of two, got " + sectorSize);
        }
    }

    /** A copy of the whole device's contents (at most 2 GiB), for tests and for saving an image. */
    public synchronized byte[] toByteArray() {
        if (memory.byteSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a device of " + memory.byteSize() + " bytes does not fit in a byte array");
        }
        return memory.toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public int sectorSize() {
        return sectorSize;
    }

    @Override
    public long sectorCount() {
        return sectorCount;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public synchronized void read(long sector, MemorySegment buffer) throws IOException {
        Block.checkRange(this, sector, buffer);
        checkOpen();
        MemorySegment.copy(memory, sector * sectorSize, buffer, 0, buffer.byteSize());
    }

    @Override
    public synchronized void write(long sector, MemorySegment buffer) throws IOException {
        Block.checkRange(this, sector, buffer);
        checkOpen();
        if (readOnly) {
            throw new BlockException(BlockException.Reason.READ_ONLY, "this memory device is read-only");
        }
        MemorySegment.copy(buffer, 0, memory, sector * sectorSize, buffer.byteSize());
    }

    @Override
    public void flush() throws IOException {
        checkOpen();
    }

    private void checkOpen() throws BlockException {
        if (closed) {
            throw new BlockException(BlockException.Reason.CLOSED, "this memory device is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "MemoryBlock[" + sectorCount + " x " + sectorSize + (readOnly ? ", read-only]" : "]");
    }
}
