package io.miragej.stack;

/**
 * A whole TCP/IP stack: either the host kernel's (socket mode) or MirageJ's own over a network
 * device (direct mode). Applications written against this run on both unchanged.
 */
public interface Stack extends AutoCloseable {
    Tcp tcp();

    Udp udp();

    Ip ip();

    /** "socket" or "direct", for logs. */
    String mode();

    /** Closes every listener and connection of the stack. */
    @Override
    void close();
}
