package io.miragej.kv;

import java.io.IOException;

/** A key-value operation that failed, with the key and the reason. */
public final class KvException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason {
        /** No value or dictionary at the key. */
        NOT_FOUND,
        /** A value was needed but the key names a dictionary. */
        VALUE_EXPECTED,
        /** A dictionary was needed (a parent of the key, or {@code list}) but the key names a value. */
        DICTIONARY_EXPECTED,
        /** The store refuses writes. */
        READ_ONLY,
        /** The store is full. */
        NO_SPACE,
        /**
         * The store cannot hold this key: a character, a length or a form its format does not
         * allow (a FAT name with {@code :} in it, say). The message says which rule; a valid key
         * for another store may still be refused by this one.
         */
        UNSUPPORTED_KEY,
        /** Stored data failed its integrity check: the store says so instead of returning it. */
        CORRUPT,
        /** The device beneath failed. */
        IO
    }

    private final Reason reason;
    private final KvKey key;

    public KvException(Reason reason, KvKey key, String message) {
        super(key + ": " + message);
        this.reason = reason;
        this.key = key;
    }

    public KvException(Reason reason, KvKey key, String message, Throwable cause) {
        super(key + ": " + message, cause);
        this.reason = reason;
        this.key = key;
    }

    public static KvException notFound(KvKey key) {
        return new KvException(Reason.NOT_FOUND, key, "not found");
    }

    public Reason reason() {
        return reason;
    }

    public KvKey key() {
        return key;
    }
}
