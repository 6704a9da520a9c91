package io.miragej.block.fat;

/** Internal: on-disk structures that make no sense; becomes a KvException CORRUPT at the API. */
final class FatCorruptException extends Exception {
    private static final long serialVersionUID = 1L;

    FatCorruptException(String message) {
        super(message);
    }
}
