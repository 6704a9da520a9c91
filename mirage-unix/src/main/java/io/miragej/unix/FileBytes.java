package io.miragej.unix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Whole values read from and written to files through heap arrays, at most {@link #CHUNK} bytes a
 * system call. The JDK copies a heap buffer through a temporary native buffer of the call's size
 * and keeps that buffer with the thread (the carrier, for a virtual thread) afterwards: one
 * {@code Files.readAllBytes} of a 50 MB file holds 50 MB of native memory for good (measured with
 * native memory tracking: a 4 MB file, 3.9 MB kept; 16 KB through this class).
 */
final class FileBytes {
    static final int CHUNK = 64 * 1024;

    private FileBytes() {}

    /** The whole file. */
    static byte[] read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + " is " + size + " bytes; values are at most 2 GB");
            }
            return read(ch, 0, (int) size, true);
        }
    }

    /**
     * Up to {@code length} bytes from {@code offset}, fewer at the end of the file; with
     * {@code toEnd}, also what was appended since the length was taken.
     */
    static byte[] read(FileChannel ch, long offset, int length, boolean toEnd) throws IOException {
        byte[] b = new byte[length];
        int n = 0;
        while (true) {
            if (n == b.length) {
                if (!toEnd || b.length >= Integer.MAX_VALUE - 8) {
                    return b;
                }
                b = Arrays.copyOf(b, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(CHUNK, 2L * b.length)));
            }
            int r = ch.read(ByteBuffer.wrap(b, n, Math.min(CHUNK, b.length - n)), offset + n);
            if (r < 0) {
                return n == b.length ? b : Arrays.copyOf(b, n);
            }
            n += r;
        }
    }

    /** All of {@code value}. */
    static void write(FileChannel ch, byte[] value) throws IOException {
        for (int at = 0; at < value.length; ) {
            at += ch.write(ByteBuffer.wrap(value, at, Math.min(CHUNK, value.length - at)));
        }
    }
}
