package io.miragej.block.tar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds tar archives by hand for tests: ustar headers, with pax extended headers when asked. */
final class TestTar {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A ustar header for {@code name} of {@code type}, then {@code data} padded to whole blocks. */
    TestTar entry(String name, char type, byte[] data, long mtime) {
        return raw(header(name, type, data.length, mtime, ""), data);
    }

    TestTar file(String name, String content) {
        return entry(name, '0', content.getBytes(StandardCharsets.UTF_8), 1_700_000_000L);
    }

    TestTar dir(String name) {
        return entry(name, '5', new byte[0], 1_700_000_000L);
    }

    TestTar link(String name, char type, String target) {
        return raw(header(name, type, 0, 1_700_000_000L, target), new byte[0]);
    }

    /** A pax extended header holding {@code records} ("key=value" each). */
    TestTar pax(char type, String... records) {
        StringBuilder b = new StringBuilder();
        for (String r : records) {
            int len = r.length() + 3;
            while (String.valueOf(len).length() + 1 + r.getBytes(StandardCharsets.UTF_8).length + 1 != len) {
                len = String.valueOf(len).length() + 1 + r.getBytes(StandardCharsets.UTF_8).length + 1;
            }
            b.append(len).append(' ').append(r).append('\n');
        }
        byte[] data = b.toString().getBytes(StandardCharsets.UTF_8);
        return raw(header("PaxHeader", type, data.length, 0, ""), data);
    }

    TestTar raw(byte[] header, byte[] data) {
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        return this;
    }

    /** The archive with its two zero blocks, padded to {@code multiple} bytes. */
    byte[] finish(int multiple) {
        out.writeBytes(new byte[1024]);
        int pad = (multiple - out.size() % multiple) % multiple;
        out.writeBytes(new byte[pad]);
        return out.toByteArray();
    }

    static byte[] header(String name, char type, long size, long mtime, String link) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = (byte) type;
        byte[] l = link.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(l, 0, h, 157, Math.min(100, l.length));
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        sign(h);
        return h;
    }

    static void octal(byte[] h, int at, int len, long v) {
        String s = String.format("%0" + (len - 1) + "o", v);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, at, len - 1);
        h[at + len - 1] = 0;
    }

    /** Writes the header checksum over the other bytes. */
    static void sign(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        String s = String.format("%06o", sum);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }
}
