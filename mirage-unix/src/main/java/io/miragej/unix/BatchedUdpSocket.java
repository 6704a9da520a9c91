package io.miragej.unix;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import io.miragej.stack.Datagram;
import io.miragej.stack.DatagramHandler;
import io.miragej.stack.Listener;
import io.miragej.stack.UdpSocket;
import io.miragej.stats.Counter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP port served to a {@link DatagramHandler} the fast way: one platform thread receives up to
 * {@link #BATCH} datagrams per {@code recvmmsg(2)} straight into pooled native buffers, calls the
 * handler for each, collects the replies the handler sends from that thread and sends them all
 * with one {@code sendmmsg(2)}. Nothing is allocated per datagram once warm: the sender's {@link
 * Endpoint} comes from a small cache keyed by address and port. The socket asks for large kernel
 * buffers (a burst of queries must not overflow the default 208 KiB).
 *
 * <p>Sends from other threads go out at once with {@code sendto(2)}.
 */
final class BatchedUdpSocket implements UdpSocket, Listener {
    private static final Logger LOG = LoggerFactory.getLogger(BatchedUdpSocket.class);
    /** Datagrams received (and replies sent) per system call at most. */
    static final int BATCH = 32;
    /** Receive buffers in all: a batch's worth, and as many again for datagrams handlers keep. */
    static final int BUFFERS = 2 * BATCH;
    static final int KERNEL_BUFFER = 4 << 20;
    private static final int MAX_DATAGRAM = 65_535;
    private static final int MAX_PAYLOAD = 65_507;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_REUSEPORT = 15;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int SO_SNDBUFFORCE = 32;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_TRUNC = 0x20;
    // Slot stride for a sockaddr_in6 (28 bytes), rounded up to 32 so every slot stays 8-byte aligned
    // for the aligned accessors; the kernel is told the real length.
    private static final int SOCKADDR = 32;
    private static final int MMSGHDR = 64;
    private static final int IOVEC = 16;
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt I32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong I64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final PollableFd socket;
    private final boolean ipv6;
    private final Endpoint local;
    private final Counter in;
    private final Counter out;
    private final Counter noBuffer;
    private final Counter truncated;
    private final Counter sendFailures;
    private final Counter handlerFailures;
    private final Runnable onClose;

    // Receive side: the reader thread's own.
    // Mapped lazily: a buffer sized for the largest datagram costs the pages its datagrams touch.
    private final PacketPool pool = PacketPool.over(Posix.mapAnonymous((long) BUFFERS * MAX_DATAGRAM),
            BUFFERS, MAX_DATAGRAM, 0);
    private final PacketBuffer[] slots = new PacketBuffer[BATCH];
    private final MemorySegment recvHeaders;
    private final MemorySegment recvIovecs;
    private final MemorySegment recvNames;
    private final Endpoint[] endpointCache = new Endpoint[1024];
    private PacketBuffer scratch;

    // Send side: replies queued by the handler on the reader thread, sent per batch.
    private final MemorySegment sendHeaders;
    private final MemorySegment sendIovecs;
    private final MemorySegment sendNames;
    private final MemorySegment sendData;
    private int queued;
    private volatile Thread reader;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Users of the descriptor: the socket itself until closed, the reader thread while it runs, a
     * send from another thread while it lasts. The descriptor is closed when the last one lets go,
     * never while a thread may still pass its number to the kernel (the number could by then
     * belong to a new socket, whose datagrams a late reader would steal).
     */
    private final java.util.concurrent.atomic.AtomicInteger holders = new java.util.concurrent.atomic.AtomicInteger(1);

    // Sends from any other thread.
    private final MemorySegment otherName;
    private final MemorySegment otherData;

