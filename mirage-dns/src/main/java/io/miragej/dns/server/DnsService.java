package io.miragej.dns.server;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.MonotonicClock;
import io.miragej.device.Time;
import io.miragej.device.Timer;
import io.miragej.dns.tsig.TsigSession;
import io.miragej.net.Endpoint;
import io.miragej.stack.DatagramHandler;
import io.miragej.stack.Flow;
import io.miragej.stack.Listener;
import io.miragej.stack.Stack;
import io.miragej.stack.Udp;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an {@link AuthoritativeServer} on a stack's UDP and TCP ports: the thin adapter between
 * the sans-IO responder and the {@code Udp}/{@code Tcp} signatures.
 *
 * <p>UDP: {@link Options#udpThreads} handlers, each with its own responder (a handler runs on one
 * thread at a time), the response sent from the port the query came to. TCP (RFC 7766): each connection on its own
 * virtual thread with its own responder, any number of queries per connection answered in order,
 * closed after {@link Options#tcpIdleTimeout} without a query, at most {@link
 * Options#maxTcpConnections} at once (more are closed at once and counted), zone transfers
 * streamed as several messages.
 */
public final class DnsService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsService.class);

    /**
     * Adapter settings; {@code udpThreads} is how many threads answer UDP, each with its own
     * responder (on the socket stack, one socket per thread; the direct stack answers on its loop).
     */
    public record Options(Duration tcpIdleTimeout, int maxTcpConnections, int udpThreads) {
        public Options {
            if (tcpIdleTimeout.isNegative() || tcpIdleTimeout.isZero() || maxTcpConnections < 1) {
                throw new IllegalArgumentException("the idle timeout must be positive and at least one connection allowed");
            }
            Udp.checkParallelism(udpThreads);
        }

        /** With one UDP thread. */
        public Options(Duration tcpIdleTimeout, int maxTcpConnections) {
            this(tcpIdleTimeout, maxTcpConnections, 1);
        }

        /** 10 seconds idle (RFC 7766 §6.2.3 suggests a few seconds), 256 connections, one UDP thread. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), 256, 1);
        }

        public Options withUdpThreads(int threads) {
            return new Options(tcpIdleTimeout, maxTcpConnections, threads);
        }
    }

    private final AuthoritativeServer server;
    private final Time time;
    private final MonotonicClock clock;
    private final Options options;
    private final Semaphore connectionSlots;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Counter tcpRefused;
    private final Counter tcpIdleClosed;
    private final Counter tcpBadLength;
    private final Counter udpSendFailures;
    private final Listener udp;
    private final Listener tcp;
    private volatile Timer sweeper;
    private volatile boolean closed;

    private DnsService(Stack stack, AuthoritativeServer server, Endpoint local, Time time, MonotonicClock clock,
            Counters counters, Options options) throws IOException {
        this.server = server;
        this.time = time;
        this.clock = clock;
        this.options = options;
        this.connectionSlots = new Semaphore(options.maxTcpConnections());
        tcpRefused = counters.counter("dns.tcp.refused.limit");
        tcpIdleClosed = counters.counter("dns.tcp.closed.idle");
        tcpBadLength = counters.counter("dns.tcp.drop.length");
        udpSendFailures = counters.counter("dns.udp.send.failures");
        // A responder per UDP handler: each handler runs on one thread at a time.
        Supplier<DatagramHandler> answerers = () -> {
            Responder udpResponder = server.responder();
            return (socket, from, payload) -> {
                int n = udpResponder.respond(payload, false, from.address());
                if (n > 0) {
                    try {
                        socket.send(from, udpResponder.response());
                    } catch (IOException e) {
                        udpSendFailures.increment();
                    }
                }
            };
        };
        // With port 0 the kernel picks a UDP port that TCP may already use elsewhere: try again.
        int attempts = local.port() == 0 ? 8 : 1;
        Listener u;
        Listener t;
        while (true) {
            u = stack.udp().listen(local, options.udpThreads(), answerers);
            Endpoint tcpLocal = local.port() == 0 ? new Endpoint(local.address(), u.local().port()) : local;
            try {
                t = stack.tcp().listen(tcpLocal, this::serve);
                break;
            } catch (IOException e) {
                u.close();
                if (--attempts == 0) {
                    throw e;
                }
            }
        }
        udp = u;
        tcp = t;
        scheduleSweep();
    }

    /**
     * Serves {@code server} on UDP and TCP at {@code local} (port 0: a free port, the same for
     * both).
     */
    public static DnsService start(Stack stack, AuthoritativeServer server, Endpoint local, Time time,
            MonotonicClock clock, Counters counters, Options options) throws IOException {
        return new DnsService(stack, server, local, time, clock, counters, options);
    }

    /** The UDP endpoint (and the TCP one: they share the port). */
    public Endpoint local() {
        return udp.local();
    }

    public List<Listener> listeners() {
        return List.of(udp, tcp);
    }

    private final class Connection {
        final Flow flow;
        volatile long lastActive;

        Connection(Flow flow) {
            this.flow = flow;
            this.lastActive = clock.nanos();
        }
    }

    private void serve(Flow flow) throws IOException {
        if (!connectionSlots.tryAcquire()) {
            tcpRefused.increment();
            flow.close();
            return;
        }
        Connection c = new Connection(flow);
        connections.add(c);
        try {
            Responder responder = server.responder();
            byte[] in = new byte[65535];
            byte[] outBytes = new byte[65537];
            byte[] prefix = new byte[2];
            PacketBuffer query = PacketBuffer.wrap(in);
            while (!closed) {
                int len = readLength(flow, prefix);
                if (len < 0) {
                    return; // the client closed
                }
                if (len < 12) {
                    tcpBadLength.increment();
                    return; // not a DNS message: close (RFC 7766 §6.2.3 lets the server close)
                }
                readFully(flow, in, len);
                c.lastActive = clock.nanos();
                query.reset(0, len);
                int n = responder.respond(query, true, flow.remoteEndpoint().address());
                if (n == Responder.TRANSFER) {
                    sendTransfer(flow, query.getU16(0), responder);
                } else if (n > 0) {
                    PacketBuffer out = responder.response();
                    out.prepend(2); // the responder leaves headroom for the length (RFC 1035 §4.2.2)
                    out.setU16(0, n);
                    out.getBytes(0, outBytes, 0, n + 2);
                    flow.write(outBytes, 0, n + 2);
                    flow.flush();
                }
                c.lastActive = clock.nanos();
            }
        } catch (EOFException e) {
            // closed in the middle of a message
        } finally {
            connections.remove(c);
            connectionSlots.release();
            flow.close();
        }
    }

    private void sendTransfer(Flow flow, int id, Responder responder) throws IOException {
        List<byte[]> messages = server.transferMessages(id, responder.transferZone(), responder.transferType(), 16 * 1024);
        if (messages == null) {
            return;
        }
        TsigSession tsig = responder.tsig();
        for (byte[] plain : messages) {
            // RFC 8945 §5.3.1: every message signed, each MAC chained on the one before.
            byte[] m = tsig == null ? plain : tsig.sign(plain, server.epochSeconds(0));
            byte[] framed = new byte[m.length + 2];
            framed[0] = (byte) (m.length >>> 8);
            framed[1] = (byte) m.length;
            System.arraycopy(m, 0, framed, 2, m.length);
            flow.write(framed);
        }
        flow.flush();
    }

    /** The two-byte length of the next message, or -1 at a clean end of stream. */
    static int readLength(Flow flow, byte[] b) throws IOException {
        int n = 0;
        while (n < 2) {
            int r = flow.read(b, n, 2 - n);
            if (r < 0) {
                if (n == 0) {
                    return -1;
                }
                throw new EOFException("the stream ended inside a length prefix");
            }
            n += r;
        }
        return ((b[0] & 0xff) << 8) | (b[1] & 0xff);
    }

    static void readFully(Flow flow, byte[] buf, int len) throws IOException {
        int n = 0;
        while (n < len) {
            int r = flow.read(buf, n, len - n);
            if (r < 0) {
                throw new EOFException("the stream ended inside a message");
            }
            n += r;
        }
    }

    private void scheduleSweep() {
        if (closed) {
            return;
        }
        long period = Math.max(options.tcpIdleTimeout().toMillis() / 4, 50);
        sweeper = time.schedule(Duration.ofMillis(period), () -> {
            long now = clock.nanos();
            long idle = options.tcpIdleTimeout().toNanos();
            for (Connection c : connections) {
                if (now - c.lastActive > idle) {
                    tcpIdleClosed.increment();
                    try {
                        c.flow.close();
                    } catch (IOException e) {
                        LOG.debug("closing an idle connection failed", e);
                    }
                }
            }
            scheduleSweep();
        });
    }

    /** Number of TCP connections open now. */
    public int openConnections() {
        return connections.size();
    }

    @Override
    public void close() {
        closed = true;
        Timer t = sweeper;
        if (t != null) {
            t.cancel();
        }
        udp.close();
        tcp.close();
        for (Connection c : connections) {
            try {
                c.flow.close();
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
