package io.miragej.stack;

import io.miragej.net.Endpoint;
import java.io.IOException;
import java.util.function.Supplier;

/** UDP: bound ports for clients, and handler-driven ports for servers. */
public interface Udp {
    /**
     * Binds {@code local} for sending and blocking receives (a client: use port 0 for a random
     * free port).
     */
    UdpSocket bind(Endpoint local) throws IOException;

    /** Binds {@code local} and hands every datagram arriving there to {@code handler}. */
    Listener listen(Endpoint local, DatagramHandler handler) throws IOException;

    /** Most handlers {@link #listen(Endpoint, int, Supplier)} takes. */
    int MAX_PARALLELISM = 256;

    /**
     * Binds {@code local} and hands its datagrams to up to {@code parallelism} handlers, one from
     * {@code handlers} each, every handler called by one thread at a time, so a server can answer
     * on several cores at once (one socket per core, as NSD's {@code server-count} and Knot's UDP
     * workers do). Which handler gets which datagram is the stack's choice (the host kernel
     * spreads senders over sockets by address and port); a stack that serves every port from one
     * thread, like the direct stack's loop, uses one handler. The default does exactly that.
     *
     * @throws IllegalArgumentException if {@code parallelism} is not 1 to {@link #MAX_PARALLELISM}
     */
    default Listener listen(Endpoint local, int parallelism, Supplier<? extends DatagramHandler> handlers)
            throws IOException {
        checkParallelism(parallelism);
        return listen(local, handlers.get());
    }

    /** Checks a {@link #listen(Endpoint, int, Supplier)} parallelism; returns it. */
    static int checkParallelism(int parallelism) {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("a UDP listener takes 1 to " + MAX_PARALLELISM
                    + " handlers, not " + parallelism);
        }
        return parallelism;
    }

    /** Listens on {@code port} on every local address. */
    default Listener listen(int port, DatagramHandler handler) throws IOException {
        return listen(Endpoint.any(port), handler);
    }
}
