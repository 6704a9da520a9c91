package io.miragej.dns.resolver;

import io.miragej.dns.Edns;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Question;
import io.miragej.dns.Rcode;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import io.miragej.stack.Datagram;
import io.miragej.stack.Flow;
import io.miragej.stack.Stack;
import io.miragej.stack.UdpSocket;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stub resolver for applications, over the {@code Udp} and {@code Tcp} signatures: it asks the
 * configured servers (usually a recursive resolver) and blocks the calling thread (use virtual
 * threads) until an answer or failure. Each attempt goes out from a new random port with a new
 * random ID (RFC 5452); see {@link StubQuery} for the rules. With {@link Options#tsigKey} every
 * query is signed with TSIG (RFC 8945) at the wall clock's time and only verified responses are
 * answers; responses rejected are counted in {@code dns.resolver.tsig.rejected.*}.
 */
public final class StubResolver {
    /**
     * Resolver settings.
     *
     * @param tsigKey when not null, every query is signed with it and every response must verify
     *     with it (RFC 8945); needs the constructor that takes a wall clock
     */
    public record Options(Duration timeout, int attempts, boolean recursionDesired, int udpPayloadSize,
            TsigKey tsigKey) {
        public Options {
            if (timeout.isNegative() || timeout.isZero() || attempts < 1 || udpPayloadSize < 512) {
                throw new IllegalArgumentException("timeout must be positive, attempts at least 1, payload at least 512");
            }
        }

        /** Unsigned queries. */
        public Options(Duration timeout, int attempts, boolean recursionDesired, int udpPayloadSize) {
            this(timeout, attempts, recursionDesired, udpPayloadSize, null);
        }

        /** 2 s per attempt, 3 attempts, recursion desired, EDNS with 1232 bytes, unsigned. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(2), 3, true, 1232);
        }

        /** Queries signed with {@code key} (null: unsigned). */
        public Options withTsigKey(TsigKey key) {
            return new Options(timeout, attempts, recursionDesired, udpPayloadSize, key);
        }
    }

    private final Stack stack;
    private final List<Endpoint> servers;
    private final io.miragej.device.Random random;
    private final io.miragej.device.MonotonicClock clock;
    private final io.miragej.device.Time time;
    private final Options options;
    private final io.miragej.device.WallClock wallClock;
    private final Counter[] rejected = new Counter[StubQuery.Rejection.values().length];
    private final Counter tsigErrors;

    /**
     * An unsigning resolver (options without a TSIG key).
     *
     * @param time closes a TCP exchange that outlives the timeout
     */
    public StubResolver(Stack stack, List<Endpoint> servers, io.miragej.device.Random random,
            io.miragej.device.MonotonicClock clock, io.miragej.device.Time time, Options options) {
        this(stack, servers, random, clock, null, time, new Counters(), options);
    }

    /**
     * A resolver that may sign: {@code wallClock} gives the time every signed query carries and
     * against which responses are checked (RFC 8945 §5.2.3); it may be null only when {@code
     * options} has no TSIG key.
     *
     * @param counters where rejected responses and TSIG errors are counted
     */
    public StubResolver(Stack stack, List<Endpoint> servers, io.miragej.device.Random random,
            io.miragej.device.MonotonicClock clock, io.miragej.device.WallClock wallClock,
            io.miragej.device.Time time, Counters counters, Options options) {
        if (options.tsigKey() != null && wallClock == null) {
            throw new IllegalArgumentException("TSIG key " + options.tsigKey().name()
                    + " signs with the time: give the resolver a wall clock (devices.wallClock())");
        }
        this.stack = stack;
        this.time = time;
        this.servers = List.copyOf(servers);
        this.random = random;
        this.clock = clock;
        this.wallClock = wallClock;
        this.options = options;
        for (StubQuery.Rejection r : StubQuery.Rejection.values()) {
            rejected[r.ordinal()] = counters.counter("dns.resolver.tsig.rejected."
                    + r.name().toLowerCase(java.util.Locale.ROOT).replace("_", ""));
        }
        this.tsigErrors = counters.counter("dns.resolver.tsig.failed");
    }

    /** Seconds since 1970 for TSIG, or {@link StubQuery#NO_WALL_TIME} when unsigned. */
    private long epochSeconds() {
        return options.tsigKey() == null ? StubQuery.NO_WALL_TIME
                : Math.floorDiv(wallClock.epochNanos(), 1_000_000_000L);
    }

    /**
     * Asks for {@code type} records of {@code name}; the response whatever its RCODE (with a TSIG
     * key: verified, its TSIG record last in the additional section).
     *
     * @throws IOException when no server answered (with a key: with a response that verifies), or
     *     a server answered with a TSIG error (the message says which and what to check)
     */
    public Message query(Name name, int type) throws IOException {
        StubQuery q = new StubQuery(Question.of(name, type), Edns.of(options.udpPayloadSize(), false),
                options.recursionDesired(), servers, options.attempts(), options.timeout().toNanos(), random,
                options.tsigKey());
        try {
            return run(q, name, type);
        } finally {
            if (options.tsigKey() != null) {
                for (StubQuery.Rejection r : StubQuery.Rejection.values()) {
                    rejected[r.ordinal()].add(q.rejected(r));
                }
            }
        }
    }

    private Message run(StubQuery q, Name name, int type) throws IOException {
        StubQuery.Step step = q.start(clock.nanos(), epochSeconds());
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
                        step = d.isPresent()
                                ? q.onDatagram(d.get().from(), d.get().payload(), clock.nanos(), epochSeconds())
                                : q.onTimeout(clock.nanos(), epochSeconds());
                    }
                    case StubQuery.SendTcp t -> step = q.onTcpResponse(exchangeTcp(t), clock.nanos(), epochSeconds());
                    case StubQuery.Done d -> {
                        return d.response();
                    }
                    case StubQuery.Failed f -> {
                        if (q.tsigFailed()) {
                            tsigErrors.increment();
                        }
                        throw new IOException("resolving " + name + " " + RrType.toString(type) + " failed: "
                                + f.reason());
                    }
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
