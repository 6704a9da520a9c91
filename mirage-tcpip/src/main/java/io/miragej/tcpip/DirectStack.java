package io.miragej.tcpip;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.EventLoop;
import io.miragej.device.Network;
import io.miragej.device.Random;
import io.miragej.device.Timer;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.IpPrefix;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv4Prefix;
import io.miragej.net.Ipv6Address;
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
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.Link;
import io.miragej.tcpip.host.StackCore;
import io.miragej.tcpip.tcp.TcpConfig;
import io.miragej.tcpip.tcp.TcpConnection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MirageJ's own TCP/IP stack as the {@link Stack} signature: the sans-IO cores of a {@link
 * StackCore} driven by one {@link EventLoop} over one {@link Network} device.
 *
 * <p>Concurrency: all protocol state is touched only on the loop (frames arrive there, timers run
 * there, and application requests are submitted to it). Applications block on virtual threads:
 * a {@link Flow}'s read waits until the loop hands it data, its write waits while the bounded
 * send buffers are full. Each accepted connection's handler runs on a virtual thread of its own.
 *
 * <p>Build one with {@link #builder}; {@code --net=direct} builds one through {@link
 * DirectStackProvider} from the keys of {@link TcpipKeys}.
 */
public final class DirectStack implements Stack {
    private static final Logger LOG = LoggerFactory.getLogger(DirectStack.class);
    /** Datagrams waiting in a bound socket for {@link UdpSocket#receive}; more are dropped. */
    public static final int UDP_QUEUE = 256;

    private final Network network;
    private final EventLoop loop;
    private final Blocking blocking;
    private final Counters counters;
    private final StackCore core;
    private final Runnable timerTask = this::onTimer;
    private final Counter handlerErrors;
    private final Counter deviceDrops;
    private final Counter socketQueueFull;
    // loop only
    private final Set<DirectFlow> flows = new LinkedHashSet<>();
    private final Map<Integer, TcpListener> tcpListeners = new HashMap<>();
    private final Map<Integer, DirectUdpSocket> udpSockets = new HashMap<>();
    private Timer timer;
    private long timerAt = Long.MAX_VALUE;
    private long lastFromHigh;
    private long lastFromLow;
    private int lastFromPort = -1;
    private Endpoint lastFrom;
    // read by application threads
    private volatile Ipv4Prefix ipv4;
    private volatile Ipv4Address gateway;
    private volatile boolean closed;

    private DirectStack(Builder b) {
        this.network = b.network;
        this.loop = b.loop;
        this.blocking = b.blocking;
        this.counters = b.counters;
        long s0 = b.random.nextLong();
        long s1 = b.random.nextLong();
        Link link = new NetworkLink();
        this.core = new StackCore(link, b.limits.withTcp(b.tcp), counters, s0, s1);
        this.handlerErrors = counters.counter("stack.handler-errors");
        this.deviceDrops = counters.counter("stack.tx.device-drops");
        this.socketQueueFull = counters.counter("udp.drop.socket-queue-full");
        this.ipv4 = b.ipv4;
        this.gateway = b.gateway;
        if (b.ipv4 != null) {
            core.configureIpv4(b.ipv4.address().bits(), b.ipv4.length(), b.gateway == null ? 0 : b.gateway.bits(),
                    loop.nanoTime());
        }
    }

    /** A builder for a stack on {@code network}, driven by {@code loop}. */
    public static Builder builder(Network network, EventLoop loop) {
        return new Builder(network, loop);
    }

    /** Settings of a {@link DirectStack}; everything but the device and the loop has a default. */
    public static final class Builder {
        private final Network network;
        private final EventLoop loop;
        private Ipv4Prefix ipv4;
        private Ipv4Address gateway;
        private Counters counters = new Counters();
        private Random random = new SecureRandomSource();
        private StackCore.Limits limits = StackCore.Limits.defaults();
        private TcpConfig tcp = TcpConfig.defaults();
        private Blocking blocking = Blocking.threads();
        private boolean dhcp;

        private Builder(Network network, EventLoop loop) {
            this.network = network;
            this.loop = loop;
        }

        /** A static IPv4 address and prefix, like 10.0.0.2/24. */
        public Builder ipv4(Ipv4Prefix address) {
            this.ipv4 = address;
            return this;
        }

        /** The gateway for destinations off the local network. */
        public Builder ipv4Gateway(Ipv4Address gateway) {
            this.gateway = gateway;
            return this;
        }

        /** Takes the IPv4 configuration from a DHCP server (RFC 2131) instead of static values. */
        public Builder dhcp(boolean on) {
            this.dhcp = on;
            return this;
        }

