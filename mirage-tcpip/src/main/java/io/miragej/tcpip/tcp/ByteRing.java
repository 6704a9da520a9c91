package io.miragej.tcpip.tcp;

import io.miragej.buffer.PacketBuffer;

/**
 * A bounded byte ring: TCP's send and receive buffers. Bytes are appended at the tail and
 * consumed at the head; a receive buffer also writes out-of-order data at offsets past the tail
 * ({@link #writeAt}) before they become readable.
 *
 * <p>Its memory grows with use: it starts at {@link #INITIAL} bytes and doubles, up to its
 * capacity, only when more bytes are held than ever before; it never shrinks. An idle connection
 * costs a few kilobytes, however large its buffers may become; a busy one allocates a handful of
 * times while it warms up and then never again.
 */
final class ByteRing {
    static final int INITIAL = 4096;

    private final int capacity;
    private byte[] data;
    private int head;
    private int size;

    ByteRing(int capacity) {
        this.capacity = capacity;
        data = new byte[Math.min(capacity, INITIAL)];
    }

    int capacity() {
        return capacity;
    }

    /** Bytes of memory the ring holds now. */
    int allocated() {
        return data.length;
    }

    /** Makes offsets below {@code end} (from the head) addressable, growing the memory if needed. */
    private void ensure(int end) {
        if (end <= data.length) {
            return;
        }
        int n = data.length;
        while (n < end) {
            n = (int) Math.min(capacity, 2L * n);
        }
        byte[] d = new byte[n];
        int first = data.length - head; // unwrapped: offset k from the head stays offset k
        System.arraycopy(data, head, d, 0, first);
        System.arraycopy(data, 0, d, first, head);
        data = d;
        head = 0;
    }

    /** Bytes between head and tail. */
    int size() {
        return size;
    }

    int free() {
        return capacity - size;
    }

    private int index(int offset) {
        int i = head + offset;
        return i >= data.length ? i - data.length : i;
    }

    /** Appends up to {@code len} bytes; returns how many fit. */
    int append(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        ensure(size + n);
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
        ensure(offset + len);
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
