package io.miragej.dns;

/** TTLs and intervals in zone files: plain seconds, or BIND-style units like {@code 1h30m} or {@code 2W}. */
public final class Ttl {
    private Ttl() {}

    /** Largest TTL: RFC 2181 §8 (2^31 - 1). */
    static final long MAX = 0x7fff_ffffL;

    /**
     * Parses a TTL; the result is 0 to 2^32-1.
     *
     * @throws IllegalArgumentException for text that is not a TTL
     */
    static long parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty TTL");
        }
        long total = 0;
        long cur = -1;
        boolean sawUnit = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                cur = (cur < 0 ? 0 : cur) * 10 + (c - '0');
                if (cur > 0xffff_ffffL) {
                    throw new IllegalArgumentException("'" + text + "' is over 4294967295 seconds");
                }
                continue;
            }
            long unit = switch (Character.toLowerCase(c)) {
                case 's' -> 1;
                case 'm' -> 60;
                case 'h' -> 3600;
                case 'd' -> 86400;
                case 'w' -> 604800;
                default -> throw new IllegalArgumentException("'" + text + "' is not a TTL: use seconds,"
                        + " or numbers with units s, m, h, d, w like 1h30m");
            };
            if (cur < 0) {
                throw new IllegalArgumentException("'" + text + "' has a unit without a number");
            }
            total += cur * unit;
            cur = -1;
            sawUnit = true;
        }
        if (cur >= 0) {
            if (sawUnit) {
                throw new IllegalArgumentException("'" + text + "' ends in a number without a unit");
            }
            total = cur;
        }
        if (total > 0xffff_ffffL) {
            throw new IllegalArgumentException("'" + text + "' is over 4294967295 seconds");
        }
        return total;
    }

    /**
     * Parses a record TTL: at most 2^31-1 (RFC 2181 §8).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static long parseTtl(String text) {
        long v = parse(text);
        if (v > MAX) {
            throw new IllegalArgumentException("TTL " + text + " is over 2147483647 seconds (RFC 2181 §8)");
        }
        return v;
    }

    /** True when {@code text} looks like a TTL (starts with a digit and parses). */
    static boolean looksLikeTtl(String text) {
        if (text.isEmpty() || text.charAt(0) < '0' || text.charAt(0) > '9') {
            return false;
        }
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
