package io.miragej.stack;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.Endpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** A bound UDP port, for sending and (when not given to a handler) receiving datagrams. */
public interface UdpSocket extends AutoCloseable {
    /** The local endpoint, with the port the stack chose when 0 was asked for. */
    Endpoint local();

    /**
     * Sends the bytes of {@code payload} to {@code to}. The payload is only read during the call;
     * the caller keeps ownership. Never blocks for long: a datagram the stack cannot queue is
     * dropped and counted, as the network may drop it anyway.
     *
     * @throws IOException when no route leads to {@code to}, or the payload exceeds 65507 bytes
     */
    void send(Endpoint to, PacketBuffer payload) throws IOException;

    default void send(Endpoint to, byte[] payload) throws IOException {
        send(to, PacketBuffer.wrap(payload));
    }

    /**
     * Waits up to {@code timeout} for the next datagram. Not available on a socket whose
     * datagrams go to a {@link DatagramHandler}.
     *
     * @return the datagram, or empty on timeout
     */
    Optional<Datagram> receive(Duration timeout) throws IOException;

    @Override
    void close();
}
