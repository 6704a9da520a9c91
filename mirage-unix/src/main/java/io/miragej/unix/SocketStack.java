package io.miragej.unix;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.IpPrefix;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv4Prefix;
import io.miragej.net.Ipv6Address;
import io.miragej.net.Ipv6Prefix;
import io.miragej.stack.Datagram;
import io.miragej.stack.DatagramHandler;
import io.miragej.stack.Flow;
import io.miragej.stack.FlowHandler;
import io.miragej.stack.Ip;
import io.miragej.stack.Listener;
import io.miragej.stack.Stack;
import io.miragej.stack.Tcp;
import io.miragej.stack.Udp;
import io.miragej.stack.UdpSocket;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Stack} signature over the host kernel's sockets ("socket mode"): no privileges
 * needed, the host's addresses and routes. Every accepted connection runs on its own virtual
 * thread; each UDP listener receives on one virtual thread into a reused native buffer.
 *
 * <p>Bounds: at most {@link #MAX_CONNECTIONS} concurrent connections per TCP listener (further
 * ones are closed at once and counted as {@code tcp.refused.limit}); a listen backlog of {@link
 * #BACKLOG}.
 */
public final class SocketStack implements Stack {
    private static final Logger LOG = LoggerFactory.getLogger(SocketStack.class);
    public static final int MAX_CONNECTIONS = 10_000;
    public static final int BACKLOG = 1024;
    private static final int MAX_DATAGRAM = 65_535;
    /** Receive buffers per UDP listener: a batch's worth plus as many for handlers to keep. */
    static final int UDP_BUFFERS = BatchedUdpSocket.BUFFERS;

    private final Counters counters;
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private final Counter accepted;
    private final Counter refusedLimit;
    private final Counter connected;
    private final Counter datagramsIn;
    private final Counter datagramsOut;
    private final Counter handlerFailures;
    private final UdpCounters udpCounters;
    private final int maxConnections;
    private final SocketTcp tcp = new SocketTcp();
    private final SocketUdp udp = new SocketUdp();
    private volatile boolean closed;

    public SocketStack() {
        this(new Counters(), MAX_CONNECTIONS);
    }

    /** A stack counting into {@code counters}, with at most {@code maxConnections} per listener. */
    public SocketStack(Counters counters, int maxConnections) {
        this.counters = counters;
        this.maxConnections = maxConnections;
        accepted = counters.counter("tcp.accepted");
        refusedLimit = counters.counter("tcp.refused.limit");
        connected = counters.counter("tcp.connected");
        datagramsIn = counters.counter("udp.datagrams.in");
        datagramsOut = counters.counter("udp.datagrams.out");
        handlerFailures = counters.counter("app.handler.failures");
        udpCounters = new UdpCounters(datagramsIn, datagramsOut, counters.counter("udp.drop.no-buffer"),
                counters.counter("udp.drop.truncated"), counters.counter("udp.send.failures"), handlerFailures);
    }

    @Override
    public Tcp tcp() {
        return tcp;
    }

    @Override
    public Udp udp() {
        return udp;
    }

    @Override
    public Ip ip() {
        return new HostIp();
    }

    @Override
    public String mode() {
        return "socket";
    }

    public Counters counters() {
        return counters;
    }

    @Override
    public void close() {
        closed = true;
        for (AutoCloseable c : List.copyOf(open)) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing {} failed", c, e);
            }
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("the socket stack is closed");
        }
    }

    /** The counters a UDP listener counts into. */
    record UdpCounters(Counter in, Counter out, Counter noBuffer, Counter truncated, Counter sendFailures,
            Counter handlerFailures) {}

    // ---- TCP ----

    private final class SocketTcp implements Tcp {
        @Override
        public Listener listen(Endpoint local, FlowHandler handler) throws IOException {
            checkOpen();
            ServerSocket server = new ServerSocket();
            try {
                server.setReuseAddress(true);
                server.bind(local.toInetSocketAddress(), BACKLOG);
            } catch (IOException e) {
                server.close();
                throw new IOException("cannot listen on TCP " + local + ": " + e.getMessage(), e);
            }
            Endpoint bound = new Endpoint(local.address(), server.getLocalPort());
            Semaphore slots = new Semaphore(maxConnections);
            TcpListener listener = new TcpListener(server, bound);
            open.add(listener);
            Thread.ofVirtual().name("tcp-accept-" + bound).start(() -> {
                while (!server.isClosed()) {
                    Socket s;
                    try {
                        s = server.accept();
                    } catch (IOException e) {
                        if (!server.isClosed()) {
                            LOG.warn("accept on {} failed", bound, e);
                        }
                        break;
                    }
                    if (!slots.tryAcquire()) {
                        refusedLimit.increment();
                        closeQuietly(s);
                        continue;
                    }
                    accepted.increment();
                    Thread.ofVirtual().name("tcp-" + s.getRemoteSocketAddress()).start(() -> {
                        try (SocketFlow flow = new SocketFlow(s)) {
                            open.add(flow);
                            handler.handle(flow);
                        } catch (Exception e) {
                            handlerFailures.increment();
                            LOG.debug("connection handler on {} ended with {}", bound, e.toString());
                        } finally {
                            slots.release();
                        }
                    });
                }
            });
            return listener;
        }

        @Override
        public Flow connect(Endpoint remote, Duration timeout) throws IOException {
            checkOpen();
            Socket s = new Socket();
            try {
                s.connect(remote.toInetSocketAddress(), Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE));
            } catch (IOException e) {
                s.close();
                throw e;
            }
            connected.increment();
            SocketFlow flow = new SocketFlow(s);
            open.add(flow);
            return flow;
        }
    }

    private final class TcpListener implements Listener {
        private final ServerSocket server;
        private final Endpoint local;

        TcpListener(ServerSocket server, Endpoint local) {
            this.server = server;
            this.local = local;
        }

        @Override
        public Endpoint local() {
            return local;
        }

        @Override
        public void close() {
            open.remove(this);
            closeQuietly(server);
        }

        @Override
        public String toString() {
            return "tcp listener " + local;
        }
    }

    /** A TCP connection as a {@link Flow}, over a blocking socket. */
    private final class SocketFlow implements Flow {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final Endpoint local;
        private final Endpoint remote;

        SocketFlow(Socket socket) throws IOException {
            this.socket = socket;
            socket.setTcpNoDelay(true);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.local = Endpoint.of((InetSocketAddress) socket.getLocalSocketAddress());
            this.remote = Endpoint.of((InetSocketAddress) socket.getRemoteSocketAddress());
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            return in.read(buffer, offset, length);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
        }

        @Override
        public void shutdownOutput() throws IOException {
            if (!socket.isOutputShutdown() && !socket.isClosed()) {
                socket.shutdownOutput();
            }
        }

        @Override
        public void close() {
            open.remove(this);
            closeQuietly(socket);
        }

        @Override
        public Endpoint localEndpoint() {
            return local;
        }

        @Override
        public Endpoint remoteEndpoint() {
            return remote;
        }

        @Override
        public String toString() {
            return "tcp " + local + " <-> " + remote;
        }
    }

    // ---- UDP ----

    private final class SocketUdp implements Udp {
        @Override
        public UdpSocket bind(Endpoint local) throws IOException {
            checkOpen();
            ChannelSocket s = new ChannelSocket(openChannel(local));
            open.add(s);
            return s;
        }

        @Override
        public Listener listen(Endpoint local, DatagramHandler handler) throws IOException {
            checkOpen();
            AutoCloseable[] self = new AutoCloseable[1];
            BatchedUdpSocket s = BatchedUdpSocket.bind(local, false, udpCounters, () -> open.remove(self[0]));
            self[0] = s;
            open.add(s);
            serve(s, "udp-" + s.local(), handler);
            return s;
        }

        /** One socket per handler, all on one port (SO_REUSEPORT), each with its own thread. */
        @Override
        public Listener listen(Endpoint local, int parallelism, Supplier<? extends DatagramHandler> handlers)
                throws IOException {
            if (Udp.checkParallelism(parallelism) == 1) {
                return listen(local, handlers.get());
            }
            checkOpen();
            List<BatchedUdpSocket> sockets = new ArrayList<>();
            UdpGroup group = new UdpGroup(sockets);
            try {
                Endpoint at = local;
                for (int i = 0; i < parallelism; i++) {
                    sockets.add(BatchedUdpSocket.bind(at, true, udpCounters, () -> {}));
                    at = sockets.getFirst().local(); // the port the kernel chose when 0 was asked for
                }
            } catch (IOException | RuntimeException e) {
                group.close();
                throw e;
            }
            open.add(group);
            for (int i = 0; i < parallelism; i++) {
                serve(sockets.get(i), "udp-" + group.local() + "#" + i, handlers.get());
            }
            return group;
        }

        private void serve(BatchedUdpSocket s, String name, DatagramHandler handler) {
            // A platform thread: it waits in poll(2) and recvmmsg(2), which would pin a virtual one.
            Thread.ofPlatform().name(name).daemon(true).start(() -> s.serve(handler));
        }

        private DatagramChannel openChannel(Endpoint local) throws IOException {
            // The unspecified IPv6 address takes both families; anything IPv4 stays IPv4.
            DatagramChannel ch = local.address() instanceof Ipv4Address
                    ? DatagramChannel.open(StandardProtocolFamily.INET)
                    : DatagramChannel.open();
            try {
                ch.bind(local.toInetSocketAddress());
            } catch (IOException e) {
                ch.close();
                throw new IOException("cannot bind UDP " + local + ": " + e.getMessage(), e);
            }
            return ch;
        }
    }

    /** The sockets of one port listened on by several handlers; closing it closes them all. */
    private final class UdpGroup implements Listener {
        private final List<BatchedUdpSocket> sockets;

        UdpGroup(List<BatchedUdpSocket> sockets) {
            this.sockets = sockets;
        }

        @Override
        public Endpoint local() {
            return sockets.getFirst().local();
        }

        @Override
        public void close() {
            for (BatchedUdpSocket s : sockets) {
                s.close();
            }
            open.remove(this);
        }
    }

    /** A bound UDP port for a client: sends and blocking receives. */
    private final class ChannelSocket implements UdpSocket {
        private final DatagramChannel channel;
        private final Endpoint local;

        ChannelSocket(DatagramChannel channel) throws IOException {
            this.channel = channel;
            InetSocketAddress a = (InetSocketAddress) channel.getLocalAddress();
            this.local = Endpoint.of(a);
        }

        @Override
        public Endpoint local() {
            return local;
        }

        @Override
        public void send(Endpoint to, PacketBuffer payload) throws IOException {
            if (payload.length() > 65_507) {
                throw new IOException("a UDP payload is at most 65507 bytes, got " + payload.length());
            }
            channel.send(payload.segment().asByteBuffer(), to.toInetSocketAddress());
            datagramsOut.increment();
        }

        @Override
        public Optional<Datagram> receive(Duration timeout) throws IOException {
            byte[] buf = new byte[MAX_DATAGRAM];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            channel.socket().setSoTimeout(Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE));
            try {
                channel.socket().receive(p);
            } catch (SocketTimeoutException e) {
                return Optional.empty();
            }
            datagramsIn.increment();
            return Optional.of(new Datagram(Endpoint.of((InetSocketAddress) p.getSocketAddress()),
                    java.util.Arrays.copyOf(buf, p.getLength())));
        }

        @Override
        public void close() {
            open.remove(this);
            closeQuietly(channel);
        }

        @Override
        public String toString() {
            return "udp " + local;
        }
    }

    // ---- IP ----

    private static final class HostIp implements Ip {
        @Override
        public List<IpPrefix> addresses() {
            List<IpPrefix> out = new ArrayList<>();
            try {
                for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    if (!nif.isUp()) {
                        continue;
                    }
                    for (InterfaceAddress ia : nif.getInterfaceAddresses()) {
                        InetAddress a = ia.getAddress();
                        IpAddress ip = IpAddress.of(a.getAddress());
                        out.add(ip instanceof Ipv4Address v4
                                ? new Ipv4Prefix(v4, Math.min(32, ia.getNetworkPrefixLength()))
                                : new Ipv6Prefix((Ipv6Address) ip, Math.min(128, ia.getNetworkPrefixLength())));
                    }
                }
            } catch (SocketException e) {
                LOG.debug("cannot list host addresses", e);
            }
            return out;
        }

        @Override
        public int mtu() {
            int mtu = 1500;
            try {
                for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    if (nif.isUp() && !nif.isLoopback() && nif.getMTU() > 0) {
                        mtu = Math.min(mtu, nif.getMTU());
                    }
                }
            } catch (SocketException e) {
                LOG.debug("cannot read MTUs", e);
            }
            return mtu;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }
}
