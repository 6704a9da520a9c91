package io.miragej.dns;

import java.util.Arrays;

/**
 * A domain name (RFC 1034 §3.1), held in uncompressed wire form: labels each preceded by its
 * length, ending with the empty root label. Names compare case-insensitively (ASCII only, RFC
 * 4343) and keep the case they were created with, which {@link #toString()} and the wire form
 * show.
 *
 * <p>Limits (RFC 1035 §2.3.4): a label is 1 to 63 bytes, a whole name at most 255 bytes on the
 * wire. Immutable.
 */
public final class Name implements Comparable<Name> {
    public static final int MAX_LENGTH = 255;
    public static final int MAX_LABEL = 63;
    public static final Name ROOT = new Name(new byte[] {0});

    private final byte[] wire;
    private int hash; // case-insensitive, lazily computed; 0 means not yet

    private Name(byte[] wire) {
        this.wire = wire;
    }

    /**
     * The name whose uncompressed wire form is {@code wire[offset, offset+length)}.
     *
     * @throws IllegalArgumentException when that is not exactly one well-formed name
     */
    public static Name fromWire(byte[] wire, int offset, int length) {
        int end = offset + length;
        if (length < 1 || length > MAX_LENGTH || end > wire.length) {
            throw new IllegalArgumentException("a name is 1-255 bytes on the wire, got " + length);
        }
        int p = offset;
        while (true) {
            int len = wire[p] & 0xff;
            if (len > MAX_LABEL) {
                throw new IllegalArgumentException("label length " + len + " at byte " + (p - offset)
                        + " is over 63 (compression pointers are not allowed here)");
            }
            if (len == 0) {
                if (p + 1 != end) {
                    throw new IllegalArgumentException("bytes after the root label");
                }
                break;
            }
            p += len + 1;
            if (p >= end) {
                throw new IllegalArgumentException("name runs past its end without a root label");
            }
        }
        return new Name(Arrays.copyOfRange(wire, offset, end));
    }

    /** Trusted constructor for wire bytes already checked by a decoder; takes ownership. */
    static Name ofCheckedWire(byte[] wire) {
        return new Name(wire);
    }

    /** An absolute name from presentation text; a trailing dot is optional. */
    public static Name of(String text) {
        if (text.equals(".") || text.isEmpty()) {
            return ROOT;
        }
        return parse(text, ROOT);
    }

    /**
     * Parses a name in presentation format (RFC 1035 §5.1): labels separated by dots, {@code \X}
     * for a literal character and {@code \DDD} for a byte in decimal. Text ending in an unescaped
     * dot is absolute; otherwise it is relative and {@code origin} is appended. {@code @} alone is
     * the origin.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Name parse(String text, Name origin) {
        if (text.equals("@")) {
            if (origin == null) {
                throw new IllegalArgumentException("'@' needs an origin");
            }
            return origin;
        }
        if (text.equals(".")) {
            return ROOT;
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty name");
        }
        byte[] out = new byte[MAX_LENGTH + 1];
        int labelStart = 0; // where the current label's length byte goes
        int n = 1; // bytes written
        boolean absolute = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '.') {
                int len = n - labelStart - 1;
                if (len == 0) {
                    throw new IllegalArgumentException("empty label in '" + text + "'");
                }
                out[labelStart] = (byte) len;
                i++;
                if (i == text.length()) {
                    absolute = true;
                    break;
                }
                labelStart = n;
                n++;
                if (n > MAX_LENGTH) {
                    throw new IllegalArgumentException("name '" + text + "' is longer than 255 bytes");
                }
                continue;
            }
            int b;
            if (c == '\\') {
                if (i + 1 >= text.length()) {
                    throw new IllegalArgumentException("'" + text + "' ends in a lone backslash");
                }
                char d = text.charAt(i + 1);
                if (d >= '0' && d <= '9') {
                    if (i + 4 > text.length() || !isDigit(text.charAt(i + 2)) || !isDigit(text.charAt(i + 3))) {
                        throw new IllegalArgumentException("'\\" + d + "' in '" + text
                                + "' must be followed by three decimal digits, like \\065");
                    }
                    b = (d - '0') * 100 + (text.charAt(i + 2) - '0') * 10 + (text.charAt(i + 3) - '0');
                    if (b > 255) {
                        throw new IllegalArgumentException("\\" + text.substring(i + 1, i + 4)
                                + " in '" + text + "' is not a byte (0-255)");
                    }
                    i += 4;
                } else {
                    b = d;
                    i += 2;
                }
            } else {
                b = c;
                i++;
            }
            if (b > 255) {
                throw new IllegalArgumentException("'" + text + "' has a character that is not one"
                        + " byte; write non-ASCII labels in their A-label (xn--) form");
            }
            if (n - labelStart - 1 >= MAX_LABEL) {
                throw new IllegalArgumentException("a label of '" + text + "' is longer than 63 bytes");
            }
            if (n >= MAX_LENGTH) {
                throw new IllegalArgumentException("name '" + text + "' is longer than 255 bytes");
            }
            out[n++] = (byte) b;
        }
        if (!absolute) {
            int len = n - labelStart - 1;
            if (len == 0) {
                throw new IllegalArgumentException("empty label in '" + text + "'");
            }
            out[labelStart] = (byte) len;
            if (origin == null) {
                throw new IllegalArgumentException("'" + text + "' is relative and there is no origin");
            }
            int total = n + origin.wire.length;
            if (total > MAX_LENGTH) {
                throw new IllegalArgumentException("'" + text + "' with origin " + origin
                        + " is longer than 255 bytes");
            }
            byte[] w = Arrays.copyOf(out, total);
            System.arraycopy(origin.wire, 0, w, n, origin.wire.length);
            return new Name(w);
        }
        out[n++] = 0;
        return new Name(Arrays.copyOf(out, n));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    // ---- structure ----

    /** Length of the uncompressed wire form, root label included (1 for the root). */
    public int wireLength() {
        return wire.length;
    }

