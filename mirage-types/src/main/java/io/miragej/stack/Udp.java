package io.miragej.stack;

import io.miragej.net.Endpoint;
import java.io.IOException;

/** UDP: bound ports for clients, and handler-driven ports for servers. */
public interface Udp {
    /**
     * Binds {@code local} for sending and blocking receives (a client: use port 0 for a random
     * free port).
     */
    UdpSocket bind(Endpoint local) throws IOException;

    /** Binds {@code local} and hands every datagram arriving there to {@code handler}. */
    Listener listen(Endpoint local, DatagramHandler handler) throws IOException;

    /** Listens on {@code port} on every local address. */
    default Listener listen(int port, DatagramHandler handler) throws IOException {
        return listen(Endpoint.any(port), handler);
    }
}
