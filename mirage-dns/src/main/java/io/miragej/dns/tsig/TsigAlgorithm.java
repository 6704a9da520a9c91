package io.miragej.dns.tsig;

import io.miragej.dns.Name;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import javax.crypto.Mac;

/**
 * The HMAC algorithms TSIG names (RFC 8945 §6): HMAC-SHA256 is the one to use; SHA-1 for older
 * peers, the others because peers offer them. HMAC-MD5 and GSS-TSIG are not implemented.
 */
public enum TsigAlgorithm {
    HMAC_SHA1("hmac-sha1", "HmacSHA1", 20),
    HMAC_SHA224("hmac-sha224", "HmacSHA224", 28),
    HMAC_SHA256("hmac-sha256", "HmacSHA256", 32),
    HMAC_SHA384("hmac-sha384", "HmacSHA384", 48),
    HMAC_SHA512("hmac-sha512", "HmacSHA512", 64);

    private final String text;
    private final Name name;
    private final String jca;
    private final int macLength;

    TsigAlgorithm(String text, String jca, int macLength) {
        this.text = text;
        this.name = Name.of(text + ".");
        this.jca = jca;
        this.macLength = macLength;
    }

    /** The algorithm's name as TSIG carries it, e.g. {@code hmac-sha256.}. */
    public Name algorithmName() {
        return name;
    }

    /** Bytes of a full MAC. */
    public int macLength() {
        return macLength;
    }

    /**
     * The shortest MAC accepted (RFC 8945 §5.2.2.1): the larger of 10 bytes and half the full
     * length.
     */
    public int minimumMacLength() {
        return Math.max(10, macLength / 2);
    }

    /** A fresh, uninitialised JDK Mac for this algorithm (every JDK has all five). */
    Mac newMac() {
        try {
            return Mac.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " is missing from this JDK", e);
        }
    }

    /** The algorithm named {@code n} on the wire (case-insensitive), or null. */
    public static TsigAlgorithm byName(Name n) {
        for (TsigAlgorithm a : values()) {
            if (a.name.equals(n)) {
                return a;
            }
        }
        return null;
    }

    /**
     * The algorithm spelled {@code s} as in BIND, NSD and Knot configurations: {@code hmac-sha256}
     * (a trailing dot and any case accepted).
     *
     * @throws IllegalArgumentException naming the accepted spellings
     */
    public static TsigAlgorithm parse(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        for (TsigAlgorithm a : values()) {
            if (a.text.equals(t)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown TSIG algorithm '" + s
                + "'; accepted: hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1");
    }

    @Override
    public String toString() {
        return text;
    }
}
