package io.miragej.stack;

import io.miragej.net.Endpoint;

/** A listening TCP port or UDP port bound by a stack; closing it stops accepting or receiving. */
public interface Listener extends AutoCloseable {
    /** The local endpoint, with the port the stack chose when 0 was asked for. */
    Endpoint local();

    /** Stops listening; connections already accepted go on. Idempotent. */
    @Override
    void close();
}
