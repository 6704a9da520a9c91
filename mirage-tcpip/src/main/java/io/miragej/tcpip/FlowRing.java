package io.miragej.tcpip;

import io.miragej.tcpip.tcp.TcpConnection;

/**
 * A bounded byte ring between an application thread and the stack's loop, used under the flow's
 * lock: received bytes waiting to be read, or written bytes waiting for room in TCP's send
 * buffer. Moves bytes to and from a {@link TcpConnection} without a scratch copy. Its memory
 * starts small and doubles up to the capacity when more is held than ever before.
 */
final class FlowRing {
    static final int INITIAL = 2048;

    private final int capacity;
    private byte[] data;
    private int head;
    private int size;

    FlowRing(int capacity) {
        this.capacity = capacity;
        data = new byte[Math.min(capacity, INITIAL)];
    }

    int size() {
        return size;
    }

    int free() {
        return capacity - size;
    }

    int capacity() {
        return capacity;
    }

    /** Room for {@code n} more bytes in memory (within the capacity). */
    private void ensure(int n) {
        int end = size + n;
        if (end <= data.length) {
            return;
        }
        int len = data.length;
        while (len < end) {
            len = Math.min(capacity, 2 * len);
        }
        byte[] d = new byte[len];
        int first = Math.min(size, data.length - head);
        System.arraycopy(data, head, d, 0, first);
        System.arraycopy(data, 0, d, first, size - first);
        data = d;
        head = 0;
    }

    /** Copies up to {@code len} bytes in from an array; returns how many. */
    int put(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        ensure(n);
        int tail = (head + size) % data.length;
        int first = Math.min(n, data.length - tail);
        System.arraycopy(src, off, data, tail, first);
        System.arraycopy(src, off + first, data, 0, n - first);
        size += n;
        return n;
    }

    /** Copies up to {@code len} bytes out to an array; returns how many. */
    int take(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        int first = Math.min(n, data.length - head);
        System.arraycopy(data, head, dst, off, first);
        System.arraycopy(data, 0, dst, off + first, n - first);
        head = (head + n) % data.length;
        size -= n;
        return n;
    }

    /** Moves what the connection has received into the ring; returns how many bytes. */
    int fillFrom(TcpConnection c, long now) {
        int moved = 0;
        while (free() > 0 && c.readable() > 0) {
            ensure(Math.min(free(), c.readable()));
            int tail = (head + size) % data.length;
            int room = Math.min(data.length - size, data.length - tail);
            int n = c.read(data, tail, room, now);
            if (n <= 0) {
                break;
            }
            size += n;
            moved += n;
        }
        return moved;
    }

    /** Moves bytes from the ring into the connection's send buffer; returns how many. */
    int drainTo(TcpConnection c, long now) {
        int moved = 0;
        while (size > 0 && c.writable() > 0) {
            int run = Math.min(size, data.length - head);
            int n = c.write(data, head, run, now);
            if (n <= 0) {
                break;
            }
            head = (head + n) % data.length;
            size -= n;
            moved += n;
        }
        return moved;
    }
}
