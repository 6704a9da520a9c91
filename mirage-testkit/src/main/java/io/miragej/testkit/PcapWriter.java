package io.miragej.testkit;

import io.miragej.buffer.PacketBuffer;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes Ethernet frames to a classic pcap file (nanosecond timestamps, LINKTYPE_ETHERNET), as
 * read by tcpdump, tshark and Wireshark. Thread-safe.
 */
public final class PcapWriter implements Closeable {
    private static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int SNAPLEN = 262_144;

    private final OutputStream out;
    private final ByteArrayOutputStream memory;
    private long frames;

    private PcapWriter(OutputStream out, ByteArrayOutputStream memory) {
        this.out = out;
        this.memory = memory;
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        writeRaw(h.array(), h.array().length);
    }

    /** A capture kept in memory; see {@link #bytes()} and {@link #saveTo(Path)}. */
    public static PcapWriter inMemory() {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        return new PcapWriter(m, m);
    }

    /** A capture written to {@code out} as frames arrive. */
    public static PcapWriter to(OutputStream out) {
        return new PcapWriter(out, null);
    }

    /** Records {@code frame} (its window, not consumed) at {@code epochNanos}. */
    public synchronized void write(long epochNanos, PacketBuffer frame) {
        int len = Math.min(frame.length(), SNAPLEN);
        byte[] record = new byte[16 + len];
        ByteBuffer r = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) Math.floorDiv(epochNanos, 1_000_000_000L));
        r.putInt((int) Math.floorMod(epochNanos, 1_000_000_000L));
        r.putInt(len).putInt(frame.length());
        frame.getBytes(0, record, 16, len);
        writeRaw(record, record.length);
        frames++;
    }

    private void writeRaw(byte[] b, int n) {
        try {
            out.write(b, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write capture", e);
        }
    }

    /** Number of frames recorded. */
    public synchronized long frames() {
        return frames;
    }

    /** The capture so far, for an in-memory writer. */
    public synchronized byte[] bytes() {
        if (memory == null) {
            throw new IllegalStateException("only an in-memory capture can be read back");
        }
        return memory.toByteArray();
    }

    /** Writes an in-memory capture to {@code file}. */
    public synchronized void saveTo(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, bytes());
    }

    @Override
    public synchronized void close() throws IOException {
        out.flush();
        if (memory == null) {
            out.close();
        }
    }
}
