package io.miragej.tcpip;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.EventLoop;
import io.miragej.device.FrameOffload;
import io.miragej.device.FrameReceiver;
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
    private final Counter bursts;
    private final Counter deviceDrops;
    private final Counter socketQueueFull;
    // loop only
    private final Set<DirectFlow> flows = new LinkedHashSet<>();
    private final Map<Integer, TcpListener> tcpListeners = new HashMap<>();
    private final Map<Integer, DirectUdpSocket> udpSockets = new HashMap<>();
    private Timer timer;
    private long timerAt = Long.MAX_VALUE;
    private final ArrayDeque<DirectFlow> toWake = new ArrayDeque<>();
    /**
     * Inside a batch of work that ends with {@link #endOfBatch}: from a frame to the device's
     * {@link FrameReceiver#endOfBurst}, or a run of timers. Deferred ACKs and wake-ups wait for it.
     */
    private boolean inBatch;
    private boolean endOfBatchScheduled;
    private final Runnable endOfBatchTask = this::scheduledEndOfBatch;
    private long lastFromHigh;
    private long lastFromLow;
    private int lastFromPort = -1;
    private Endpoint lastFrom;
    // read by application threads
    private volatile Ipv4Prefix ipv4;
    private volatile Ipv4Address gateway;
    private volatile boolean closed;
    private volatile boolean ipv6On;
    private volatile List<io.miragej.net.Ipv6Prefix> ipv6Addresses = List.of();
    private volatile boolean ipv6Router;
    private int seenIpv6Generation = -1;

    private DirectStack(Builder b) {
        this.network = b.network;
        this.loop = b.loop;
        this.blocking = b.blocking;
        this.addressChanged = blocking.newSignal(addressLock);
        this.counters = b.counters;
        long s0 = b.random.nextLong();
        long s1 = b.random.nextLong();
        Link link = new NetworkLink();
        this.core = new StackCore(link, b.limits.withTcp(b.tcp), counters, s0, s1);
        this.handlerErrors = counters.counter("stack.handler-errors");
        this.bursts = counters.counter("stack.rx.bursts");
        this.deviceDrops = counters.counter("stack.tx.device-drops");
        this.socketQueueFull = counters.counter("udp.drop.socket-queue-full");
        this.ipv4 = b.ipv4;
        this.gateway = b.gateway;
        core.tcp().deferAcks(this::scheduleEndOfBatch);
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
        private boolean ipv6 = true;
        private boolean slaac = true;
        private io.miragej.net.Ipv6Prefix ipv6Address;
        private Ipv6Address ipv6Gateway;

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

        /** IPv6 on (the default: a link-local address, SLAAC) or off. */
        public Builder ipv6(boolean on) {
            this.ipv6 = on;
            return this;
        }

        /** Addresses from router advertisements (RFC 4862), on by default. */
        public Builder slaac(boolean on) {
            this.slaac = on;
            return this;
        }

        /** A static IPv6 address and prefix, like 2001:db8::2/64. */
        public Builder ipv6Address(io.miragej.net.Ipv6Prefix address) {
            this.ipv6Address = address;
            return this;
        }

        /** A static IPv6 default router. */
        public Builder ipv6Gateway(Ipv6Address gateway) {
            this.ipv6Gateway = gateway;
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
            if (!ipv6 && (ipv6Address != null || ipv6Gateway != null)) {
                throw new IllegalArgumentException("IPv6 is off (--ipv4-only) but an IPv6 address or gateway"
                        + " was given; drop one of them");
            }
            DirectStack s = new DirectStack(this);
            s.ipv6On = ipv6;
            network.listen(loop, s.new Receiver());
            // Everything that sends happens on the loop, like all protocol work from now on.
            loop.execute(() -> {
                long t = loop.nanoTime();
                if (ipv6) {
                    s.core.enableIpv6(slaac, t);
                    if (ipv6Address != null) {
                        s.core.addIpv6Address(ipv6Address.address().high(), ipv6Address.address().low(),
                                ipv6Address.length(), t);
                    }
                    if (ipv6Gateway != null) {
                        s.core.addIpv6Router(ipv6Gateway.high(), ipv6Gateway.low());
                    }
                }
                if (dhcp) {
                    s.core.startDhcp(s.new AddressEvents(), t);
                }
                s.afterWork();
            });
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

        private final int maxOffloadFrame = Math.max(0, network.maxOffloadFrame());
        /** For {@link #transmitSegmented}, on the loop. */
        private final FrameOffload sendOffload = new FrameOffload();

        @Override
        public int maxOffloadFrame() {
            return maxOffloadFrame;
        }

        @Override
        public PacketBuffer allocate(int frameLength) {
            return network.allocate(frameLength);
        }

        @Override
        public void transmitSegmented(PacketBuffer frame, int segmentSize) {
            boolean v6 = frame.getU16(12) == 0x86dd;
            int tcpStart = Network.ETHERNET_HEADER + (v6 ? 40 : (frame.getU8(Network.ETHERNET_HEADER) & 0xf) * 4);
            if (!network.send(frame, sendOffload.clear().segmentedTcp(v6, tcpStart, segmentSize))) {
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
    private final Blocking.Signal addressChanged;

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
                addressChanged.await(deadline);
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

    /**
     * Frames from the device, and the end of each burst of them. Takes offloads: coalesced TCP
     * segments are just large segments to TCP, and checksums the device vouches for are not summed.
     */
    private final class Receiver implements FrameReceiver {
        @Override
        public void receive(PacketBuffer frame) {
            if (!closed) {
                inBatch = true;
                core.receive(frame, loop.nanoTime());
            }
        }

        @Override
        public boolean acceptsOffloads() {
            return true;
        }

        @Override
        public void receive(PacketBuffer frame, FrameOffload offload) {
            if (!closed) {
                inBatch = true;
                core.receive(frame, offload, loop.nanoTime());
            }
        }

        @Override
        public void endOfBurst() {
            bursts.increment();
            inBatch = false;
            endOfBatch(); // one ACK per connection for the whole burst, wake-ups, timers
        }
    }

    private void onTimer() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        if (!closed) {
            inBatch = true;
            try {
                core.onTimer(loop.nanoTime());
            } finally {
                inBatch = false;
            }
            endOfBatch();
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
        if (ipv6On) {
            refreshIpv6View(now);
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
        if (loop.inLoop() || blocking.runsOnCaller()) {
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

    private void refreshIpv6View(long now) {
        io.miragej.tcpip.ipv6.Ipv6 v6 = core.ipv6();
        boolean router = v6.hasDefaultRouter(now);
        if (v6.generation() == seenIpv6Generation && router == ipv6Router) {
            return;
        }
        seenIpv6Generation = v6.generation();
        ipv6Router = router;
        List<io.miragej.net.Ipv6Prefix> list = new ArrayList<>();
        long[] a = new long[3];
        for (int k = 0; v6.address(k, a); k++) {
            list.add(new io.miragej.net.Ipv6Prefix(new Ipv6Address(a[0], a[1]), (int) a[2]));
        }
        ipv6Addresses = List.copyOf(list);
    }

    /**
     * Makes sure {@link #endOfBatch} runs once the current work is done: after a burst of frames
     * the device's {@link FrameReceiver#endOfBurst} does it; work that did not come from a frame
     * (timers, loopback, the application) gets a task of its own on the loop.
     */
    private void scheduleEndOfBatch() {
        if (!inBatch && !endOfBatchScheduled) {
            endOfBatchScheduled = true;
            loop.execute(endOfBatchTask);
        }
    }

    /** On the loop, inside the cores: the flow's waiters are woken at the end of the batch. */
    void wakeLater(DirectFlow f) {
        if (!f.wakeQueued) {
            f.wakeQueued = true;
            toWake.add(f);
            scheduleEndOfBatch();
        }
    }

    private void scheduledEndOfBatch() {
        endOfBatchScheduled = false;
        endOfBatch();
    }

    /** Sends the ACKs deferred during the batch, wakes application threads, arms the timer. */
    private void endOfBatch() {
        if (closed) {
            return;
        }
        core.tcp().flushAcks(loop.nanoTime());
        DirectFlow f;
        while ((f = toWake.poll()) != null) {
            f.wakeQueued = false;
            f.wake();
        }
        afterWork();
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

    /** An address as the cores hold it: {high, low}, IPv4 mapped into IPv6. */
    private long[] pair(IpAddress a, String what) throws IOException {
        if (a instanceof Ipv4Address v) {
            return new long[] {0, IpContext.mapped(v.bits())};
        }
        Ipv6Address v6 = (Ipv6Address) a;
        if (v6.isIpv4Mapped()) {
            return new long[] {0, v6.low()};
        }
        if (!ipv6On) {
            throw new IOException(what + " " + a + " is IPv6, which is off on this stack (--ipv4-only)");
        }
        return new long[] {v6.high(), v6.low()};
    }

    private boolean isOurs(long[] p) {
        if (IpContext.isMapped(p[0], p[1])) {
            Ipv4Prefix me = ipv4;
            return me != null && IpContext.mapped(me.address().bits()) == p[1];
        }
        for (io.miragej.net.Ipv6Prefix x : ipv6Addresses) {
            if (x.address().high() == p[0] && x.address().low() == p[1]) {
                return true;
            }
        }
        return false;
    }

    /** Our source address towards {@code dst}, or an IOException saying why there is no route. */
    private long[] sourceTowards(long[] dst, IpAddress shown) throws IOException {
        if (IpContext.isMapped(dst[0], dst[1])) {
            int d = (int) dst[1];
            if ((d >>> 24) == 127) {
                return new long[] {0, IpContext.mapped(d)};
            }
            Ipv4Prefix me = ipv4;
            if (me == null) {
                throw new IOException("no route to " + shown + ": the direct stack has no IPv4 address; give"
                        + " --ipv4=ADDR/PREFIX or --dhcp=true");
            }
            if (d != -1 && !me.contains(new Ipv4Address(d)) && gateway == null && (d >>> 28) != 0xe) {
                throw new IOException("no route to " + shown + ": it is off the local network " + me
                        + " and no gateway is set; give --ipv4-gateway=ADDR");
            }
            return new long[] {0, IpContext.mapped(me.address().bits())};
        }
        boolean linkLocal = io.miragej.tcpip.ipv6.Ipv6Header.isLinkLocal(dst[0])
                || io.miragej.tcpip.ipv6.Ipv6Header.isMulticast(dst[0]);
        Ipv6Address global = null;
        for (io.miragej.net.Ipv6Prefix x : ipv6Addresses) {
            Ipv6Address a = x.address();
            if (a.isLinkLocal() == linkLocal && (linkLocal || x.contains(new Ipv6Address(dst[0], dst[1])))) {
                return new long[] {a.high(), a.low()};
            }
            if (!a.isLinkLocal() && global == null) {
                global = a;
            }
        }
        if (!linkLocal && global != null && ipv6Router) {
            return new long[] {global.high(), global.low()};
        }
        throw new IOException("no IPv6 route to " + shown + (linkLocal ? ": the link-local address is not ready"
                : global == null ? ": the stack has no global IPv6 address yet; give --ipv6=ADDR/PREFIX or wait"
                        + " for a router advertisement" : ": no router is known; give --ipv6-gateway=ADDR"));
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

    /**
     * Resets every connection, closes every listener and socket, and stops the stack. Waits up to a
     * second for the loop to have done it (so the resets are on the wire before a backend closes
     * the device); a loop that does not run by then finds the stack closed when it does.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        Runnable shutdown = () -> {
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
        };
        if (loop.inLoop() || blocking.runsOnCaller()) {
            shutdown.run();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    shutdown.run();
                } finally {
                    done.complete(null);
                }
            });
            done.get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | ExecutionException | RuntimeException e) {
            LOG.debug("the loop did not close the stack within a second", e);
            closed = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private final Ip ipFace = new Ip() {
        @Override
        public List<IpPrefix> addresses() {
            List<IpPrefix> all = new ArrayList<>();
            Ipv4Prefix p = ipv4;
            if (p != null) {
                all.add(p);
            }
            all.addAll(ipv6Addresses);
            return List.copyOf(all);
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
            if (!a.isUnspecified() && !isOurs(pair(a, "listening address"))) {
                throw new IOException("cannot listen on " + local + ": " + a + " is not an address of this"
                        + " stack (" + ipFace.addresses() + "); listen on 0.0.0.0 or :: for all");
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
            if (loop.inLoop()) {
                throw new IllegalStateException("Tcp.connect blocks, and this is the stack's event loop (a datagram"
                        + " handler or another callback of the stack): connect on a virtual thread of its own");
            }
            long[] dst = pair(remote.address(), "destination");
            sourceTowards(dst, remote.address());
            long deadline = blocking.now() + timeout.toNanos();
            DirectFlow flow = onLoop(() -> {
                TcpConnection c = core.tcp().connect(dst[0], dst[1], remote.port(), loop.nanoTime());
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
        final long boundHigh; // both 0: every address
        final long boundLow;
        final ReentrantLock lock = new ReentrantLock();
        final Blocking.Signal arrived = blocking.newSignal(lock);
        final ArrayDeque<Datagram> queue = new ArrayDeque<>();
        volatile boolean open = true;

        DirectUdpSocket(Endpoint local, int port, DatagramHandler handler, long boundHigh, long boundLow) {
            this.local = local;
            this.port = port;
            this.handler = handler;
            this.boundHigh = boundHigh;
            this.boundLow = boundLow;
        }

        /** On the loop: one datagram for this port. */
        void deliver(IpContext c, int sourcePort, PacketBuffer buf, int offset, int length) {
            if ((boundHigh != 0 || boundLow != 0) && !c.toGroup
                    && (c.destinationHigh != boundHigh || c.destinationLow != boundLow)) {
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
            long[] dst = pair(to.address(), "destination");
            long[] src = boundHigh != 0 || boundLow != 0 ? new long[] {boundHigh, boundLow}
                    : sourceTowards(dst, to.address());
            if (loop.inLoop() || blocking.runsOnCaller()) {
                core.udp().send(src[0], src[1], port, dst[0], dst[1], to.port(), payload, 0, payload.length(),
                        loop.nanoTime());
                if (!loop.inLoop()) {
                    afterWork();
                }
                return;
            }
            byte[] copy = payload.toByteArray();
            loop.execute(() -> {
                if (open) {
                    core.udp().send(src[0], src[1], port, dst[0], dst[1], to.port(), PacketBuffer.wrap(copy), 0,
                            copy.length, loop.nanoTime());
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
                    arrived.await(deadline);
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
        long[] bound = {0, 0};
        if (!a.isUnspecified()) {
            bound = pair(a, "local address");
            boolean loopback = IpContext.isMapped(bound[0], bound[1]) && ((int) bound[1] >>> 24) == 127;
            if (!isOurs(bound) && !loopback) {
                throw new IOException("cannot bind " + local + ": " + a + " is not an address of this stack ("
                        + ipFace.addresses() + ")");
            }
        }
        long[] boundAddress = bound;
        return onLoop(() -> {
            DirectUdpSocket[] made = new DirectUdpSocket[1];
            int port = core.udp().bind(local.port(), (c, sp, dp, buf, off, len, now) -> made[0].deliver(c, sp, buf,
                    off, len));
            if (port < 0) {
                throw new IOException("UDP port " + local.port() + " is already in use on this stack");
            }
            made[0] = new DirectUdpSocket(new Endpoint(a, port), port, handler, boundAddress[0], boundAddress[1]);
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