    private BatchedUdpSocket(PollableFd socket, boolean ipv6, Endpoint local, SocketStack.UdpCounters c,
            Runnable onClose) {
        this.socket = socket;
        this.ipv6 = ipv6;
        this.local = local;
        this.in = c.in();
        this.out = c.out();
        this.noBuffer = c.noBuffer();
        this.truncated = c.truncated();
        this.sendFailures = c.sendFailures();
        this.handlerFailures = c.handlerFailures();
        this.onClose = onClose;
        Arena arena = Arena.ofAuto();
        recvHeaders = arena.allocate((long) MMSGHDR * BATCH, 8);
        recvIovecs = arena.allocate((long) IOVEC * BATCH, 8);
        recvNames = arena.allocate((long) SOCKADDR * BATCH, 8);
        sendHeaders = arena.allocate((long) MMSGHDR * BATCH, 8);
        sendIovecs = arena.allocate((long) IOVEC * BATCH, 8);
        sendNames = arena.allocate((long) SOCKADDR * BATCH, 8);
        sendData = Posix.mapAnonymous((long) MAX_DATAGRAM * BATCH);
        otherName = arena.allocate(SOCKADDR, 8);
        otherData = Posix.mapAnonymous(MAX_DATAGRAM);
        for (int i = 0; i < BATCH; i++) {
            long h = (long) i * MMSGHDR;
            recvHeaders.set(ValueLayout.ADDRESS, h, recvNames.asSlice((long) i * SOCKADDR));
            recvHeaders.set(ValueLayout.ADDRESS, h + 16, recvIovecs.asSlice((long) i * IOVEC));
            recvHeaders.set(ValueLayout.JAVA_LONG, h + 24, 1L);
            sendHeaders.set(ValueLayout.ADDRESS, h, sendNames.asSlice((long) i * SOCKADDR));
            sendHeaders.set(ValueLayout.ADDRESS, h + 16, sendIovecs.asSlice((long) i * IOVEC));
            sendHeaders.set(ValueLayout.JAVA_LONG, h + 24, 1L);
            sendIovecs.set(ValueLayout.JAVA_LONG, (long) i * IOVEC, sendData.address() + (long) i * MAX_DATAGRAM);
        }
    }

