package io.miragej.dns;

import io.miragej.buffer.PacketBuffer;

/**
 * Reading names out of messages, with compression (RFC 1035 §4.1.4), allocation-free for the
 * packet path.
 *
 * <p>A compression pointer must point strictly before the start of the run of labels it ends, so
 * every jump goes backwards to bytes not yet read: forward pointers, pointers into the current
 * name and pointer loops are rejected, and decoding ends in at most 128 jumps. Labels over 63 bytes,
 * the obsolete extended label types (0x40, 0x80) and names over 255 bytes are rejected.
 */
public final class NameCodec {
    private NameCodec() {}

    /** The message ends inside the name. */
    public static final int ERR_TRUNCATED = -1;
    /** A label type other than a plain label (0x00) or a pointer (0xC0). */
    public static final int ERR_LABEL_TYPE = -2;
    /** A pointer that does not point strictly backwards (forward, into itself, a loop). */
    public static final int ERR_POINTER = -3;
    /** The name is longer than 255 bytes once decompressed. */
    public static final int ERR_TOO_LONG = -4;

    /**
     * Decompresses the name starting at {@code pos} of {@code msg} into {@code out} (which must
     * hold 255 bytes), in uncompressed wire form, case kept.
     *
     * @return {@code (end << 8) | (length - 1)}, where {@code end} is the position just after the
     *     name in the message and {@code length} the bytes written to {@code out}; or one of the
     *     negative {@code ERR_} codes. Use {@link #end} and {@link #length} to unpack.
     */
    public static int decode(PacketBuffer msg, int pos, byte[] out) {
        int limit = msg.length();
        int p = pos;
        int segmentStart = pos; // pointers must land strictly before this
        int end = -1;
        int n = 0;
        while (true) {
            if (p >= limit) {
                return ERR_TRUNCATED;
            }
            int len = msg.getU8(p);
            if (len == 0) {
                if (n + 1 > Name.MAX_LENGTH) {
                    return ERR_TOO_LONG;
                }
                out[n++] = 0;
                if (end < 0) {
                    end = p + 1;
                }
                return (end << 8) | (n - 1);
            }
            int kind = len & 0xc0;
            if (kind == 0xc0) {
                if (p + 1 >= limit) {
                    return ERR_TRUNCATED;
                }
                int target = ((len & 0x3f) << 8) | msg.getU8(p + 1);
                if (target >= segmentStart) {
                    return ERR_POINTER;
                }
                if (end < 0) {
                    end = p + 2;
                }
                segmentStart = target;
                p = target;
                continue;
            }
            if (kind != 0) {
                return ERR_LABEL_TYPE;
            }
            if (n + len + 2 > Name.MAX_LENGTH) { // label, its length byte and at least the root
                return ERR_TOO_LONG;
            }
            if (p + 1 + len > limit) {
                return ERR_TRUNCATED;
            }
            out[n++] = (byte) len;
            msg.getBytes(p + 1, out, n, len);
            n += len;
            p += len + 1;
        }
    }

    /**
     * The same as {@link #decode(PacketBuffer, int, byte[])} for a message in {@code msg[0,
     * length)}: the packet path copies a query into an array once and reads it there.
     */
    public static int decode(byte[] msg, int length, int pos, byte[] out) {
        int limit = length;
        int p = pos;
        int segmentStart = pos;
        int end = -1;
        int n = 0;
        while (true) {
            if (p >= limit) {
                return ERR_TRUNCATED;
            }
            int len = msg[p] & 0xff;
            if (len == 0) {
                if (n + 1 > Name.MAX_LENGTH) {
                    return ERR_TOO_LONG;
                }
                out[n++] = 0;
                if (end < 0) {
                    end = p + 1;
                }
                return (end << 8) | (n - 1);
            }
            int kind = len & 0xc0;
            if (kind == 0xc0) {
                if (p + 1 >= limit) {
                    return ERR_TRUNCATED;
                }
                int target = ((len & 0x3f) << 8) | (msg[p + 1] & 0xff);
                if (target >= segmentStart) {
                    return ERR_POINTER;
                }
                if (end < 0) {
                    end = p + 2;
                }
                segmentStart = target;
                p = target;
                continue;
            }
            if (kind != 0) {
                return ERR_LABEL_TYPE;
            }
            if (n + len + 2 > Name.MAX_LENGTH) {
                return ERR_TOO_LONG;
            }
            if (p + 1 + len > limit) {
                return ERR_TRUNCATED;
            }
            out[n++] = (byte) len;
            System.arraycopy(msg, p + 1, out, n, len);
            n += len;
            p += len + 1;
        }
    }

    /** Position after the name, from a non-negative {@link #decode} result. */
    public static int end(int result) {
        return result >>> 8;
    }

    /** Bytes of the decompressed name, from a non-negative {@link #decode} result. */
    public static int length(int result) {
        return (result & 0xff) + 1;
    }

    /** Words for an {@code ERR_} code, for error messages. */
    public static String describe(int error) {
        return switch (error) {
            case ERR_TRUNCATED -> "the message ends inside a name";
            case ERR_LABEL_TYPE -> "a label has an unknown type (length byte 0x40-0xBF)";
            case ERR_POINTER -> "a compression pointer does not point backwards (forward pointer or loop)";
            case ERR_TOO_LONG -> "a name is longer than 255 bytes";
            default -> "no error";
        };
    }

    /** Decodes a name into a new {@link Name}, throwing on malformed input. */
    static Name read(PacketBuffer msg, int pos, byte[] scratch, int[] endOut) throws DnsFormatException {
        int r = decode(msg, pos, scratch);
        if (r < 0) {
            throw new DnsFormatException(describe(r) + " (name at byte " + pos + ")");
        }
        endOut[0] = end(r);
        byte[] w = new byte[length(r)];
        System.arraycopy(scratch, 0, w, 0, w.length);
        return Name.ofCheckedWire(w);
    }
}
