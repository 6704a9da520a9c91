package io.miragej.unix;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import io.miragej.device.EventLoop;
import io.miragej.device.FrameReceiver;
import io.miragej.device.Network;
import io.miragej.net.MacAddress;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux TAP device as a {@link Network}: whole Ethernet frames through {@code /dev/net/tun},
 * opened with the foreign-function API. Opening attaches to the TAP device of that name, and the
 * kernel creates it when there is none (that needs CAP_NET_ADMIN).
 *
 * <p>Receiving: one reader thread reads frames straight into native buffers from a bounded pool
 * and queues them (bounded) for the event loop, which hands each to the receiver; a full pool or
 * queue drops the frame and counts it. Nothing is allocated per frame. Sending writes the frame
 * with one {@code write(2)} from the calling thread.
 *
 * <p>Counters: {@code netif.NAME.rx.frames}, {@code .tx.frames}, {@code .rx.drop.no-buffer},
 * {@code .rx.drop.queue-full}, {@code .tx.drop.oversize}, {@code .tx.drop.error}.
 */
public final class TapNetwork implements Network {
    private static final Logger LOG = LoggerFactory.getLogger(TapNetwork.class);
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    /** Frames queued for the loop at most; beyond it the device drops. */
    public static final int QUEUE = 1024;

    private final String name;
    private final int fd;
    private final int wakeFd;
    private final MacAddress mac;
    private final int mtu;
    private final PacketPool receivePool;
    private final PacketPool sendPool;
    private final ArrayBlockingQueue<PacketBuffer> received = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Counter rxFrames;
    private final Counter txFrames;
    private final Counter rxNoBuffer;
    private final Counter rxQueueFull;
    private final Counter txOversize;
    private final Counter txError;
    private volatile boolean closed;
    private Thread reader;
    private EventLoop loop;
    private FrameReceiver receiver;
    private Runnable drain;

    private TapNetwork(String name, int fd, int wakeFd, MacAddress mac, int mtu, Counters counters) {
        this.name = name;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.mac = mac;
        this.mtu = mtu;
        int size = HEADROOM + ETHERNET_HEADER + mtu;
        this.receivePool = PacketPool.nativePool(QUEUE + 64, size, HEADROOM);
        this.sendPool = PacketPool.nativePool(QUEUE, size, HEADROOM);
        String p = "netif." + name + ".";
        rxFrames = counters.counter(p + "rx.frames");
        txFrames = counters.counter(p + "tx.frames");
        rxNoBuffer = counters.counter(p + "rx.drop.no-buffer");
        rxQueueFull = counters.counter(p + "rx.drop.queue-full");
        txOversize = counters.counter(p + "tx.drop.oversize");
        txError = counters.counter(p + "tx.drop.error");
    }

