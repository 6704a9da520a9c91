package io.miragej.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A window onto packet memory: a {@link MemorySegment}, an offset into it and a length. MirageOS
 * calls this a Cstruct.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Indexes passed to accessors are relative to the window: index 0 is the first byte of the
 *       packet. Every access is checked against {@link #length()} and throws {@link
 *       IndexOutOfBoundsException} when any byte of it falls outside; no accessor ever reads or
 *       writes memory outside the window.
 *   <li>Multi-byte accessors use network byte order (big-endian) and need no alignment.
 *   <li>Memory before the window is <em>headroom</em>: {@link #prepend(int)} grows the window
 *       into it so a lower layer writes its header in place in front of the payload. Memory after
 *       the window is <em>tailroom</em>, used by {@link #extend(int)}.
 *   <li>{@link #slice(int, int)} makes a new window onto the same memory without copying. A slice
 *       has no headroom or tailroom of its own and can never be grown beyond the bytes it was cut
 *       from. A slice shares the reference count of the buffer it was cut from.
 *   <li>Buffers from a {@link PacketPool} are reference counted. Whoever holds a buffer owns one
 *       reference and gives it up with {@link #release()}; the last release returns the buffer to
 *       its pool. A receive callback <em>borrows</em> the buffer it is handed until it returns,
 *       and keeps it longer only by calling {@link #retain()}. Buffers not from a pool (heap
 *       buffers, wrapped segments) are reclaimed by the garbage collector and release is a no-op.
 *   <li>A buffer is not thread-safe: one thread uses it at a time. Retain and release may be
 *       called from any thread.
 * </ul>
 */
public final class PacketBuffer {
    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt I32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong I64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final VarHandle REFS;

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(PacketBuffer.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemorySegment memory;
    /** The buffer whose reference count this one shares; {@code this} for a root buffer. */
    private final PacketBuffer root;
    /** The pool a root buffer returns to, or null. */
    private final PacketPool pool;
    /** Bounds the window may move within: [floor, ceiling) of {@link #memory}. */
    private final int floor;
    private final int ceiling;
    private int offset;
    private int length;
    @SuppressWarnings("unused") // accessed through REFS
    private volatile int refs;

    private PacketBuffer(
            MemorySegment memory, PacketBuffer root, PacketPool pool, int floor, int ceiling,
            int offset, int length) {
        this.memory = memory;
        this.root = root == null ? this : root;
        this.pool = pool;
        this.floor = floor;
        this.ceiling = ceiling;
        this.offset = offset;
        this.length = length;
        this.refs = 1;
    }

    static PacketBuffer pooled(MemorySegment memory, PacketPool pool, int headroom) {
        if (memory.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pooled buffers are limited to 2 GiB");
        }
        PacketBuffer b = new PacketBuffer(memory, null, pool, 0, (int) memory.byteSize(), headroom, 0);
        b.refs = 0;
        return b;
    }

    /** A zero-filled heap buffer of {@code length} bytes with no headroom. */
    public static PacketBuffer allocate(int length) {
        return allocate(0, length);
    }

    /** A zero-filled heap buffer of {@code length} bytes preceded by {@code headroom} bytes. */
    public static PacketBuffer allocate(int headroom, int length) {
        if (headroom < 0 || length < 0 || (long) headroom + length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "headroom and length must be non-negative and fit in 2 GiB, got headroom="
                            + headroom + " length=" + length);
        }
        MemorySegment m = MemorySegment.ofArray(new byte[headroom + length]);
        return new PacketBuffer(m, null, null, 0, headroom + length, headroom, length);
    }

    /** A window onto all of {@code bytes}, without copying; writes go to the array. */
    public static PacketBuffer wrap(byte[] bytes) {
        return wrap(bytes, 0, bytes.length);
    }

    /** A window onto {@code bytes[offset, offset+length)}, without copying. */
    public static PacketBuffer wrap(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        return new PacketBuffer(
                MemorySegment.ofArray(bytes), null, null, offset, offset + length, offset, length);
    }

    /** A window onto the whole of {@code segment} (heap or native), without copying. */
    public static PacketBuffer wrap(MemorySegment segment) {
        if (segment.byteSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a packet buffer is limited to 2 GiB");
        }
        int size = (int) segment.byteSize();
        return new PacketBuffer(segment, null, null, 0, size, 0, size);
    }

    /** A new heap buffer holding a copy of {@code bytes}. */
    public static PacketBuffer copyOf(byte[] bytes) {
        return wrap(bytes.clone());
    }

    // ---- geometry ----

    /** Number of bytes in the window. */
    public int length() {
        return length;
    }

    /** Bytes available in front of the window for {@link #prepend(int)}. */
    public int headroom() {
        return offset - floor;
    }

    /** Bytes available after the window for {@link #extend(int)}. */
    public int tailroom() {
        return ceiling - offset - length;
    }

    /** The memory this window is cut from; byte 0 of the window is at {@link #offset()}. */
    public MemorySegment memory() {
        return memory;
    }

    /** Position of the window's first byte within {@link #memory()}. */
    public int offset() {
        return offset;
    }

    /** The window as a segment of its own (a new view object, no copy). */
    public MemorySegment segment() {
        return memory.asSlice(offset, length);
    }

    /**
     * Grows the window by {@code n} bytes at the front, into the headroom; the new bytes are index
     * 0..n-1 and hold whatever was there. Returns this buffer.
     *
     * @throws IndexOutOfBoundsException if the headroom is smaller than {@code n}
     */
    public PacketBuffer prepend(int n) {
        if (n < 0 || n > headroom()) {
            throw new IndexOutOfBoundsException(
                    "cannot prepend " + n + " bytes: headroom is " + headroom());
        }
        offset -= n;
        length += n;
        return this;
    }

    /**
     * Shrinks the window by {@code n} bytes at the front (the bytes become headroom), as a layer
     * does once it has read its header. Returns this buffer.
     */
    public PacketBuffer advance(int n) {
        if (n < 0 || n > length) {
            throw new IndexOutOfBoundsException("cannot advance " + n + " bytes: length is " + length);
        }
        offset += n;
        length -= n;
        return this;
    }

    /** Grows the window by {@code n} bytes at the end, into the tailroom. Returns this buffer. */
    public PacketBuffer extend(int n) {
        if (n < 0 || n > tailroom()) {
            throw new IndexOutOfBoundsException(
                    "cannot extend by " + n + " bytes: tailroom is " + tailroom());
        }
        length += n;
        return this;
    }

    /** Cuts the window down to its first {@code newLength} bytes. Returns this buffer. */
    public PacketBuffer truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IndexOutOfBoundsException(
                    "cannot truncate to " + newLength + " bytes: length is " + length);
        }
        length = newLength;
        return this;
    }

    /**
     * Moves the window to start {@code headroom} bytes into this buffer's memory with the given
     * length, as a device does before reading a frame into a recycled buffer.
     */
    public PacketBuffer reset(int headroom, int newLength) {
        if (headroom < 0 || newLength < 0 || (long) floor + headroom + newLength > ceiling) {
            throw new IndexOutOfBoundsException(
                    "cannot reset to headroom " + headroom + " and length " + newLength
                            + ": capacity is " + capacity());
        }
        offset = floor + headroom;
        length = newLength;
        return this;
    }

    /** Total bytes the window may cover: headroom + length + tailroom. */
    public int capacity() {
        return ceiling - floor;
    }

    /**
     * A window onto bytes {@code [index, index+len)} of this one, sharing memory and reference
     * count. The slice cannot be grown beyond those bytes.
     */
    public PacketBuffer slice(int index, int len) {
        Objects.checkFromIndexSize(index, len, length);
        int start = offset + index;
        return new PacketBuffer(memory, root, null, start, start + len, start, len);
    }

    // ---- reference counting ----

    /** Takes one more reference: the buffer stays valid until a matching {@link #release()}. */
    public PacketBuffer retain() {
        if (root.pool != null) {
            int before = (int) REFS.getAndAdd(root, 1);
            if (before <= 0) {
                REFS.getAndAdd(root, -1);
                throw new IllegalStateException("retain of a buffer that was already released");
            }
        }
        return this;
    }

    /** Gives up one reference; the last one returns a pooled buffer to its pool. */
    public void release() {
        PacketPool p = root.pool;
        if (p == null) {
            return;
        }
        int after = (int) REFS.getAndAdd(root, -1) - 1;
        if (after == 0) {
            p.giveBack(root);
        } else if (after < 0) {
            REFS.getAndAdd(root, 1);
            throw new IllegalStateException("buffer released more often than it was acquired");
        }
    }

    /** The current reference count (1 for buffers not from a pool). */
    public int refCount() {
        return root.pool == null ? 1 : (int) REFS.getVolatile(root);
    }

    void onAcquire(int headroom) {
        offset = floor + headroom;
        length = 0;
        REFS.setVolatile(this, 1);
    }

    // ---- accessors, all relative to the window and in network byte order ----

    private long at(int index, int size) {
        Objects.checkFromIndexSize(index, size, length);
        return (long) offset + index;
    }

    public byte getByte(int index) {
        return memory.get(ValueLayout.JAVA_BYTE, at(index, 1));
    }

    public int getU8(int index) {
        return getByte(index) & 0xff;
    }

    public int getU16(int index) {
        return memory.get(U16, at(index, 2)) & 0xffff;
    }

    public int getI32(int index) {
        return memory.get(I32, at(index, 4));
    }

    public long getU32(int index) {
        return getI32(index) & 0xffff_ffffL;
    }

    public long getI64(int index) {
        return memory.get(I64, at(index, 8));
    }

    public PacketBuffer setByte(int index, byte value) {
        memory.set(ValueLayout.JAVA_BYTE, at(index, 1), value);
        return this;
    }

    /** Writes the low 8 bits of {@code value}. */
    public PacketBuffer setU8(int index, int value) {
        return setByte(index, (byte) value);
    }

    /** Writes the low 16 bits of {@code value}. */
    public PacketBuffer setU16(int index, int value) {
        memory.set(U16, at(index, 2), (short) value);
        return this;
    }

    public PacketBuffer setI32(int index, int value) {
        memory.set(I32, at(index, 4), value);
        return this;
    }

    /** Writes the low 32 bits of {@code value}. */
    public PacketBuffer setU32(int index, long value) {
        return setI32(index, (int) value);
    }

    public PacketBuffer setI64(int index, long value) {
        memory.set(I64, at(index, 8), value);
        return this;
    }

    /** Copies {@code len} bytes from index {@code index} into {@code dst[dstOffset...]}. */
    public void getBytes(int index, byte[] dst, int dstOffset, int len) {
        Objects.checkFromIndexSize(dstOffset, len, dst.length);
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, at(index, len), dst, dstOffset, len);
    }

    /** Copies {@code src[srcOffset, srcOffset+len)} to index {@code index}. */
    public PacketBuffer setBytes(int index, byte[] src, int srcOffset, int len) {
        Objects.checkFromIndexSize(srcOffset, len, src.length);
        MemorySegment.copy(src, srcOffset, memory, ValueLayout.JAVA_BYTE, at(index, len), len);
        return this;
    }

    public PacketBuffer setBytes(int index, byte[] src) {
        return setBytes(index, src, 0, src.length);
    }

    /** Copies the whole window of {@code src} to index {@code index} of this one. */
    public PacketBuffer setBytes(int index, PacketBuffer src) {
        MemorySegment.copy(src.memory, src.offset, memory, at(index, src.length), src.length);
        return this;
    }

    /** Copies {@code len} bytes from {@code srcIndex} of this window to {@code dstIndex} of {@code dst}. */
    public void copyTo(int srcIndex, PacketBuffer dst, int dstIndex, int len) {
        MemorySegment.copy(memory, at(srcIndex, len), dst.memory, dst.at(dstIndex, len), len);
    }

    /** Sets {@code len} bytes from {@code index} to {@code value}. */
    public PacketBuffer fill(int index, int len, byte value) {
        memory.asSlice(at(index, len), len).fill(value);
        return this;
    }

    /** A new array holding a copy of the window. */
    public byte[] toByteArray() {
        byte[] out = new byte[length];
        getBytes(0, out, 0, length);
        return out;
    }

    /** True when both windows hold the same bytes. */
    public boolean contentEquals(PacketBuffer other) {
        return length == other.length
                && MemorySegment.mismatch(memory, offset, offset + length,
                        other.memory, other.offset, other.offset + length) == -1;
    }

    /** The window's bytes in lowercase hexadecimal. */
    public String toHex() {
        return HexFormat.of().formatHex(toByteArray());
    }

    @Override
    public String toString() {
        return "PacketBuffer[length=" + length + ", headroom=" + headroom() + ", tailroom="
                + tailroom() + (memory.isNative() ? ", native" : ", heap") + "]";
    }
}
