package io.miragej.block.tar;

import java.nio.charset.StandardCharsets;

/**
 * One 512-byte tar header (POSIX.1-2001 ustar, and the GNU format's differences), decoded and
 * checked: its checksum, its numbers (octal, or GNU base-256), its name (with the ustar prefix).
 * A parser of untrusted bytes: it never throws anything but {@link TarFormatException}.
 */
record TarHeader(String name, long mode, long size, long mtime, char type, String linkName, boolean ustar) {
    static final int BLOCK = 512;

    /** True when every byte of the block is zero (the end-of-archive marker is two of these). */
    static boolean isZero(byte[] b, int at) {
        for (int i = at; i < at + BLOCK; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static TarHeader parse(byte[] b, int at, long position) throws TarFormatException {
        long stored = number(b, at + 148, 8, position, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int v = (i >= 148 && i < 156) ? ' ' : b[at + i];
            unsigned += v & 0xFF;
            signed += (i >= 148 && i < 156) ? ' ' : b[at + i];
        }
        if (stored != unsigned && stored != signed) { // some old tars summed signed bytes
            throw new TarFormatException("the header at byte " + position + " fails its checksum (stored " + stored
                    + ", computed " + unsigned + "): not a tar archive, or a damaged one");
        }
        boolean posix = startsWith(b, at + 257, "ustar\0");
        boolean gnu = startsWith(b, at + 257, "ustar  \0");
        String name = string(b, at, 100);
        if (posix) {
            String prefix = string(b, at + 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        char type = (char) (b[at + 156] & 0xFF);
        long size = number(b, at + 124, 12, position, "size");
        long mtime = number(b, at + 136, 12, position, "modification time");
        long mode = number(b, at + 100, 8, position, "mode");
        if (size < 0) {
            throw new TarFormatException("the header at byte " + position + " gives a negative size");
        }
        return new TarHeader(name, mode, size, mtime, type, string(b, at + 157, 100), posix || gnu);
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A NUL-terminated field, as UTF-8 (what GNU tar and pax writers use for names). */
    static String string(byte[] b, int at, int len) {
        int end = at;
        while (end < at + len && b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    /** An octal number (spaces and NULs around it), or GNU base-256 when the top bit of the first byte is set. */
    static long number(byte[] b, int at, int len, long position, String what) throws TarFormatException {
        if ((b[at] & 0x80) != 0) {
            if ((b[at] & 0x40) != 0) {
                throw new TarFormatException("the " + what + " in the header at byte " + position + " is a negative base-256 number");
            }
            long v = b[at] & 0x3F;
            for (int i = 1; i < len; i++) {
                if (v > (Long.MAX_VALUE >>> 8)) {
                    throw new TarFormatException("the " + what + " in the header at byte " + position + " is too large");
                }
                v = v << 8 | (b[at + i] & 0xFF);
            }
            return v;
        }
        int i = at;
        int end = at + len;
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        long v = 0;
        boolean digits = false;
        while (i < end && b[i] >= '0' && b[i] <= '7') {
            if (v > (Long.MAX_VALUE >>> 3)) {
                throw new TarFormatException("the " + what + " in the header at byte " + position + " is too large");
            }
            v = v * 8 + (b[i] - '0');
            digits = true;
            i++;
        }
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        if (i != end) {
            throw new TarFormatException("the " + what + " in the header at byte " + position + " is not an octal number");
        }
        return digits ? v : 0;
    }
}
