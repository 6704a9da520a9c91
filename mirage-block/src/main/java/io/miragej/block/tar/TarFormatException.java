package io.miragej.block.tar;

/** Internal: bytes that are not a well-formed tar archive; becomes a KvException CORRUPT. */
final class TarFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    TarFormatException(String message) {
        super(message);
    }
}
