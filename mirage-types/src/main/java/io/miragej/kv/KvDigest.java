package io.miragej.kv;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The digests {@link ReadOnlyKv#digest} returns, computed the same way by every store so that two
 * stores holding the same tree agree: SHA-256 of a value's bytes; for a dictionary, SHA-256 over
 * its entries in name order, each as the name in UTF-8, a NUL, one byte for the kind ('v' or
 * 'd') and the entry's own digest.
 */
public final class KvDigest {
    private final MessageDigest sha = sha256();

    private KvDigest() {}

    /** The digest of a value. */
    public static byte[] ofValue(byte[] value) {
        return sha256().digest(value);
    }

    /** Starts the digest of a dictionary; add its entries in name order. */
    public static KvDigest dictionary() {
        return new KvDigest();
    }

    /** Adds one entry with its own digest. */
    public KvDigest add(ReadOnlyKv.Entry entry, byte[] entryDigest) {
        sha.update(entry.name().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update((byte) (entry.kind() == ReadOnlyKv.Kind.VALUE ? 'v' : 'd'));
        sha.update(entryDigest);
        return this;
    }

    public byte[] finish() {
        return sha.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
