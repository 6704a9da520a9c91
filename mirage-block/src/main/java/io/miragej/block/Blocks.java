package io.miragej.block;

import io.miragej.device.Block;
import io.miragej.device.BlockException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Views of a {@link Block}: read-only, and a slice (a run of sectors, such as a partition). A view
 * does not own the device beneath: closing a view closes only the view.
 */
public final class Blocks {
    private Blocks() {}

    /** A view of {@code device} that refuses writes with {@link BlockException.Reason#READ_ONLY}. */
    public static Block readOnly(Block device) {
        return new View(device, 0, device.sectorCount(), true, "read-only view");
    }

    /**
     * The {@code count} sectors of {@code device} starting at {@code first}, seen as a device of its
     * own whose sector 0 is {@code first}.
     *
     * @throws IllegalArgumentException when the slice does not lie inside the device
     */
    public static Block slice(Block device, long first, long count) {
        if (first < 0 || count <= 0 || first > device.sectorCount() || count > device.sectorCount() - first) {
            throw new IllegalArgumentException("a slice of sectors " + first + ".." + (first + count)
                    + " does not fit in a device of " + device.sectorCount() + " sectors (and must not be empty)");
        }
        return new View(device, first, count, device.readOnly(), "slice");
    }

    private static final class View implements Block {
        private final Block device;
        private final long first;
        private final long count;
        private final boolean readOnly;
        private final String what;
        private volatile boolean closed;

        View(Block device, long first, long count, boolean readOnly, String what) {
            this.device = device;
            this.first = first;
            this.count = count;
            this.readOnly = readOnly;
            this.what = what;
        }

        @Override
        public int sectorSize() {
            return device.sectorSize();
        }

        @Override
        public long sectorCount() {
            return count;
        }

        @Override
        public boolean readOnly() {
            return readOnly;
        }

        @Override
        public void read(long sector, MemorySegment buffer) throws IOException {
            Block.checkRange(this, sector, buffer);
            checkOpen();
            device.read(first + sector, buffer);
        }

        @Override
        public void write(long sector, MemorySegment buffer) throws IOException {
            Block.checkRange(this, sector, buffer);
            checkOpen();
            if (readOnly) {
                throw new BlockException(BlockException.Reason.READ_ONLY, "this " + what + " of " + device + " is read-only");
            }
            device.write(first + sector, buffer);
        }

        @Override
        public void flush() throws IOException {
            checkOpen();
            if (!readOnly) {
                device.flush();
            }
        }

        private void checkOpen() throws BlockException {
            if (closed) {
                throw new BlockException(BlockException.Reason.CLOSED, "this " + what + " of " + device + " is closed");
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String toString() {
            return what + "[" + first + "+" + count + (readOnly ? ", read-only" : "") + " of " + device + "]";
        }
    }
}
