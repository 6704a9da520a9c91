package io.miragej.dns;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The type bit maps of NSEC and NSEC3 (RFC 4034 §4.1.2). */
final class TypeBitmap {
    private TypeBitmap() {}

    /** The types in a well-formed bit map {@code d[from, to)}. */
    static List<Integer> types(byte[] d, int from, int to) {
        List<Integer> out = new ArrayList<>();
        int p = from;
        while (p < to) {
            int window = d[p] & 0xff;
            int len = d[p + 1] & 0xff;
            for (int i = 0; i < len; i++) {
                int bits = d[p + 2 + i] & 0xff;
                for (int b = 0; b < 8; b++) {
                    if ((bits & (0x80 >>> b)) != 0) {
                        out.add(window * 256 + i * 8 + b);
                    }
                }
            }
            p += 2 + len;
        }
        return out;
    }

    /** The canonical bit map of {@code types}: windows ascending, no empty windows or trailing zeros. */
    static byte[] encode(Iterable<Integer> types) {
        TreeSet<Integer> sorted = new TreeSet<>();
        types.forEach(sorted::add);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int window = -1;
        byte[] bits = new byte[32];
        int used = 0;
        for (int t : sorted) {
            int w = t >>> 8;
            if (w != window) {
                if (window >= 0) {
                    out.write(window);
                    out.write(used);
                    out.write(bits, 0, used);
                }
                window = w;
                bits = new byte[32];
                used = 0;
            }
            int low = t & 0xff;
            bits[low >>> 3] |= (byte) (0x80 >>> (low & 7));
            used = Math.max(used, (low >>> 3) + 1);
        }
        if (window >= 0) {
            out.write(window);
            out.write(used);
            out.write(bits, 0, used);
        }
        return out.toByteArray();
    }
}
