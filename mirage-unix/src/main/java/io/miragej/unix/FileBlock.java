package io.miragej.unix;

import io.miragej.device.Block;
import io.miragej.device.BlockException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A {@link Block} device on a disk image file, with positional I/O. {@link #flush()} is fsync.
 * The file's size must be a whole number of sectors.
 */
public final class FileBlock implements Block {
    private final Path file;
    private final FileChannel channel;
    private final int sectorSize;
    private final long sectors;
    private final boolean readOnly;
    private volatile boolean closed;

    private FileBlock(Path file, FileChannel channel, int sectorSize, long sectors, boolean readOnly) {
        this.file = file;
        this.channel = channel;
        this.sectorSize = sectorSize;
        this.sectors = sectors;
        this.readOnly = readOnly;
    }

    /**
     * Opens an existing disk image.
     *
     * @throws IOException naming the file when it is missing, unreadable, or not a whole number of
     *     sectors long
     */
    public static FileBlock open(Path file, boolean readOnly, int sectorSize) throws IOException {
        if (sectorSize < 512 || Integer.bitCount(sectorSize) != 1) {
            throw new IllegalArgumentException("sector size must be a power of two of at least 512, got " + sectorSize);
        }
        FileChannel ch;
        try {
            ch = readOnly
                    ? FileChannel.open(file, StandardOpenOption.READ)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new IOException("disk image " + file + " does not exist; create one with"
                    + " 'truncate -s 64M " + file + "' or FileBlock.create", e);
        }
        long size = ch.size();
        if (size % sectorSize != 0) {
            ch.close();
            long padded = (size / sectorSize + 1) * sectorSize;
            throw new IOException("disk image " + file + " is " + size + " bytes, which is not a whole number of "
                    + sectorSize + "-byte sectors; pad it with 'truncate -s " + padded + " " + file + "'");
        }
        return new FileBlock(file, ch, sectorSize, size / sectorSize, readOnly);
    }

    /** Creates (or replaces) a zero-filled image of {@code sizeBytes} and opens it read-write. */
    public static FileBlock create(Path file, long sizeBytes, int sectorSize) throws IOException {
        if (sizeBytes <= 0 || sizeBytes % sectorSize != 0) {
            throw new IllegalArgumentException("size must be a positive multiple of " + sectorSize + ", got " + sizeBytes);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.truncate(0);
            ch.write(ByteBuffer.allocate(1), sizeBytes - 1);
        }
        return open(file, false, sectorSize);
    }

    @Override
    public int sectorSize() {
        return sectorSize;
    }

    @Override
    public long sectorCount() {
        return sectors;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long sector, MemorySegment buffer) throws IOException {
        Block.checkRange(this, sector, buffer);
        checkOpen();
        ByteBuffer bb = buffer.asByteBuffer();
        long pos = sector * sectorSize;
        try {
            while (bb.hasRemaining()) {
                if (channel.read(bb, pos + bb.position()) < 0) {
                    throw new BlockException(BlockException.Reason.IO, file + " ended early at byte " + (pos + bb.position()));
                }
            }
        } catch (BlockException e) {
            throw e;
        } catch (IOException e) {
            throw new BlockException(BlockException.Reason.IO, "reading " + file + " at sector " + sector + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(long sector, MemorySegment buffer) throws IOException {
        Block.checkRange(this, sector, buffer);
        checkOpen();
        if (readOnly) {
            throw new BlockException(BlockException.Reason.READ_ONLY, file + " is opened read-only");
        }
        ByteBuffer bb = buffer.asByteBuffer();
        long pos = sector * sectorSize;
        try {
            while (bb.hasRemaining()) {
                channel.write(bb, pos + bb.position());
            }
        } catch (IOException e) {
            throw new BlockException(BlockException.Reason.IO, "writing " + file + " at sector " + sector + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws IOException {
        checkOpen();
        if (!readOnly) {
            try {
                channel.force(true);
            } catch (IOException e) {
                throw new BlockException(BlockException.Reason.IO, "fsync of " + file + " failed: " + e.getMessage(), e);
            }
        }
    }

    private void checkOpen() throws BlockException {
        if (closed) {
            throw new BlockException(BlockException.Reason.CLOSED, file + " is closed");
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "FileBlock[" + file + ", " + sectors + " x " + sectorSize + (readOnly ? ", read-only]" : "]");
    }

}
