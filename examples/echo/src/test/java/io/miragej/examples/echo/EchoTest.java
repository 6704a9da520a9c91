package io.miragej.examples.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.miragej.net.Endpoint;
import io.miragej.net.Ipv4Address;
import io.miragej.platform.Backend;
import io.miragej.platform.Config;
import io.miragej.platform.Mirage;
import io.miragej.stack.Flow;
import io.miragej.stack.UdpSocket;
import io.miragej.unix.SocketStack;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class EchoTest {
    @Test
    void echoesTcpAndUdpOnTheUnixBackend() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Echo app = new Echo();
        Backend backend = Mirage.installedBackends().getFirst();
        List<io.miragej.platform.Key<?>> keys = new java.util.ArrayList<>(app.keys());
        keys.addAll(backend.keys());
        try (Backend.Session session = backend.open(Config.parse(keys, List.of("--port=" + port)));
                SocketStack client = new SocketStack()) {
            app.start(session.devices());
            Endpoint server = new Endpoint(Ipv4Address.LOOPBACK, port);
            byte[] data = new byte[3 * 1024 * 1024];
            new Random(7).nextBytes(data);
            Flow flow = client.tcp().connect(server, Duration.ofSeconds(5));
            Thread.ofVirtual().start(() -> {
                try {
                    flow.write(data);
                    flow.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            flow.inputStream().transferTo(back);
            assertArrayEquals(data, back.toByteArray());
            try (UdpSocket udp = client.udp().bind(new Endpoint(Ipv4Address.LOOPBACK, 0))) {
                udp.send(server, "ping".getBytes());
                assertArrayEquals("ping".getBytes(), udp.receive(Duration.ofSeconds(5)).orElseThrow().payload());
            }
        }
    }
}
