package io.miragej.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A fixed set of equally sized packet buffers, allocated once, handed out and taken back without
 * allocating. The pool is the bound on a device's buffered frames: when every buffer is in use,
 * {@link #acquire()} answers {@code null} and the caller drops (and counts) what it could not hold.
 *
 * <p>Buffers come with {@link #headroom()} bytes of headroom and length 0; the caller {@link
 * PacketBuffer#extend(int) extends} or {@link PacketBuffer#reset(int, int) resets} the window to
 * what it writes. A buffer returns to the pool when its last reference is {@link
 * PacketBuffer#release() released}. Safe for use from any thread.
 */
public final class PacketPool {
    private final PacketBuffer[] free;
    private final int bufferSize;
    private final int headroom;
    private final int capacity;
    private int top;
    private long exhausted;

    private PacketPool(MemorySegment memory, int buffers, int bufferSize, int headroom) {
        this.bufferSize = bufferSize;
        this.headroom = headroom;
        this.capacity = buffers;
        this.free = new PacketBuffer[buffers];
        for (int i = 0; i < buffers; i++) {
            MemorySegment slot = memory.asSlice((long) i * bufferSize, bufferSize);
            free[i] = PacketBuffer.pooled(slot, this, headroom);
        }
        this.top = buffers;
    }

    /**
     * A pool of {@code buffers} native buffers of {@code bufferSize} bytes each, the first {@code
     * headroom} of which are headroom. Native memory serves device I/O without copies; it is freed
     * when the pool becomes unreachable.
     */
    public static PacketPool nativePool(int buffers, int bufferSize, int headroom) {
        check(buffers, bufferSize, headroom);
        MemorySegment memory = Arena.ofAuto().allocate((long) buffers * bufferSize, 64);
        return new PacketPool(memory, buffers, bufferSize, headroom);
    }

    /**
     * A pool carved from {@code memory}, which the caller allocated and which must hold {@code
     * buffers * bufferSize} bytes. Backends use it for memory they map themselves, for instance
     * anonymous pages that only become resident when first written, so a pool sized for the largest
     * datagram costs only what its traffic touches. The pool keeps {@code memory} reachable.
     */
    public static PacketPool over(MemorySegment memory, int buffers, int bufferSize, int headroom) {
        check(buffers, bufferSize, headroom);
        long needed = (long) buffers * bufferSize;
        if (memory.byteSize() < needed) {
            throw new IllegalArgumentException("a pool of " + buffers + " buffers of " + bufferSize
                    + " bytes needs " + needed + " bytes of memory, got " + memory.byteSize());
        }
        return new PacketPool(memory, buffers, bufferSize, headroom);
    }

    /** A pool of heap buffers, for tests and simulations. */
    public static PacketPool heapPool(int buffers, int bufferSize, int headroom) {
        check(buffers, bufferSize, headroom);
        MemorySegment memory = MemorySegment.ofArray(new byte[Math.multiplyExact(buffers, bufferSize)]);
        return new PacketPool(memory, buffers, bufferSize, headroom);
    }

    private static void check(int buffers, int bufferSize, int headroom) {
        if (buffers <= 0 || bufferSize <= 0 || headroom < 0 || headroom > bufferSize) {
            throw new IllegalArgumentException(
                    "a pool needs at least one buffer, a positive buffer size and a headroom"
                            + " no larger than the buffer size; got buffers=" + buffers
                            + " bufferSize=" + bufferSize + " headroom=" + headroom);
        }
    }

    /**
     * A free buffer with one reference, {@link #headroom()} bytes of headroom and length 0, or
     * {@code null} when every buffer is in use.
     */
    public PacketBuffer acquire() {
        PacketBuffer b;
        synchronized (this) {
            if (top == 0) {
                exhausted++;
                return null;
            }
            b = free[--top];
            free[top] = null;
        }
        b.onAcquire(headroom);
        return b;
    }

    void giveBack(PacketBuffer b) {
        synchronized (this) {
            free[top++] = b;
        }
    }

    /** Size in bytes of each buffer, headroom included. */
    public int bufferSize() {
        return bufferSize;
    }

    /** Headroom of a freshly acquired buffer. */
    public int headroom() {
        return headroom;
    }

    /** Number of buffers the pool holds in all. */
    public int capacity() {
        return capacity;
    }

    /** Number of buffers not in use right now. */
    public synchronized int available() {
        return top;
    }

    /** How many times {@link #acquire()} found the pool empty. */
    public synchronized long exhaustedCount() {
        return exhausted;
    }
}
