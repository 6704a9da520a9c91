package io.miragej.dns.resolver;

import io.miragej.dns.Edns;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Question;
import io.miragej.dns.Rcode;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import io.miragej.stack.Datagram;
import io.miragej.stack.Flow;
import io.miragej.stack.Stack;
import io.miragej.stack.UdpSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stub resolver for applications, over the {@code Udp} and {@code Tcp} signatures: it asks the
 * configured servers (usually a recursive resolver) and blocks the calling thread (use virtual
 * threads) until an answer or failure. Each attempt goes out from a new random port with a new
 * random ID (RFC 5452); see {@link StubQuery} for the rules.
 */
public final class StubResolver {
    /** Resolver settings. */
    public record Options(Duration timeout, int attempts, boolean recursionDesired, int udpPayloadSize) {
        public Options {
            if (timeout.isNegative() || timeout.isZero() || attempts < 1 || udpPayloadSize < 512) {
                throw new IllegalArgumentException("timeout must be positive, attempts at least 1, payload at least 512");
            }
        }

        /** 2 s per attempt, 3 attempts, recursion desired, EDNS with 1232 bytes. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(2), 3, true, 1232);
        }
    }

    private final Stack stack;
    private final List<Endpoint> servers;
    private final io.miragej.device.Random random;
    private final io.miragej.device.MonotonicClock clock;
    private final io.miragej.device.Time time;
    private final Options options;

    /**
     * @param time closes a TCP exchange that outlives the timeout
     */
    public StubResolver(Stack stack, List<Endpoint> servers, io.miragej.device.Random random,
            io.miragej.device.MonotonicClock clock, io.miragej.device.Time time, Options options) {
        this.stack = stack;
        this.time = time;
        this.servers = List.copyOf(servers);
        this.random = random;
        this.clock = clock;
        this.options = options;
    }

    /**
     * Asks for {@code type} records of {@code name}; the response whatever its RCODE.
     *
     * @throws IOException when no server answered
     */
    public Message query(Name name, int type) throws IOException {
        StubQuery q = new StubQuery(Question.of(name, type), Edns.of(options.udpPayloadSize(), false),
                options.recursionDesired(), servers, options.attempts(), options.timeout().toNanos(), random);
        StubQuery.Step step = q.start(clock.nanos());
        UdpSocket socket = null;
        try {
            while (true) {
                switch (step) {
                    case StubQuery.SendUdp s -> {
                        if (socket != null) {
                            socket.close();
                        }
                        socket = bindRandomPort(s.server().address());
                        try {
                            socket.send(s.server(), s.message());
                        } catch (IOException e) {
                            // counted as a lost datagram: the deadline retries
                        }
                        step = new StubQuery.Wait(q.deadline());
                    }
                    case StubQuery.Wait w -> {
                        long left = w.deadline() - clock.nanos();
                        Optional<Datagram> d = left <= 0 ? Optional.empty()
                                : socket.receive(Duration.ofNanos(Math.max(left, 1_000_000)));
                        step = d.isPresent() ? q.onDatagram(d.get().from(), d.get().payload(), clock.nanos())
                                : q.onTimeout(clock.nanos());
                    }
                    case StubQuery.SendTcp t -> step = q.onTcpResponse(exchangeTcp(t), clock.nanos());
                    case StubQuery.Done d -> {
                        return d.response();
                    }
                    case StubQuery.Failed f -> throw new IOException("resolving " + name + " "
                            + RrType.toString(type) + " failed: " + f.reason());
                }
            }
        } finally {
            if (socket != null) {
                socket.close();
            }
        }
    }

    /** The IPv4 and IPv6 addresses of {@code name}, following CNAMEs the server gave. */
    public List<IpAddress> addresses(Name name) throws IOException {
        List<IpAddress> out = new ArrayList<>();
        for (int type : new int[] {RrType.A, RrType.AAAA}) {
            Message m = query(name, type);
            if (m.rcode() == Rcode.NXDOMAIN) {
                break;
            }
            for (Record r : m.answers()) {
                if (r.type() == type) {
                    byte[] b = r.rdata().toWire();
                    out.add(type == RrType.A ? Ipv4Address.of(b) : Ipv6Address.of(b));
                }
            }
        }
        return out;
    }

    /** A UDP socket on a random port 1024-65535, of the server's family; port 0 after collisions. */
    private UdpSocket bindRandomPort(IpAddress server) throws IOException {
        IpAddress any = server instanceof Ipv4Address ? Ipv4Address.ANY : Ipv6Address.ANY;
        for (int i = 0; i < 4; i++) {
            int port = 1024 + random.nextInt(65536 - 1024);
            try {
                return stack.udp().bind(new Endpoint(any, port));
            } catch (IOException inUse) {
                // try another
            }
        }
        return stack.udp().bind(new Endpoint(any, 0));
    }

    private byte[] exchangeTcp(StubQuery.SendTcp t) {
        try (Flow flow = stack.tcp().connect(t.server(), options.timeout())) {
            io.miragej.device.Timer watchdog = time.schedule(options.timeout(), () -> {
                try {
                    flow.close();
                } catch (IOException e) {
                    // closing is how the wait ends
                }
            });
            try {
                return exchange(flow, t.message());
            } finally {
                watchdog.cancel();
            }
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] exchange(Flow flow, byte[] m) throws IOException {
        byte[] framed = new byte[m.length + 2];
        framed[0] = (byte) (m.length >>> 8);
        framed[1] = (byte) m.length;
        System.arraycopy(m, 0, framed, 2, m.length);
        flow.write(framed);
        flow.flush();
        byte[] len = new byte[2];
        readFully(flow, len, 2);
        int n = ((len[0] & 0xff) << 8) | (len[1] & 0xff);
        byte[] resp = new byte[n];
        readFully(flow, resp, n);
        return resp;
    }

    private static void readFully(Flow flow, byte[] buf, int len) throws IOException {
        int n = 0;
        while (n < len) {
            int r = flow.read(buf, n, len - n);
            if (r < 0) {
                throw new IOException("the connection closed early");
            }
            n += r;
        }
    }
}
