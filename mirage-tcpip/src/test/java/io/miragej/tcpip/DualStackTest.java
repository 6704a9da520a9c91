package io.miragej.tcpip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.net.Endpoint;
import io.miragej.net.IpPrefix;
import io.miragej.net.Ipv6Address;
import io.miragej.stack.Flow;
import io.miragej.stack.UdpSocket;
import io.miragej.testkit.LinkProfile;
import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP and UDP over IPv6 between two DirectStacks, on global and link-local addresses. */
@Timeout(120)
class DualStackTest {
    final SimHosts hosts = new SimHosts(8, LinkProfile.perfect().withLoss(0.01));
    final DirectStack a = hosts.dualHost("a", "10.0.0.1/24", "2001:db8::1/64");
    final DirectStack b = hosts.dualHost("b", "10.0.0.2/24", "2001:db8::2/64");

    interface Body {
        void run() throws Exception;
    }

    void run(Body body) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean[] done = {false};
        hosts.sim.spawn("test", () -> {
            try {
                hosts.sim.sleep(Duration.ofSeconds(2)); // duplicate address detection
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done[0] = true;
            }
        });
        assertTrue(hosts.sim.runUntil(() -> done[0], Duration.ofSeconds(600)));
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    static Ipv6Address linkLocal(DirectStack s) {
        return s.ip().addresses().stream().filter(p -> p.address() instanceof Ipv6Address v && v.isLinkLocal())
                .map(p -> (Ipv6Address) p.address()).findFirst().orElseThrow();
    }

    @Test
    void bothFamiliesAreListedOnceAddressesPassedDad() {
        run(() -> {
            assertTrue(a.ip().addresses().contains(IpPrefix.parse("10.0.0.1/24")));
            assertTrue(a.ip().addresses().contains(IpPrefix.parse("2001:db8::1/64")));
            assertTrue(linkLocal(a).isLinkLocal());
        });
    }

    @Test
    void tcpEchoOverIpv6() {
        byte[] data = new byte[300_000];
        new Random(3).nextBytes(data);
        run(() -> {
            b.tcp().listen(7, flow -> flow.transferTo(flow)); // "::" listens on both families
            for (Endpoint to : new Endpoint[] {Endpoint.parse("[2001:db8::2]:7"), new Endpoint(linkLocal(b), 7),
                Endpoint.parse("10.0.0.2:7")}) {
                Flow f = a.tcp().connect(to, Duration.ofSeconds(10));
                hosts.sim.spawn("writer", () -> {
                    try {
                        f.write(data);
                        f.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                assertArrayEquals(data, f.inputStream().readAllBytes(), "echo via " + to);
                assertEquals(to, f.remoteEndpoint());
                f.close();
            }
        });
        assertTrue(a.counters().get("ipv6.tx.packets") > 200);
    }

    @Test
    void udpOverIpv6WithFragments() {
        byte[] big = new byte[5000];
        new Random(4).nextBytes(big);
        run(() -> {
            b.udp().listen(53, (socket, from, payload) -> socket.send(from, payload));
            try (UdpSocket s = a.udp().bind(Endpoint.any(0))) {
                s.send(Endpoint.parse("[2001:db8::2]:53"), big);
                var reply = s.receive(Duration.ofSeconds(2)).orElseThrow();
                assertArrayEquals(big, reply.payload());
                assertEquals(Endpoint.parse("[2001:db8::2]:53"), reply.from());
            }
        });
    }

    @Test
    void destinationsOffTheLinkNeedARouter() {
        run(() -> {
            IOException e = assertThrows(IOException.class,
                    () -> a.tcp().connect(Endpoint.parse("[2001:db8:9::1]:80"), Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("--ipv6-gateway"), e.getMessage());
        });
    }
}
