package io.miragej.dns.tsig;

import io.miragej.dns.Name;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A TSIG key (RFC 8945 §4.2): a domain name, an algorithm and a shared secret. Names compare
 * case-insensitively, as DNS names do. {@link #toString()} never shows the secret.
 */
public final class TsigKey {
    private final Name name;
    private final TsigAlgorithm algorithm;
    private final byte[] secret;

    public TsigKey(Name name, TsigAlgorithm algorithm, byte[] secret) {
        this.name = Objects.requireNonNull(name);
        this.algorithm = Objects.requireNonNull(algorithm);
        if (secret.length == 0) {
            throw new IllegalArgumentException("the secret of TSIG key " + name + " is empty");
        }
        this.secret = secret.clone();
    }

    /**
     * A key from {@code NAME:ALGORITHM:BASE64SECRET}, e.g. {@code
     * xfr.example.:hmac-sha256:c2VjcmV0...} (the secret as {@code tsig-keygen} prints it).
     *
     * @throws IllegalArgumentException saying which part is wrong
     */
    public static TsigKey parse(String text) {
        String[] parts = text.split(":", 3);
        if (parts.length != 3 || parts[0].isEmpty() || parts[2].isEmpty()) {
            throw new IllegalArgumentException("a TSIG key is NAME:ALGORITHM:BASE64SECRET, got '" + redact(text) + "'");
        }
        Name n;
        try {
            n = Name.of(parts[0].endsWith(".") ? parts[0] : parts[0] + ".");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the TSIG key name '" + parts[0] + "' is not a domain name: " + e.getMessage());
        }
        TsigAlgorithm a = TsigAlgorithm.parse(parts[1]);
        byte[] s;
        try {
            s = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret of TSIG key " + n + " is not base64: " + e.getMessage());
        }
        return new TsigKey(n, a, s);
    }

    private static String redact(String text) {
        int i = text.lastIndexOf(':');
        return i < 0 ? "(" + text.length() + " characters)" : text.substring(0, i + 1) + "...";
    }

    public Name name() {
        return name;
    }

    public TsigAlgorithm algorithm() {
        return algorithm;
    }

    byte[] secret() {
        return secret;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TsigKey k && k.name.equals(name) && k.algorithm == algorithm
                && Arrays.equals(k.secret, secret);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + algorithm.hashCode();
    }

    @Override
    public String toString() {
        return name + " (" + algorithm + ")";
    }
}