    /** A copy of the uncompressed wire form. */
    public byte[] toWire() {
        return wire.clone();
    }

    /** Copies the wire form into {@code dst} at {@code offset}; returns the bytes written. */
    public int copyWire(byte[] dst, int offset) {
        System.arraycopy(wire, 0, dst, offset, wire.length);
        return wire.length;
    }

    byte[] wire() {
        return wire;
    }

    /** Number of labels, not counting the root: 0 for the root, 2 for {@code example.com.}. */
    public int labelCount() {
        int count = 0;
        for (int p = 0; wire[p] != 0; p += (wire[p] & 0xff) + 1) {
            count++;
        }
        return count;
    }

    /** Offset in the wire form where label {@code i} (0 = leftmost) starts. */
    private int labelOffset(int i) {
        int p = 0;
        for (int k = 0; k < i; k++) {
            if (wire[p] == 0) {
                throw new IndexOutOfBoundsException("label " + i + " of " + this);
            }
            p += (wire[p] & 0xff) + 1;
        }
        return p;
    }

    /** The raw bytes of label {@code i} (0 = leftmost). */
    public byte[] label(int i) {
        int p = labelOffset(i);
        return Arrays.copyOfRange(wire, p + 1, p + 1 + (wire[p] & 0xff));
    }

    public boolean isRoot() {
        return wire.length == 1;
    }

    /** True when the leftmost label is {@code *} (RFC 4592). */
    public boolean isWildcard() {
        return wire.length >= 2 && wire[0] == 1 && wire[1] == '*';
    }

    /** The name with its leftmost label removed; the root's parent is an error. */
    public Name parent() {
        if (isRoot()) {
            throw new IllegalStateException("the root has no parent");
        }
        return new Name(Arrays.copyOfRange(wire, (wire[0] & 0xff) + 1, wire.length));
    }

    /** The name made of the last {@code n} labels (plus the root). */
    public Name suffix(int n) {
        int drop = labelCount() - n;
        if (drop < 0 || n < 0) {
            throw new IllegalArgumentException(this + " has fewer than " + n + " labels");
        }
        return drop == 0 ? this : new Name(Arrays.copyOfRange(wire, labelOffset(drop), wire.length));
    }

    /** {@code label.this}; the label is given as raw bytes. */
    public Name child(byte[] label) {
        if (label.length < 1 || label.length > MAX_LABEL || wire.length + label.length + 1 > MAX_LENGTH) {
            throw new IllegalArgumentException("cannot prepend a label of " + label.length + " bytes to " + this);
        }
        byte[] w = new byte[wire.length + label.length + 1];
        w[0] = (byte) label.length;
        System.arraycopy(label, 0, w, 1, label.length);
        System.arraycopy(wire, 0, w, label.length + 1, wire.length);
        return new Name(w);
    }

    /** {@code label.this} for a label given as text (no escapes). */
    public Name child(String label) {
        byte[] b = new byte[label.length()];
        for (int i = 0; i < b.length; i++) {
            char c = label.charAt(i);
            if (c > 255) {
                throw new IllegalArgumentException("label '" + label + "' is not ASCII");
            }
            b[i] = (byte) c;
        }
        return child(b);
    }

    /** This name (relative, without its root label) followed by {@code origin}. */
    public Name concat(Name origin) {
        int total = wire.length - 1 + origin.wire.length;
        if (total > MAX_LENGTH) {
            throw new IllegalArgumentException(this + " + " + origin + " is longer than 255 bytes");
        }
        byte[] w = Arrays.copyOf(wire, total);
        System.arraycopy(origin.wire, 0, w, wire.length - 1, origin.wire.length);
        return new Name(w);
    }

