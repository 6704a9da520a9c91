package io.miragej.dns;

import java.io.ByteArrayOutputStream;

/** The character-string syntax of RFC 1035 §5.1: quoted or bare, with {@code \X} and {@code \DDD}. */
final class CharString {
    private CharString() {}

    /** The bytes of a raw token (quotes and escapes still in it), at most {@code max} of them. */
    static byte[] decode(String tok, int max) {
        String s = tok;
        if (s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') {
            s = s.substring(1, s.length() - 1);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 >= s.length()) {
                    throw new IllegalArgumentException(tok + " ends in a lone backslash");
                }
                char d = s.charAt(i + 1);
                if (d >= '0' && d <= '9') {
                    if (i + 4 > s.length()) {
                        throw new IllegalArgumentException("\\" + d + " in " + tok + " needs three digits, like \\034");
                    }
                    String digits = s.substring(i + 1, i + 4);
                    if (!digits.chars().allMatch(x -> x >= '0' && x <= '9')) {
                        throw new IllegalArgumentException("\\" + digits + " in " + tok + " needs three digits");
                    }
                    int v = Integer.parseInt(digits);
                    if (v > 255) {
                        throw new IllegalArgumentException("\\" + digits + " in " + tok + " is not a byte");
                    }
                    out.write(v);
                    i += 3;
                } else {
                    out.write(d);
                    i++;
                }
            } else {
                if (c == '"') {
                    throw new IllegalArgumentException("stray quote in " + tok + "; escape it as \\\"");
                }
                if (c > 255) {
                    throw new IllegalArgumentException(tok + " has a character that is not one byte;"
                            + " escape other bytes as \\DDD");
                }
                out.write(c);
            }
        }
        if (out.size() > max) {
            throw new IllegalArgumentException("a string is at most " + max + " bytes, " + tok + " has " + out.size());
        }
        return out.toByteArray();
    }
}
