package io.miragej.kv;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A read-only tree of values under {@link KvKey}s, like MirageOS's {@code Mirage_kv.RO}: keys name
 * either a value (bytes) or a dictionary (holding further keys). Implementations are safe for use
 * from several threads.
 */
public interface ReadOnlyKv {

    /** What a key names. */
    enum Kind {
        VALUE,
        DICTIONARY
    }

    /** One entry of a dictionary: its name (last segment) and kind. */
    record Entry(String name, Kind kind) {}

    /** What {@code key} names, or empty when nothing is there. The root is always a dictionary. */
    Optional<Kind> exists(KvKey key) throws KvException;

    /**
     * The whole value at {@code key}.
     *
     * @throws KvException NOT_FOUND, or VALUE_EXPECTED when the key is a dictionary
     */
    byte[] get(KvKey key) throws KvException;

    /** Up to {@code length} bytes of the value starting at {@code offset}. */
    default byte[] getPartial(KvKey key, long offset, int length) throws KvException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be non-negative");
        }
        byte[] all = get(key);
        if (offset >= all.length) {
            return new byte[0];
        }
        int n = (int) Math.min(length, all.length - offset);
        byte[] out = new byte[n];
        System.arraycopy(all, (int) offset, out, 0, n);
        return out;
    }

    /** Size of the value in bytes. */
    default long size(KvKey key) throws KvException {
        return get(key).length;
    }

    /**
     * The entries of the dictionary {@code key}, sorted by name.
     *
     * @throws KvException NOT_FOUND, or DICTIONARY_EXPECTED when the key is a value
     */
    List<Entry> list(KvKey key) throws KvException;

    /** When the value or dictionary was last changed. */
    Instant lastModified(KvKey key) throws KvException;

    /**
     * A digest of the value (SHA-256 of its bytes) or of the dictionary (over its entries' names,
     * kinds and digests, see {@link KvDigest}), so two stores holding the same tree give the same
     * digests. This default walks the tree; a store that keeps digests can answer faster.
     */
    default byte[] digest(KvKey key) throws KvException {
        Kind kind = exists(key).orElseThrow(() -> KvException.notFound(key));
        if (kind == Kind.VALUE) {
            return KvDigest.ofValue(get(key));
        }
        KvDigest d = KvDigest.dictionary();
        for (Entry e : list(key)) {
            d.add(e, digest(key.child(e.name())));
        }
        return d.finish();
    }
}