    /** True when this name is {@code other} or below it (case-insensitively). */
    public boolean isSubdomainOf(Name other) {
        int skip = wire.length - other.wire.length;
        if (skip < 0) {
            return false;
        }
        // The suffix must start on a label boundary.
        int p = 0;
        while (p < skip) {
            p += (wire[p] & 0xff) + 1;
        }
        return p == skip && equalsIgnoreCase(wire, skip, other.wire, 0, other.wire.length);
    }

    /** This name with ASCII letters in lower case. */
    public Name toLowerCase() {
        byte[] w = wire.clone();
        boolean changed = false;
        for (int i = 0; i < w.length; i++) {
            byte b = w[i];
            if (b >= 'A' && b <= 'Z') {
                w[i] = (byte) (b + 32);
                changed = true;
            }
        }
        return changed ? new Name(w) : this;
    }

    /** True when both names have the same bytes, case included. */
    public boolean equalsExactly(Name other) {
        return Arrays.equals(wire, other.wire);
    }

    static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    static boolean equalsIgnoreCase(byte[] a, int ao, byte[] b, int bo, int len) {
        for (int i = 0; i < len; i++) {
            byte x = a[ao + i];
            byte y = b[bo + i];
            if (x != y && lower(x) != lower(y)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Name n && n.wire.length == wire.length
                && equalsIgnoreCase(wire, 0, n.wire, 0, wire.length);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = 1;
            for (byte b : wire) {
                h = 31 * h + lower(b);
            }
            if (h == 0) {
                h = 1;
            }
            hash = h;
        }
        return h;
    }

    /**
     * Canonical DNS order (RFC 4034 §6.1): by labels from the right, each compared as lower-cased
     * bytes, a name sorting before its subdomains.
     */
    @Override
    public int compareTo(Name o) {
        int[] a = labelOffsets();
        int[] b = o.labelOffsets();
        int i = a.length - 1;
        int j = b.length - 1;
        while (i >= 0 && j >= 0) {
            int pa = a[i];
            int pb = o == this ? a[j] : b[j];
            int la = wire[pa] & 0xff;
            int lb = o.wire[pb] & 0xff;
            int n = Math.min(la, lb);
            for (int k = 1; k <= n; k++) {
                int x = lower(wire[pa + k] & 0xff);
                int y = lower(o.wire[pb + k] & 0xff);
                if (x != y) {
                    return x - y;
                }
            }
            if (la != lb) {
                return la - lb;
            }
            i--;
            j--;
        }
        return Integer.compare(a.length, b.length);
    }

    private int[] labelOffsets() {
        int[] out = new int[labelCount()];
        int p = 0;
        for (int k = 0; k < out.length; k++) {
            out[k] = p;
            p += (wire[p] & 0xff) + 1;
        }
        return out;
    }

    /** Presentation format, absolute (ends with a dot), with {@code \} escapes where needed. */
    @Override
    public String toString() {
        if (isRoot()) {
            return ".";
        }
        StringBuilder sb = new StringBuilder(wire.length + 4);
        int p = 0;
        while (wire[p] != 0) {
            int len = wire[p] & 0xff;
            for (int k = 1; k <= len; k++) {
                appendEscaped(sb, wire[p + k] & 0xff);
            }
            sb.append('.');
            p += len + 1;
        }
        return sb.toString();
    }

    /** Presentation format relative to {@code origin} ({@code @} for the origin itself). */
    public String toString(Name origin) {
        if (equals(origin)) {
            return "@";
        }
        if (origin.isRoot() || !isSubdomainOf(origin)) {
            return toString();
        }
        int keep = labelCount() - origin.labelCount();
        // Cut the text after the keep-th unescaped dot.
        StringBuilder sb = new StringBuilder();
        int p = 0;
        for (int k = 0; k < keep; k++) {
            int len = wire[p] & 0xff;
            if (k > 0) {
                sb.append('.');
            }
            for (int m = 1; m <= len; m++) {
                appendEscaped(sb, wire[p + m] & 0xff);
            }
            p += len + 1;
        }
        return sb.toString();
    }

    static void appendEscaped(StringBuilder sb, int b) {
        switch (b) {
            case '.', '\\', '"', '(', ')', ';', '@', '$' -> sb.append('\\').append((char) b);
            default -> {
                if (b <= 0x20 || b >= 0x7f) {
                    sb.append('\\');
                    if (b < 100) {
                        sb.append('0');
                    }
                    if (b < 10) {
                        sb.append('0');
                    }
                    sb.append(b);
                } else {
                    sb.append((char) b);
                }
            }
        }
    }
}