    /**
     * Opens and binds a socket for {@code local}; {@code ::} takes both families. With {@code
     * reusePort} the socket joins the group of sockets on that port (SO_REUSEPORT), among which
     * the kernel spreads datagrams by sender.
     */
    static BatchedUdpSocket bind(Endpoint local, boolean reusePort, SocketStack.UdpCounters counters, Runnable onClose)
            throws IOException {
        boolean v6 = local.address() instanceof Ipv6Address;
        int fd = Posix.socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            Posix.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            if (reusePort) {
                Posix.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
            }
            if (v6) {
                Posix.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
            }
            bufferSize(fd, SO_RCVBUFFORCE, SO_RCVBUF);
            bufferSize(fd, SO_SNDBUFFORCE, SO_SNDBUF);
            MemorySegment addr = a.allocate(SOCKADDR);
            int len = encode(local, v6, addr);
            Posix.bind(fd, addr.asSlice(0, len), "binding UDP " + local);
            MemorySegment length = a.allocateFrom(ValueLayout.JAVA_INT, SOCKADDR);
            Posix.getsockname(fd, addr, length);
            Endpoint bound = new Endpoint(local.address(), addr.get(U16_BE, 2) & 0xffff);
            return new BatchedUdpSocket(new PollableFd(fd), v6, bound, counters, onClose);
        } catch (IOException | RuntimeException e) {
            Posix.close(fd);
            throw e;
        }
    }

    private static void bufferSize(int fd, int forced, int plain) {
        try {
            Posix.setsockopt(fd, SOL_SOCKET, forced, KERNEL_BUFFER, "forced socket buffer");
        } catch (IOException notPrivileged) {
            try {
                Posix.setsockopt(fd, SOL_SOCKET, plain, KERNEL_BUFFER, "socket buffer");
            } catch (IOException e) {
                LOG.debug("cannot enlarge a UDP socket buffer: {}", e.getMessage());
            }
        }
    }

    /** Writes {@code to} as a sockaddr for this socket's family; returns its length. */
    private static int encode(Endpoint to, boolean v6, MemorySegment sa) {
        IpAddress a = to.address();
        if (v6) {
            sa.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_INET6);
            sa.set(U16_BE, 2, (short) to.port());
            sa.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0);
            if (a instanceof Ipv6Address v) {
                sa.set(I64_BE, 8, v.high());
                sa.set(I64_BE, 16, v.low());
            } else {
                sa.set(I64_BE, 8, 0L);
                sa.set(I64_BE, 16, 0xffff_0000_0000L | (((Ipv4Address) a).bits() & 0xffff_ffffL));
            }
            sa.set(ValueLayout.JAVA_INT_UNALIGNED, 24, 0);
            return 28;
        }
        if (!(a instanceof Ipv4Address v4)) {
            throw new IllegalArgumentException("an IPv4 socket cannot send to " + to);
        }
        sa.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_INET);
        sa.set(U16_BE, 2, (short) to.port());
        sa.set(I32_BE, 4, v4.bits());
        sa.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0L);
        return 16;
    }

    /** The sender in sockaddr {@code sa}, from the cache when it was seen lately. */
    private Endpoint decode(MemorySegment sa, long at) {
        int family = sa.get(ValueLayout.JAVA_SHORT_UNALIGNED, at) & 0xffff;
        int port = sa.get(U16_BE, at + 2) & 0xffff;
        long hi = 0;
        long lo;
        if (family == AF_INET6) {
            hi = sa.get(I64_BE, at + 8);
            lo = sa.get(I64_BE, at + 16);
            if (hi == 0 && (lo >>> 32) == 0xffff) {
                lo &= 0xffff_ffffL; // IPv4-mapped: the IPv4 address, as the JDK reports it
                family = AF_INET;
            }
        } else {
            lo = sa.get(I32_BE, at + 4) & 0xffff_ffffL;
        }
        boolean v4 = family == AF_INET;
        long mix = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL) ^ port;
        int slot = (int) (mix ^ (mix >>> 29)) & (endpointCache.length - 1);
        Endpoint e = endpointCache[slot];
        if (e != null && e.port() == port && matches(e.address(), v4, hi, lo)) {
            return e;
        }
        IpAddress a = v4 ? new Ipv4Address((int) lo) : new Ipv6Address(hi, lo);
        e = new Endpoint(a, port);
        endpointCache[slot] = e;
        return e;
    }

    private static boolean matches(IpAddress a, boolean v4, long hi, long lo) {
        if (v4) {
            return a instanceof Ipv4Address x && (x.bits() & 0xffff_ffffL) == lo;
        }
        return a instanceof Ipv6Address x && x.high() == hi && x.low() == lo;
    }

    /** The receive loop, on its own platform thread until the socket closes. */
    void serve(DatagramHandler handler) {
        if (!hold()) {
            return; // closed before the reader started
        }
        reader = Thread.currentThread();
        try {
            while (!closed.get()) {
                arm();
                int n = Posix.recvmmsg(socket.fd, recvHeaders, BATCH, MSG_DONTWAIT);
                if (n == -Posix.EAGAIN) {
                    if (!socket.awaitReadable()) {
                        return;
                    }
                    continue;
                }
                if (n < 0) {
                    if (n != -Posix.EINTR) {
                        LOG.debug("recvmmsg on {} failed: {}", local, Posix.strerror(-n));
                    }
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    deliver(handler, i);
                }
                flush();
            }
        } catch (IOException e) {
            LOG.warn("UDP {} stopped receiving: {}", local, e.toString());
        } finally {
            reader = null;
            for (int i = 0; i < BATCH; i++) {
                if (slots[i] != null && slots[i] != scratch) {
                    slots[i].release();
                }
                slots[i] = null;
            }
            letGo();
        }
    }

    /** Takes a hold on the descriptor; false once it is closed or closing. */
    private boolean hold() {
        while (true) {
            int h = holders.get();
            if (h == 0 || closed.get()) {
                return false;
            }
            if (holders.compareAndSet(h, h + 1)) {
                return true;
            }
        }
    }

    private void letGo() {
        if (holders.decrementAndGet() == 0) {
            socket.close();
        }
    }

    /** Gives every slot a buffer and resets the headers recvmmsg fills in. */
    private void arm() {
        // Slots holding buffers first, in order: when handlers hold every buffer, the datagrams
        // that find no buffer are the last of the batch (tail drop), never ones between kept ones.
        int filled = 0;
        for (int i = 0; i < BATCH; i++) {
            PacketBuffer b = slots[i];
            slots[i] = null;
            if (b != null && b != scratch) {
                slots[filled++] = b;
            }
        }
        boolean dry = false;
        for (int i = filled; i < BATCH; i++) {
            PacketBuffer b = dry ? null : pool.acquire();
            if (b == null) {
                dry = true;
                // Handlers hold every buffer: receive into scratch and drop.
                if (scratch == null) {
                    scratch = PacketBuffer.wrap(Posix.mapAnonymous(MAX_DATAGRAM));
                }
                b = scratch;
            }
            slots[i] = b;
        }
        for (int i = 0; i < BATCH; i++) {
            long iov = (long) i * IOVEC;
            recvIovecs.set(ValueLayout.JAVA_LONG, iov, slots[i].memory().address());
            recvIovecs.set(ValueLayout.JAVA_LONG, iov + 8, MAX_DATAGRAM);
            long h = (long) i * MMSGHDR;
            recvHeaders.set(ValueLayout.JAVA_INT, h + 8, SOCKADDR);
            recvHeaders.set(ValueLayout.JAVA_INT, h + 48, 0);
        }
    }

    private void deliver(DatagramHandler handler, int i) {
        long h = (long) i * MMSGHDR;
        int length = recvHeaders.get(ValueLayout.JAVA_INT, h + 56);
        int flags = recvHeaders.get(ValueLayout.JAVA_INT, h + 48);
        in.increment();
        PacketBuffer b = slots[i];
        if (b == scratch) {
            noBuffer.increment();
            slots[i] = null;
            return;
        }
        if ((flags & MSG_TRUNC) != 0) {
            truncated.increment();
            return;
        }
        b.reset(0, length);
        Endpoint from = decode(recvNames, (long) i * SOCKADDR);
        try {
            handler.handle(this, from, b);
        } catch (Exception e) {
            handlerFailures.increment();
            LOG.debug("UDP handler on {} failed", local, e);
        }
        if (b.refCount() != 1) {
            b.release(); // the handler kept it; it comes back to the pool when the handler lets go
            slots[i] = null;
        }
    }

    @Override
    public Endpoint local() {
        return local;
    }

    @Override
    public void send(Endpoint to, PacketBuffer payload) throws IOException {
        int len = payload.length();
        if (len > MAX_PAYLOAD) {
            throw new IOException("a UDP payload is at most " + MAX_PAYLOAD + " bytes, got " + len);
        }
        if (Thread.currentThread() == reader) {
            if (queued == BATCH) {
                flush();
            }
            int i = queued++;
            MemorySegment.copy(payload.memory(), payload.offset(), sendData, (long) i * MAX_DATAGRAM, len);
            sendIovecs.set(ValueLayout.JAVA_LONG, (long) i * IOVEC + 8, len);
            int nameLength = encode(to, ipv6, sendNames.asSlice((long) i * SOCKADDR, SOCKADDR));
            sendHeaders.set(ValueLayout.JAVA_INT, (long) i * MMSGHDR + 8, nameLength);
            return;
        }
        if (!hold()) {
            throw new IOException("UDP " + local + " is closed");
        }
        try {
            synchronized (otherData) {
                MemorySegment.copy(payload.memory(), payload.offset(), otherData, 0, len);
                int nameLength = encode(to, ipv6, otherName);
                long n = Posix.sendto(socket.fd, otherData.address(), len, otherName, nameLength);
                if (n < 0) {
                    sendFailures.increment();
                    throw Posix.failure("sending UDP to " + to, (int) -n);
                }
                out.increment();
            }
        } finally {
            letGo();
        }
    }

    /** Sends the replies queued during a batch. */
    private void flush() {
        int from = 0;
        while (from < queued) {
            int n = Posix.sendmmsg(socket.fd, sendHeaders.asSlice((long) from * MMSGHDR), queued - from, 0);
            if (n <= 0) {
                // Skip the datagram that failed (unreachable, too big) and go on with the rest.
                sendFailures.increment();
                from++;
                continue;
            }
            out.add(n);
            from += n;
        }
        queued = 0;
    }

    @Override
    public Optional<Datagram> receive(Duration timeout) {
        throw new IllegalStateException("datagrams on " + local + " go to its handler");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        socket.wake();
        Thread r = reader;
        if (r != null && r != Thread.currentThread()) {
            try {
                r.join(2000); // usually at once; if not, the reader closes the descriptor as it leaves
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        letGo();
        onClose.run();
    }

    @Override
    public String toString() {
        return "udp " + local;
    }
}
