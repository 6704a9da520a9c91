package io.miragej.tcpip.tcp;

import io.miragej.buffer.PacketBuffer;

/**
 * A fixed-capacity byte ring: TCP's send and receive buffers. Bytes are appended at the tail and
 * consumed at the head; a receive buffer also writes out-of-order data at offsets past the tail
 * ({@link #writeAt}) before they become readable. Allocates only when made.
 */
final class ByteRing {
    private final byte[] data;
    private int head;
    private int size;

    ByteRing(int capacity) {
        data = new byte[capacity];
    }

    int capacity() {
        return data.length;
    }

    /** Bytes between head and tail. */
    int size() {
        return size;
    }

    int free() {
        return data.length - size;
    }

    private int index(int offset) {
        int i = head + offset;
        return i >= data.length ? i - data.length : i;
    }

    /** Appends up to {@code len} bytes; returns how many fit. */
    int append(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        writeBytes(size, src, off, n);
        size += n;
        return n;
    }

    private void writeBytes(int offset, byte[] src, int off, int n) {
        int start = index(offset);
        int first = Math.min(n, data.length - start);
        System.arraycopy(src, off, data, start, first);
        if (n > first) {
            System.arraycopy(src, off + first, data, 0, n - first);
        }
    }

    /** Writes {@code len} bytes of a packet at {@code offset} from the head (may be past the tail). */
    void writeAt(int offset, PacketBuffer src, int srcIndex, int len) {
        int start = index(offset);
        int first = Math.min(len, data.length - start);
        src.getBytes(srcIndex, data, start, first);
        if (len > first) {
            src.getBytes(srcIndex + first, data, 0, len - first);
        }
    }

    /** Makes {@code n} bytes written past the tail readable. */
    void grow(int n) {
        size += n;
    }

    /** Copies {@code len} bytes from {@code offset} past the head into a packet, not consuming them. */
    void copyTo(int offset, PacketBuffer dst, int dstIndex, int len) {
        int start = index(offset);
        int first = Math.min(len, data.length - start);
        dst.setBytes(dstIndex, data, start, first);
        if (len > first) {
            dst.setBytes(dstIndex + first, data, 0, len - first);
        }
    }

    /** Removes up to {@code len} bytes from the head into {@code dst}; returns how many. */
    int read(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        int first = Math.min(n, data.length - head);
        System.arraycopy(data, head, dst, off, first);
        if (n > first) {
            System.arraycopy(data, 0, dst, off + first, n - first);
        }
        consume(n);
        return n;
    }

    /** Drops {@code n} bytes at the head. */
    void consume(int n) {
        // The head never jumps back to 0 when the ring empties: out-of-order data may be stored
        // past the tail, addressed from the head.
        head = index(n);
        size -= n;
    }
}
