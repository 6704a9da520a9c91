package io.miragej.dns;

import java.util.Locale;

/** DNS classes (RFC 1035 §3.2.4, RFC 2136 for NONE). */
public final class RrClass {
    private RrClass() {}

    public static final int IN = 1;
    public static final int CH = 3;
    public static final int HS = 4;
    public static final int NONE = 254;
    public static final int ANY = 255;

    public static String toString(int c) {
        return switch (c) {
            case IN -> "IN";
            case CH -> "CH";
            case HS -> "HS";
            case NONE -> "NONE";
            case ANY -> "ANY";
            default -> "CLASS" + c;
        };
    }

    /** The class named by a mnemonic or {@code CLASSnnn}, or -1. */
    public static int parse(String text) {
        String t = text.toUpperCase(Locale.ROOT);
        return switch (t) {
            case "IN" -> IN;
            case "CH", "CHAOS" -> CH;
            case "HS" -> HS;
            case "NONE" -> NONE;
            case "ANY" -> ANY;
            default -> {
                if (t.startsWith("CLASS") && t.length() > 5 && t.length() <= 10
                        && t.substring(5).chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    long v = Long.parseLong(t.substring(5));
                    yield v <= 0xffff ? (int) v : -1;
                }
                yield -1;
            }
        };
    }
}
