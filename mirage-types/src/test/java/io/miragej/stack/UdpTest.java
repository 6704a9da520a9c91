package io.miragej.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.miragej.net.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UdpTest {
    /** A stack that serves every port from one thread: what the default parallel listen is for. */
    private static final class OneThreadUdp implements Udp {
        final List<DatagramHandler> listened = new ArrayList<>();

        // Deliberately a fake of the listening half only: the default parallel listen under test
        // calls listen, never bind, so a call here would be a bug in that default and must fail.
        @Override
        public UdpSocket bind(Endpoint local) {
            throw new UnsupportedOperationException("these tests only listen");
        }

        @Override
        public Listener listen(Endpoint local, DatagramHandler handler) {
            listened.add(handler);
            return new Listener() {
                @Override
                public Endpoint local() {
                    return local;
                }

                @Override
                public void close() {}
            };
        }
    }

    @Test
    void byDefaultAParallelListenerIsOneHandler() throws Exception {
        OneThreadUdp udp = new OneThreadUdp();
        List<DatagramHandler> made = new ArrayList<>();
        udp.listen(Endpoint.of("127.0.0.1", 53), 8, () -> {
            DatagramHandler h = (socket, from, payload) -> {};
            made.add(h);
            return h;
        });
        assertEquals(1, made.size());
        assertSame(made.getFirst(), udp.listened.getFirst());
    }

    @Test
    void parallelismIsBounded() {
        OneThreadUdp udp = new OneThreadUdp();
        for (int bad : new int[] {0, Udp.MAX_PARALLELISM + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> udp.listen(Endpoint.of("127.0.0.1", 53), bad, () -> (socket, from, payload) -> {}));
            assertEquals("a UDP listener takes 1 to 256 handlers, not " + bad, e.getMessage());
        }
        assertEquals(Udp.MAX_PARALLELISM, Udp.checkParallelism(Udp.MAX_PARALLELISM));
    }
}