    /**
     * Opens (creating if needed) the TAP device {@code name}. {@code mac} is the address the
     * stack on this device uses, distinct from the host side's address.
     *
     * @throws IOException naming the device and what to do, e.g. when not permitted
     */
    public static TapNetwork open(String name, MacAddress mac, int mtu, Counters counters) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length > 15) {
            throw new IllegalArgumentException("a TAP device name has 1-15 characters, got '" + name + "'");
        }
        int fd = Posix.open("/dev/net/tun", Posix.O_RDWR | Posix.O_CLOEXEC);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifreq = a.allocate(40);
            MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            ifreq.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI));
            Posix.ioctl(fd, TUNSETIFF, ifreq, "attaching to TAP device " + name
                    + " (creating one needs root or CAP_NET_ADMIN; an existing one must be a TAP, not a TUN, device)");
            int wake = Posix.eventfd(Posix.O_CLOEXEC | Posix.O_NONBLOCK);
            return new TapNetwork(name, fd, wake, mac, mtu, counters);
        } catch (IOException | RuntimeException e) {
            Posix.close(fd);
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public synchronized void listen(EventLoop loop, FrameReceiver receiver) {
        if (this.receiver != null || closed) {
            throw new IllegalStateException(name + " is already listening or closed");
        }
        this.loop = loop;
        this.receiver = receiver;
        this.drain = this::drain;
        reader = Thread.ofPlatform().name("tap-" + name).daemon(true).start(this::readLoop);
    }

    private void readLoop() {
        try (Arena a = Arena.ofConfined()) {
            // struct pollfd { int fd; short events; short revents; } x 2
            MemorySegment fds = a.allocate(16);
            fds.set(ValueLayout.JAVA_INT, 0, fd);
            fds.set(ValueLayout.JAVA_SHORT, 4, Posix.POLLIN);
            fds.set(ValueLayout.JAVA_INT, 8, wakeFd);
            fds.set(ValueLayout.JAVA_SHORT, 12, Posix.POLLIN);
            PacketBuffer spare = null;
            while (!closed) {
                fds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                fds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
                int ready = Posix.poll(fds, 2, -1);
                if (ready < 0 && ready != -Posix.EINTR) {
                    LOG.warn("poll on TAP {} failed: {}", name, Posix.strerror(-ready));
                    return;
                }
                if (closed) {
                    break;
                }
                if ((fds.get(ValueLayout.JAVA_SHORT, 6) & Posix.POLLIN) == 0) {
                    continue;
                }
                PacketBuffer b = spare != null ? spare : receivePool.acquire();
                spare = null;
                if (b == null) {
                    // No buffer free: read into a scratch area so the kernel queue keeps moving.
                    rxNoBuffer.increment();
                    b = scratch();
                }
                b.reset(HEADROOM, 0);
                long n = Posix.read(fd, Posix.address(b, 0), b.tailroom());
                if (b == scratch) {
                    continue;
                }
                if (n <= 0) {
                    spare = b;
                    if (n < 0 && n != -Posix.EAGAIN && n != -Posix.EINTR) {
                        LOG.warn("read from TAP {} failed: {}", name, Posix.strerror((int) -n));
                    }
                    continue;
                }
                b.extend((int) n);
                rxFrames.increment();
                if (!received.offer(b)) {
                    rxQueueFull.increment();
                    spare = b;
                    continue;
                }
                if (drainScheduled.compareAndSet(false, true)) {
                    loop.execute(drain);
                }
            }
            if (spare != null) {
                spare.release();
            }
        }
    }

    private PacketBuffer scratch;

    private PacketBuffer scratch() {
        if (scratch == null) {
            scratch = PacketBuffer.wrap(Arena.ofAuto().allocate(HEADROOM + ETHERNET_HEADER + mtu + 4));
        }
        return scratch;
    }

    /** On the loop: hands every queued frame to the receiver. */
    private void drain() {
        drainScheduled.set(false);
        PacketBuffer b;
        while ((b = received.poll()) != null) {
            try {
                receiver.receive(b);
            } catch (RuntimeException e) {
                LOG.debug("receiver on {} failed", name, e);
            } finally {
                b.release();
            }
        }
    }

    @Override
    public PacketBuffer allocate() {
        return sendPool.acquire();
    }

    @Override
    public boolean send(PacketBuffer frame) {
        try {
            if (closed) {
                return false;
            }
            if (frame.length() > mtu + ETHERNET_HEADER) {
                txOversize.increment();
                return false;
            }
            if (!frame.memory().isNative()) {
                // Frames built in heap memory (tests, simulations) go through a native copy.
                PacketBuffer copy = sendPool.acquire();
                if (copy == null) {
                    txError.increment();
                    return false;
                }
                copy.extend(frame.length()).setBytes(0, frame);
                frame.release();
                frame = copy;
            }
            long n = Posix.write(fd, Posix.address(frame, 0), frame.length());
            if (n != frame.length()) {
                txError.increment();
                LOG.debug("write to TAP {} failed: {}", name, n < 0 ? Posix.strerror((int) -n) : "short write");
                return false;
            }
            txFrames.increment();
            return true;
        } finally {
            frame.release();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try (Arena a = Arena.ofConfined()) {
            Posix.write(wakeFd, a.allocateFrom(ValueLayout.JAVA_LONG, 1L).address(), 8);
        }
        if (reader != null) {
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Posix.close(fd);
        Posix.close(wakeFd);
        PacketBuffer b;
        while ((b = received.poll()) != null) {
            b.release();
        }
    }

    @Override
    public String toString() {
        return "tap " + name + " (" + mac + ", mtu " + mtu + ")";
    }
}
