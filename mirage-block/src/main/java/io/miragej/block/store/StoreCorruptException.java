package io.miragej.block.store;

/** Internal: a page or superblock failed its checks; becomes a KvException CORRUPT. */
final class StoreCorruptException extends Exception {
    private static final long serialVersionUID = 1L;

    StoreCorruptException(String message) {
        super(message);
    }
}
