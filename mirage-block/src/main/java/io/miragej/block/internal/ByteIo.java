package io.miragej.block.internal;

import io.miragej.device.Block;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Byte-granular access to a {@link Block} (whole sectors are read and, for partial sectors,
 * read-modified-written), and little-endian field accessors for on-disk structures. Internal to
 * this module.
 */
public final class ByteIo {
    private ByteIo() {}

    /** Reads {@code len} bytes at byte {@code offset} of the device into {@code dst[off..]}. */
    public static void read(Block device, long offset, byte[] dst, int off, int len) throws IOException {
        int ss = device.sectorSize();
        if (offset % ss == 0 && len % ss == 0) {
            device.read(offset / ss, MemorySegment.ofArray(dst).asSlice(off, len));
            return;
        }
        long first = Math.floorDiv(offset, ss);
        long last = Math.floorDiv(offset + len - 1, ss);
        byte[] tmp = new byte[Math.toIntExact((last - first + 1) * ss)];
        device.read(first, MemorySegment.ofArray(tmp));
        System.arraycopy(tmp, (int) (offset - first * ss), dst, off, len);
    }

    /** Reads {@code len} bytes at byte {@code offset}. */
    public static byte[] read(Block device, long offset, int len) throws IOException {
        byte[] out = new byte[len];
        if (len > 0) {
            read(device, offset, out, 0, len);
        }
        return out;
    }

    /** Writes {@code src[off..off+len)} at byte {@code offset}, keeping the rest of partial sectors. */
    public static void write(Block device, long offset, byte[] src, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        int ss = device.sectorSize();
        if (offset % ss == 0 && len % ss == 0) {
            device.write(offset / ss, MemorySegment.ofArray(src).asSlice(off, len));
            return;
        }
        long first = Math.floorDiv(offset, ss);
        long last = Math.floorDiv(offset + len - 1, ss);
        byte[] tmp = new byte[Math.toIntExact((last - first + 1) * ss)];
        // only the partial first and last sectors need their old contents
        device.read(first, MemorySegment.ofArray(tmp).asSlice(0, ss));
        if (last != first) {
            device.read(last, MemorySegment.ofArray(tmp).asSlice(tmp.length - ss, ss));
        }
        System.arraycopy(src, off, tmp, (int) (offset - first * ss), len);
        device.write(first, MemorySegment.ofArray(tmp));
    }

    public static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    public static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    public static long u32(byte[] b, int at) {
        return (u16(b, at) | (long) u16(b, at + 2) << 16) & 0xffff_ffffL;
    }

    public static long u64(byte[] b, int at) {
        return u32(b, at) | u32(b, at + 4) << 32;
    }

    public static void put16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    public static void put32(byte[] b, int at, long v) {
        put16(b, at, (int) v);
        put16(b, at + 2, (int) (v >>> 16));
    }

    public static void put64(byte[] b, int at, long v) {
        put32(b, at, v);
        put32(b, at + 4, v >>> 32);
    }

    /** ASCII bytes, trailing spaces and NULs removed. */
    public static String ascii(byte[] b, int at, int len) {
        int end = at + len;
        while (end > at && (b[end - 1] == ' ' || b[end - 1] == 0)) {
            end--;
        }
        return new String(b, at, end - at, StandardCharsets.ISO_8859_1);
    }

    /** True when {@code b[at..]} starts with the ASCII {@code text}. */
    public static boolean startsWith(byte[] b, int at, String text) {
        if (at + text.length() > b.length) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (b[at + i] != (byte) text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
