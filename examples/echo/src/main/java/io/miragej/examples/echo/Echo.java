package io.miragej.examples.echo;

import io.miragej.platform.Devices;
import io.miragej.platform.Key;
import io.miragej.platform.Mirage;
import io.miragej.platform.Unikernel;
import io.miragej.stack.Stack;

/**
 * The echo service of RFC 862 over TCP and UDP on one port. Written against the signatures only,
 * so it runs on the host's sockets, on MirageJ's own stack, or in an appliance, unchanged.
 */
public final class Echo implements Unikernel {
    static final Key<Integer> PORT = Key.port("port", 7, "TCP and UDP port to echo on");

    @Override
    public void start(Devices devices) throws Exception {
        int port = devices.config().get(PORT);
        Stack net = devices.stack();
        net.tcp().listen(port, flow -> flow.transferTo(flow));
        net.udp().listen(port, (socket, from, datagram) -> socket.send(from, datagram));
        devices.console().println("echo: TCP and UDP port " + port + " on the " + net.mode() + " stack");
    }

    public static void main(String[] args) {
        Mirage.run(new Echo(), args);
    }
}