        public Builder counters(Counters counters) {
            this.counters = counters;
            return this;
        }

        /** Where TCP initial sequence numbers, ports and IP identifiers get their secrets. */
        public Builder random(Random random) {
            this.random = random;
            return this;
        }

        public Builder limits(StackCore.Limits limits) {
            this.limits = limits;
            return this;
        }

        public Builder tcp(TcpConfig tcp) {
            this.tcp = tcp;
            return this;
        }

        public Builder blocking(Blocking blocking) {
            this.blocking = blocking;
            return this;
        }

        /** Starts the stack: it listens on the device from now on. */
        public DirectStack start() {
            if (dhcp && ipv4 != null) {
                throw new IllegalArgumentException("give either a static IPv4 address (--ipv4=" + ipv4
                        + ") or --dhcp=true, not both");
            }
            if (gateway != null && ipv4 == null) {
                throw new IllegalArgumentException("an IPv4 gateway (" + gateway + ") needs an IPv4 address:"
                        + " give --ipv4=ADDR/PREFIX too");
            }
            if (gateway != null && !ipv4.contains(gateway)) {
                throw new IllegalArgumentException("the IPv4 gateway " + gateway + " is not on the local network "
                        + ipv4.network() + "/" + ipv4.length() + ": give a gateway inside " + ipv4);
            }
            DirectStack s = new DirectStack(this);
            network.listen(loop, s::receive);
            if (dhcp) {
                loop.execute(() -> {
                    s.core.startDhcp(s.new AddressEvents(), loop.nanoTime());
                    s.afterWork();
                });
            } else {
                loop.execute(s::afterWork);
            }
            return s;
        }
    }

    /** The platform's strong randomness when none is given. */
    private static final class SecureRandomSource implements Random {
        private final java.security.SecureRandom random = new java.security.SecureRandom();

        @Override
        public void nextBytes(byte[] bytes, int offset, int length) {
            byte[] b = new byte[length];
            random.nextBytes(b);
            System.arraycopy(b, 0, bytes, offset, length);
        }
    }

    /** The device as the cores see it. */
    private final class NetworkLink implements Link {
        private final long mac = network.mac().bits();

        @Override
        public long mac() {
            return mac;
        }

        @Override
        public int mtu() {
            return network.mtu();
        }

        @Override
        public PacketBuffer allocate() {
            return network.allocate();
        }

        @Override
        public void transmit(PacketBuffer frame) {
            if (!network.send(frame)) {
                deviceDrops.increment();
            }
        }
    }

    /** Publishes DHCP's leases to application threads. */
    private final class AddressEvents implements io.miragej.tcpip.dhcp.DhcpClient.Events {
        @Override
        public void bound(io.miragej.tcpip.dhcp.DhcpClient.Lease lease, long now) {
            addressLock.lock();
            try {
                ipv4 = new Ipv4Prefix(lease.address(), lease.prefixLength());
                gateway = lease.gateway();
                addressChanged.signalAll();
            } finally {
                addressLock.unlock();
            }
            LOG.info("DHCP: {} from {}, gateway {}, lease {} s", ipv4, lease.server(), gateway,
                    lease.durationNanos() / 1_000_000_000L);
        }

        @Override
        public void lost(io.miragej.tcpip.dhcp.DhcpClient.Lease lease, long now) {
            ipv4 = null;
            gateway = null;
            LOG.warn("DHCP: the lease of {} ran out", lease.address());
        }
    }

    private final ReentrantLock addressLock = new ReentrantLock();
    private final Condition addressChanged = addressLock.newCondition();

    /**
     * Waits until the stack has an IPv4 address (from DHCP), up to {@code timeout}.
     *
     * @throws IOException naming what to check when none came
     */
    public Ipv4Prefix awaitAddress(Duration timeout) throws IOException {
        long deadline = blocking.now() + timeout.toNanos();
        addressLock.lock();
        try {
            while (ipv4 == null) {
                if (blocking.now() >= deadline) {
                    throw new IOException("no DHCP server gave " + network.name() + " (" + network.mac()
                            + ") an address within " + timeout.toSeconds() + " s: check that one serves that"
                            + " network, or give a static address with --ipv4=ADDR/PREFIX");
                }
                blocking.await(addressLock, addressChanged, deadline);
            }
            return ipv4;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for DHCP");
        } finally {
            addressLock.unlock();
        }
    }

    // =====================================================================================
    // The loop
    // =====================================================================================

    EventLoop loop() {
        return loop;
    }

