package io.miragej.dns.resolver;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.device.WallClock;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.server.AuthoritativeServer;
import io.miragej.dns.server.DnsService;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.zone.ZoneFile;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.stats.Counters;
import io.miragej.unix.HostRandom;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The signing resolver against MirageJ's own server with the same key, both on the host's sockets. */
class StubResolverTsigTest {
    static final String SECRET = Base64.getEncoder().encodeToString("the resolver's key for r.test".getBytes());
    static final TsigKey KEY = TsigKey.parse("stub.r.test.:hmac-sha256:" + SECRET);
    static final WallClock WALL = () -> System.currentTimeMillis() * 1_000_000L;
    private SocketStack stack;
    private HostTime time;
    private DnsService service;
    private Counters serverCounters;
    private Counters resolverCounters;

    @BeforeEach
    void start() throws Exception {
        serverCounters = new Counters();
        resolverCounters = new Counters();
        stack = new SocketStack(serverCounters, 100);
        time = new HostTime();
        AuthoritativeServer server = new AuthoritativeServer(serverCounters,
                AuthoritativeServer.Options.defaults().withTsigKeys(List.of(KEY)), WALL);
        server.load(List.of(ZoneFile.parse(StubResolverTest.zone(), "r.zone", null)));
        service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time, System::nanoTime, serverCounters,
                DnsService.Options.defaults());
    }

    @AfterEach
    void stop() {
        service.close();
        stack.close();
        time.close();
    }

    private StubResolver resolver(List<Endpoint> servers, TsigKey key, WallClock wall, Duration timeout) {
        return new StubResolver(stack, servers, new HostRandom(), System::nanoTime, wall, time, resolverCounters,
                new StubResolver.Options(timeout, 2, false, 1232).withTsigKey(key));
    }

    @Test
    void signedQueriesOverUdpAndTheTcpFallbackAreAnsweredSignedAndVerified() throws Exception {
        StubResolver r = resolver(List.of(service.local()), KEY, WALL, Duration.ofSeconds(2));
        assertEquals(List.of(IpAddress.parse("192.0.2.80"), IpAddress.parse("2001:db8::80")),
                r.addresses(Name.of("www.r.test.")));
        Message big = r.query(Name.of("big.r.test."), RrType.TXT);
        assertEquals(20, big.answers().size());
        assertEquals(RrType.TSIG, big.additional().getLast().type());
        assertEquals(1, serverCounters.get("dns.responses.truncated"), "the UDP answer was truncated, then asked over TCP");
        assertEquals(4, serverCounters.get("dns.tsig.in.ok"), "A, AAAA, TXT over UDP and over TCP: all signed");
        assertEquals(0, resolverCounters.get("dns.resolver.tsig.rejected.unsigned"));
    }

    @Test
    void aWrongSecretAnUnknownKeyAndAWrongClockFailSayingWhatToCheck() {
        TsigKey wrongSecret = TsigKey.parse("stub.r.test.:hmac-sha256:" + Base64.getEncoder().encodeToString("no".getBytes()));
        IOException e = assertThrows(IOException.class, () -> resolver(List.of(service.local()), wrongSecret, WALL,
                Duration.ofSeconds(2)).query(Name.of("www.r.test."), RrType.A));
        assertTrue(e.getMessage().contains("BADSIG") && e.getMessage().contains("secret"), e.getMessage());
        TsigKey unknown = TsigKey.parse("stranger.r.test.:hmac-sha256:" + SECRET);
        e = assertThrows(IOException.class, () -> resolver(List.of(service.local()), unknown, WALL,
                Duration.ofSeconds(2)).query(Name.of("www.r.test."), RrType.A));
        assertTrue(e.getMessage().contains("BADKEY") && e.getMessage().contains("key name"), e.getMessage());
        WallClock hourAhead = () -> WALL.epochNanos() + 3_600_000_000_000L;
        e = assertThrows(IOException.class, () -> resolver(List.of(service.local()), KEY, hourAhead,
                Duration.ofSeconds(2)).query(Name.of("www.r.test."), RrType.A));
        assertTrue(e.getMessage().contains("BADTIME") && e.getMessage().contains("clock"), e.getMessage());
        assertEquals(3, resolverCounters.get("dns.resolver.tsig.failed"));
        assertEquals(1, serverCounters.get("dns.tsig.in.badsig"));
        assertEquals(1, serverCounters.get("dns.tsig.in.badkey"));
        assertEquals(1, serverCounters.get("dns.tsig.in.badtime"));
    }

    /**
     * A forger on the server's address answers first, unsigned and with another address; the
     * resolver counts it, keeps waiting and takes the server's signed answer that follows.
     */
    @Test
    void aForgedUnsignedAnswerArrivingFirstIsCountedAndTheSignedOneTaken() throws Exception {
        try (DatagramSocket front = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket back = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            front.setSoTimeout(5000);
            back.setSoTimeout(5000);
            Thread relay = Thread.ofVirtual().start(() -> {
                try {
                    DatagramPacket q = new DatagramPacket(new byte[4096], 4096);
                    front.receive(q);
                    byte[] query = Arrays.copyOf(q.getData(), q.getLength());
                    Message m = Message.decode(query);
                    byte[] forged = new Message(m.id(), Message.QR | Message.AA, m.questions(),
                            List.of(Record.of("www.r.test.", 60, RrType.A, "203.0.113.66")), List.of(), List.of(), null)
                            .encode();
                    front.send(new DatagramPacket(forged, forged.length, q.getSocketAddress()));
                    back.send(new DatagramPacket(query, query.length, new InetSocketAddress("127.0.0.1",
                            service.local().port())));
                    DatagramPacket a = new DatagramPacket(new byte[4096], 4096);
                    back.receive(a);
                    front.send(new DatagramPacket(a.getData(), a.getLength(), q.getSocketAddress()));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            StubResolver r = resolver(List.of(Endpoint.of("127.0.0.1", front.getLocalPort())), KEY, WALL,
                    Duration.ofSeconds(3));
            Message m = r.query(Name.of("www.r.test."), RrType.A);
            relay.join();
            assertEquals("192.0.2.80", m.answers().getFirst().rdata().toString());
            assertEquals(1, resolverCounters.get("dns.resolver.tsig.rejected.unsigned"));
        }
    }

    @Test
    void aKeyWithoutAWallClockIsRefusedAtConstruction() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StubResolver(stack,
                List.of(service.local()), new HostRandom(), System::nanoTime, time,
                StubResolver.Options.defaults().withTsigKey(KEY)));
        assertTrue(e.getMessage().contains("wall clock"), e.getMessage());
    }
}
