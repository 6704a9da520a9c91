package io.miragej.device;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A block device: a fixed number of sectors of a fixed size, read and written whole.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@code read} and {@code write} move {@code buffer.byteSize() / sectorSize()} sectors
 *       starting at {@code sector}; the buffer's size must be a multiple of the sector size and
 *       the range must lie inside the device, else {@link IllegalArgumentException}.
 *   <li>A completed write is visible to later reads but is <em>durable</em> only after a
 *       following {@link #flush()} returns: a power cut may lose any write not yet flushed.
 *   <li>Writing to a read-only device fails with {@link BlockException.Reason#READ_ONLY}; device
 *       failures are {@link BlockException}s with reason {@link BlockException.Reason#IO}.
 *   <li>Calls may come from several threads; each call is atomic with respect to the others only
 *       at sector granularity.
 * </ul>
 */
public interface Block extends AutoCloseable {
    /** Bytes per sector, a power of two, typically 512 or 4096. */
    int sectorSize();

    /** Number of sectors. */
    long sectorCount();

    /** True when writes are refused. */
    boolean readOnly();

    /** Reads sectors starting at {@code sector} into all of {@code buffer}. */
    void read(long sector, MemorySegment buffer) throws IOException;

    /** Writes all of {@code buffer} to sectors starting at {@code sector}. */
    void write(long sector, MemorySegment buffer) throws IOException;

    /** Makes every completed write durable. */
    void flush() throws IOException;

    /** Size in bytes. */
    default long sizeBytes() {
        return sectorCount() * sectorSize();
    }

    @Override
    void close() throws IOException;

    /**
     * Checks a request against the device's geometry, for implementations.
     *
     * @throws IllegalArgumentException naming the bad sector, length or alignment
     */
    static void checkRange(Block device, long sector, MemorySegment buffer) {
        long size = buffer.byteSize();
        int ss = device.sectorSize();
        if (size % ss != 0) {
            throw new IllegalArgumentException("buffer of " + size
                    + " bytes is not a whole number of " + ss + "-byte sectors");
        }
        long count = size / ss;
        if (sector < 0 || sector > device.sectorCount() || count > device.sectorCount() - sector) {
            throw new IllegalArgumentException("sectors " + sector + ".." + (sector + count)
                    + " are outside the device's " + device.sectorCount() + " sectors");
        }
    }
}