    Blocking blocking() {
        return blocking;
    }

    long now() {
        return loop.nanoTime();
    }

    /** The protocol cores; touch them only on the loop. */
    public StackCore core() {
        return core;
    }

    public Counters counters() {
        return counters;
    }

    private void receive(PacketBuffer frame) {
        if (closed) {
            return;
        }
        core.receive(frame, loop.nanoTime());
        afterWork();
    }

    private void onTimer() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        if (!closed) {
            core.onTimer(loop.nanoTime());
            afterWork();
        }
    }

    /** After work on the loop: runs what is due at once and arms the timer for the next deadline. */
    void afterWork() {
        if (closed) {
            return;
        }
        long now = loop.nanoTime();
        for (int i = 0; i < 64 && core.nextDeadline() <= now; i++) {
            core.onTimer(now);
        }
        long d = core.nextDeadline();
        if (d < timerAt) {
            if (timer != null) {
                timer.cancel();
            }
            timerAt = d;
            timer = loop.schedule(Math.max(0, d - now), timerTask);
        }
    }

    /**
     * Runs {@code task} on the loop and returns its result. In a simulation exactly one thread
     * runs at a time, so the task runs on the caller.
     */
    private <T> T onLoop(Callable<T> task) throws IOException {
        if (closed) {
            throw new SocketException("the direct stack is closed");
        }
        if (loop.inLoop() || blocking instanceof Blocking.Simulated) {
            try {
                T result = task.call();
                afterWork();
                return result;
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
            afterWork();
        });
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the stack's loop");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    void forget(DirectFlow flow) {
        flows.remove(flow);
    }

    private Endpoint endpoint(long high, long low, int port) {
        if (port != lastFromPort || high != lastFromHigh || low != lastFromLow) {
            lastFrom = new Endpoint(IpContext.address(high, low), port);
            lastFromHigh = high;
            lastFromLow = low;
            lastFromPort = port;
        }
        return lastFrom;
    }

    // =====================================================================================
    // Addresses and routes, as application threads see them
    // =====================================================================================

    private int v4(IpAddress a, String what) throws IOException {
        if (a instanceof Ipv4Address v) {
            return v.bits();
        }
        Ipv6Address v6 = (Ipv6Address) a;
        if (v6.isIpv4Mapped()) {
            return (int) v6.low();
        }
        throw new IOException(what + " " + a + " is IPv6, which the direct stack does not serve yet");
    }

    private void checkRoute(int destination, IpAddress shown) throws IOException {
        Ipv4Prefix me = ipv4;
        if ((destination >>> 24) == 127 || destination == -1) {
            return;
        }
        if (me == null) {
            throw new IOException("no route to " + shown + ": the direct stack has no IPv4 address; give"
                    + " --ipv4=ADDR/PREFIX");
        }
        if (!me.contains(new Ipv4Address(destination)) && gateway == null && (destination >>> 28) != 0xe) {
            throw new IOException("no route to " + shown + ": it is off the local network " + me
                    + " and no gateway is set; give --ipv4-gateway=ADDR");
        }
    }

    // =====================================================================================
    // Stack
    // =====================================================================================

    @Override
    public Tcp tcp() {
        return tcpFace;
    }

    @Override
    public Udp udp() {
        return udpFace;
    }

    @Override
    public Ip ip() {
        return ipFace;
    }

    @Override
    public String mode() {
        return "direct";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            onLoop(() -> {
                for (DirectFlow f : new ArrayList<>(flows)) {
                    TcpConnection c = f.connection();
                    if (!c.isClosed()) {
                        c.abort(loop.nanoTime());
                    }
                    f.pump();
                }
                for (TcpListener l : new ArrayList<>(tcpListeners.values())) {
                    l.closeOnLoop();
                }
                for (DirectUdpSocket u : new ArrayList<>(udpSockets.values())) {
                    u.closeOnLoop();
                }
                closed = true;
                if (timer != null) {
                    timer.cancel();
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            closed = true;
            LOG.debug("closing the direct stack", e);
        }
    }

    private final Ip ipFace = new Ip() {
        @Override
        public List<IpPrefix> addresses() {
            Ipv4Prefix p = ipv4;
            return p == null ? List.of() : List.of(p);
        }

        @Override
        public int mtu() {
            return network.mtu();
        }
    };

    // ---- TCP ----

    private final class TcpListener implements Listener {
        final Endpoint local;
        final int port;
        boolean open = true;

        TcpListener(Endpoint local, int port) {
            this.local = local;
            this.port = port;
        }

        @Override
        public Endpoint local() {
            return local;
        }

        void closeOnLoop() {
            if (open) {
                open = false;
                core.tcp().unlisten(port);
                tcpListeners.remove(port);
            }
        }

        @Override
        public void close() {
            try {
                onLoop(() -> {
                    closeOnLoop();
                    return null;
                });
            } catch (IOException e) {
                LOG.debug("closing {}", this, e);
            }
        }

        @Override
        public String toString() {
            return "tcp listener " + local;
        }
    }

    private final Tcp tcpFace = new Tcp() {
        @Override
        public Listener listen(Endpoint local, FlowHandler handler) throws IOException {
            IpAddress a = local.address();
            if (!a.isUnspecified()) {
                int v = v4(a, "listening address");
                Ipv4Prefix me = ipv4;
                if (me == null || me.address().bits() != v) {
                    throw new IOException("cannot listen on " + local + ": " + a + " is not an address of this"
                            + " stack (" + (me == null ? "none configured" : me.address()) + "); listen on"
                            + " 0.0.0.0 or :: for all");
                }
            }
            return onLoop(() -> {
                io.miragej.tcpip.tcp.Tcp.AcceptHandler accept = c -> accepted(c, handler);
                int port = local.port() == 0 ? core.tcp().listenEphemeral(accept)
                        : core.tcp().listen(local.port(), accept) ? local.port() : -1;
                if (port < 0) {
                    throw new IOException("TCP port " + local.port() + " is already in use on this stack");
                }
                TcpListener l = new TcpListener(new Endpoint(a, port), port);
                tcpListeners.put(port, l);
                return l;
            });
        }

        @Override
        public Flow connect(Endpoint remote, Duration timeout) throws IOException {
            int dst = v4(remote.address(), "destination");
            checkRoute(dst, remote.address());
            long deadline = blocking.now() + timeout.toNanos();
            DirectFlow flow = onLoop(() -> {
                TcpConnection c = core.tcp().connect(0, IpContext.mapped(dst), remote.port(), loop.nanoTime());
                Endpoint local = new Endpoint(IpContext.address(c.localHigh(), c.localLow()), c.localPort());
                DirectFlow f = new DirectFlow(DirectStack.this, c, local, remote);
                flows.add(f);
                f.pump();
                return f;
            });
            try {
                flow.awaitEstablished(deadline);
            } catch (IOException e) {
                flow.abortFromApp();
                throw e;
            }
            return flow;
        }
    };

    private void accepted(TcpConnection c, FlowHandler handler) {
        Endpoint local = new Endpoint(IpContext.address(c.localHigh(), c.localLow()), c.localPort());
        Endpoint remote = new Endpoint(IpContext.address(c.remoteHigh(), c.remoteLow()), c.remotePort());
        DirectFlow flow = new DirectFlow(this, c, local, remote);
        flows.add(flow);
        flow.pump();
        blocking.start("tcp " + remote + " -> " + local, () -> {
            try {
                handler.handle(flow);
            } catch (Exception e) {
                handlerErrors.increment();
                LOG.debug("the handler of {} failed", flow, e);
            } finally {
                flow.close();
            }
        });
    }

    // ---- UDP ----

    private final class DirectUdpSocket implements UdpSocket {
        final Endpoint local;
        final int port;
        final DatagramHandler handler;
        final int boundAddress; // 0 for every address
        final ReentrantLock lock = new ReentrantLock();
        final Condition arrived = lock.newCondition();
        final ArrayDeque<Datagram> queue = new ArrayDeque<>();
        volatile boolean open = true;

        DirectUdpSocket(Endpoint local, int port, DatagramHandler handler, int boundAddress) {
            this.local = local;
            this.port = port;
            this.handler = handler;
            this.boundAddress = boundAddress;
        }

        /** On the loop: one datagram for this port. */
        void deliver(IpContext c, int sourcePort, PacketBuffer buf, int offset, int length) {
            if (boundAddress != 0 && c.destinationV4() != boundAddress) {
                return;
            }
            Endpoint from = endpoint(c.sourceHigh, c.sourceLow, sourcePort);
            if (handler != null) {
                PacketBuffer payload;
                if (c.reassembled) {
                    byte[] copy = new byte[length];
                    buf.getBytes(offset, copy, 0, length);
                    payload = PacketBuffer.wrap(copy);
                } else {
                    payload = buf.advance(offset).truncate(length); // the borrowed frame, cut to the payload
                }
                try {
                    handler.handle(this, from, payload);
                } catch (Exception e) {
                    handlerErrors.increment();
                    LOG.debug("the UDP handler on {} failed", local, e);
                }
                return;
            }
            byte[] copy = new byte[length];
            buf.getBytes(offset, copy, 0, length);
            lock.lock();
            try {
                if (queue.size() >= UDP_QUEUE) {
                    socketQueueFull.increment();
                    return;
                }
                queue.add(new Datagram(from, copy));
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Endpoint local() {
            return local;
        }

        @Override
        public void send(Endpoint to, PacketBuffer payload) throws IOException {
            if (!open) {
                throw new SocketException("UDP socket " + local + " is closed");
            }
            if (payload.length() > io.miragej.tcpip.udp.Udp.MAX_PAYLOAD) {
                throw new IOException("a UDP payload is at most " + io.miragej.tcpip.udp.Udp.MAX_PAYLOAD
                        + " bytes, got " + payload.length());
            }
            int dst = v4(to.address(), "destination");
            checkRoute(dst, to.address());
            Ipv4Prefix me = ipv4;
            int src = boundAddress != 0 ? boundAddress
                    : (dst >>> 24) == 127 ? dst : me == null ? 0 : me.address().bits();
            if (loop.inLoop() || blocking instanceof Blocking.Simulated) {
                core.udp().send(0, IpContext.mapped(src), port, 0, IpContext.mapped(dst), to.port(), payload, 0,
                        payload.length(), loop.nanoTime());
                if (!loop.inLoop()) {
                    afterWork();
                }
                return;
            }
            byte[] copy = payload.toByteArray();
            loop.execute(() -> {
                if (open) {
                    core.udp().send(0, IpContext.mapped(src), port, 0, IpContext.mapped(dst), to.port(),
                            PacketBuffer.wrap(copy), 0, copy.length, loop.nanoTime());
                    afterWork();
                }
            });
        }

        @Override
        public Optional<Datagram> receive(Duration timeout) throws IOException {
            if (handler != null) {
                throw new IllegalStateException("the datagrams of " + local + " go to its handler; receive is for"
                        + " sockets from Udp.bind");
            }
            long deadline = blocking.now() + timeout.toNanos();
            lock.lock();
            try {
                while (queue.isEmpty()) {
                    if (!open) {
                        throw new SocketException("UDP socket " + local + " is closed");
                    }
                    if (blocking.now() >= deadline) {
                        return Optional.empty();
                    }
                    blocking.await(lock, arrived, deadline);
                }
                return Optional.of(queue.poll());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while receiving on " + local);
            } finally {
                lock.unlock();
            }
        }

        void closeOnLoop() {
            if (open) {
                open = false;
                core.udp().unbind(port);
                udpSockets.remove(port);
                lock.lock();
                try {
                    arrived.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        @Override
        public void close() {
            try {
                onLoop(() -> {
                    closeOnLoop();
                    return null;
                });
            } catch (IOException e) {
                LOG.debug("closing {}", local, e);
            }
        }
    }

    private DirectUdpSocket bindUdp(Endpoint local, DatagramHandler handler) throws IOException {
        IpAddress a = local.address();
        int bound = 0;
        if (!a.isUnspecified()) {
            bound = v4(a, "local address");
            Ipv4Prefix me = ipv4;
            if ((me == null || me.address().bits() != bound) && (bound >>> 24) != 127) {
                throw new IOException("cannot bind " + local + ": " + a + " is not an address of this stack ("
                        + (me == null ? "none configured" : me.address()) + ")");
            }
        }
        int boundAddress = bound;
        return onLoop(() -> {
            DirectUdpSocket[] made = new DirectUdpSocket[1];
            int port = core.udp().bind(local.port(), (c, sp, dp, buf, off, len, now) -> made[0].deliver(c, sp, buf,
                    off, len));
            if (port < 0) {
                throw new IOException("UDP port " + local.port() + " is already in use on this stack");
            }
            made[0] = new DirectUdpSocket(new Endpoint(a, port), port, handler, boundAddress);
            udpSockets.put(port, made[0]);
            return made[0];
        });
    }

    private final Udp udpFace = new Udp() {
        @Override
        public UdpSocket bind(Endpoint local) throws IOException {
            return bindUdp(local, null);
        }

        @Override
        public Listener listen(Endpoint local, DatagramHandler handler) throws IOException {
            DirectUdpSocket s = bindUdp(local, handler);
            return new Listener() {
                @Override
                public Endpoint local() {
                    return s.local();
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        }
    };

    @Override
    public String toString() {
        Ipv4Prefix p = ipv4;
        return "direct stack on " + network.name() + " (" + network.mac() + (p != null ? ", " + p : "") + ")";
    }
}
