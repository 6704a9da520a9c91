package io.miragej.stack;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.Endpoint;

/**
 * Takes datagrams arriving on a listening UDP port. Called by one thread at a time per listener
 * (the stack's loop, in direct mode), so it must not block; hand long work to a virtual thread.
 */
@FunctionalInterface
public interface DatagramHandler {
    /**
     * Handles one datagram. {@code payload} is borrowed until this returns (retain it to keep it);
     * {@code socket} is the listening port, for replies from the same port. An exception is
     * counted and logged by the stack and drops only this datagram.
     */
    void handle(UdpSocket socket, Endpoint from, PacketBuffer payload) throws Exception;
}
