package io.miragej.stack;

import io.miragej.net.Endpoint;
import java.io.IOException;
import java.time.Duration;

/** TCP: listening for and opening connections, each a {@link Flow}. */
public interface Tcp {
    /**
     * Accepts connections on {@code local} and runs {@code handler} for each on a new virtual
     * thread. Port 0 picks a free port (see {@link Listener#local()}).
     *
     * @throws IOException when the port is in use or cannot be bound
     */
    Listener listen(Endpoint local, FlowHandler handler) throws IOException;

    /** Listens on {@code port} on every local address. */
    default Listener listen(int port, FlowHandler handler) throws IOException {
        return listen(Endpoint.any(port), handler);
    }

    /**
     * Opens a connection to {@code remote}, waiting up to {@code timeout}.
     *
     * @throws java.net.ConnectException when refused, {@link java.net.SocketTimeoutException} on
     *     timeout, IOException when unreachable
     */
    Flow connect(Endpoint remote, Duration timeout) throws IOException;
}
