package io.miragej.kv;

/**
 * A key-value store that can be changed, like MirageOS's {@code Mirage_kv.RW}. Each {@code set}
 * and {@code remove} is atomic: a reader (or a store reopened after a crash, for durable stores)
 * sees the old state or the new one, never a mixture.
 */
public interface ReadWriteKv extends ReadOnlyKv {
    /**
     * Stores {@code value} at {@code key}, replacing any value there and creating the dictionaries
     * above it.
     *
     * @throws KvException VALUE_EXPECTED when the key is a dictionary, DICTIONARY_EXPECTED when a
     *     parent is a value, NO_SPACE, READ_ONLY, IO
     */
    void set(KvKey key, byte[] value) throws KvException;

    /** Removes the value or the whole dictionary at {@code key}; removing nothing is not an error. */
    void remove(KvKey key) throws KvException;
}
