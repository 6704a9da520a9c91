package io.miragej.dns;

/**
 * Bytes that are not a well-formed DNS message, or a field outside what the protocol allows. The
 * only exception the decoders throw for bad input; the message says what was wrong and where.
 */
public final class DnsFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public DnsFormatException(String message) {
        super(message);
    }
}
