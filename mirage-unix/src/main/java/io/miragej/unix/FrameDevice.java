package io.miragej.unix;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import io.miragej.device.EventLoop;
import io.miragej.device.FrameOffload;
import io.miragej.device.FrameReceiver;
import io.miragej.device.Network;
import io.miragej.net.MacAddress;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the unix backend's network devices share: a reader thread that reads one frame at a time
 * into native buffers from a bounded pool and queues them (bounded) for the event loop, which
 * hands each to the receiver. A full pool or queue drops the frame and counts it; nothing is
 * allocated per frame. Subclasses say how to read and write one frame, and may describe frames
 * with {@link FrameOffload} metadata for receivers that accept offloads.
 *
 * <p>A subclass that can write frames with send offloads (see {@link Network#send(PacketBuffer,
 * FrameOffload)}) gives the longest such frame to the constructor and implements {@link
 * #writeOffloaded}; the device then lends {@value #LARGE_SEND_BUFFERS} buffers that long, lazily
 * mapped, through {@link #allocate(int)}.
 *
 * <p>Counters: {@code netif.NAME.rx.frames}, {@code .tx.frames}, {@code .rx.drop.no-buffer},
 * {@code .rx.drop.queue-full}, {@code .tx.drop.oversize}, {@code .tx.drop.error}; with send
 * offloads {@code .tx.offloaded} (frames sent with an offload, among {@code .tx.frames}), {@code
 * .tx.offloaded-bytes} and {@code .tx.drop.offload} (offloads the device refused).
 */
abstract class FrameDevice implements Network {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDevice.class);
    /** Frames queued for the loop at most; beyond it the device drops. */
    static final int QUEUE = 1024;
    /** Send buffers longer than a frame of the MTU, for frames with send offloads. */
    static final int LARGE_SEND_BUFFERS = 16;

    private final String name;
    private final MacAddress mac;
    private final int mtu;
    /** Bytes a received frame may take, from the window's start (MTU frame, or offloads and header). */
    private final int receiveCapacity;
    private final PacketPool receivePool;
    final PacketPool sendPool;
    /** Buffers for frames up to {@link #maxOffloadFrame}; null without send offloads. */
    final PacketPool largeSendPool;
    private final int maxOffloadFrame;
    private final ArrayBlockingQueue<PacketBuffer> received = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private final Counter rxFrames;
    private final Counter txFrames;
    private final Counter rxNoBuffer;
    private final Counter rxQueueFull;
    private final Counter txOversize;
    final Counter txError;
    private final Counter txOffloaded;
    private final Counter txOffloadedBytes;
    private final Counter txOffloadRefused;
    private PacketBuffer scratch;
    private Thread reader;
    private EventLoop loop;
    private FrameReceiver receiver;
    /** The receiver takes offloaded frames, through {@link #describe}; set in listen. */
    private boolean deliverOffloads;
    /** Refilled for each frame handed over, on the loop. */
    private final FrameOffload offload = new FrameOffload();
    volatile boolean closed;
    /**
     * Users of the device's descriptors: the device until closed, the reader while it runs, each
     * send while it lasts. {@link #free} runs when the last lets go, never while a thread may still
     * pass a descriptor's number to the kernel (it could by then belong to another file).
     */
    private final java.util.concurrent.atomic.AtomicInteger holders = new java.util.concurrent.atomic.AtomicInteger(1);

    FrameDevice(String name, MacAddress mac, int mtu, Counters counters) {
        this(name, mac, mtu, ETHERNET_HEADER + mtu, QUEUE + 64, 0, counters);
    }

    /**
     * A device whose received frames take up to {@code receiveCapacity} bytes (more than a frame
     * of the MTU when the device reads offloaded frames or a header in front of them), in a pool of
     * {@code receiveBuffers}, and that sends frames with offloads of up to {@code maxOffloadFrame}
     * bytes (0 for none).
     */
    FrameDevice(String name, MacAddress mac, int mtu, int receiveCapacity, int receiveBuffers, int maxOffloadFrame,
            Counters counters) {
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.receiveCapacity = receiveCapacity;
        int size = pageRounded(HEADROOM + receiveCapacity);
        // Mapped lazily: a queue's worth of buffers costs only the pages traffic has touched.
        this.receivePool = PacketPool.over(Posix.mapAnonymous((long) receiveBuffers * size), receiveBuffers, size,
                HEADROOM);
        size = HEADROOM + ETHERNET_HEADER + mtu;
        this.sendPool = PacketPool.over(Posix.mapAnonymous((long) QUEUE * size), QUEUE, size, HEADROOM);
        this.maxOffloadFrame = maxOffloadFrame > ETHERNET_HEADER + mtu ? maxOffloadFrame : 0;
        if (this.maxOffloadFrame > 0) {
            size = pageRounded(HEADROOM + this.maxOffloadFrame);
            this.largeSendPool = PacketPool.over(Posix.mapAnonymous((long) LARGE_SEND_BUFFERS * size),
                    LARGE_SEND_BUFFERS, size, HEADROOM);
        } else {
            this.largeSendPool = null;
        }
        String p = "netif." + name + ".";
        rxFrames = counters.counter(p + "rx.frames");
        txFrames = counters.counter(p + "tx.frames");
        rxNoBuffer = counters.counter(p + "rx.drop.no-buffer");
        rxQueueFull = counters.counter(p + "rx.drop.queue-full");
        txOversize = counters.counter(p + "tx.drop.oversize");
        txError = counters.counter(p + "tx.drop.error");
        txOffloaded = counters.counter(p + "tx.offloaded");
        txOffloadedBytes = counters.counter(p + "tx.offloaded-bytes");
        txOffloadRefused = counters.counter(p + "tx.drop.offload");
    }

    /** Buffers for offloaded frames start on a page, so a large frame touches no more pages than it needs. */
    private static int pageRounded(int size) {
        return size <= 16_384 ? size : (size + 4095) & ~4095;
    }

    /**
     * Blocks until one frame arrives and reads it into {@code b} (window at its headroom, length
     * 0, tailroom for a whole frame), extending the window over it. Returns false when the
     * device is closed or its peer is gone; leaves the window empty for a frame to ignore.
     */
    abstract boolean readFrame(PacketBuffer b) throws IOException;

    /** Writes one frame from native memory; true when the whole frame went out. */
    abstract boolean writeFrame(PacketBuffer frame) throws IOException;

    /**
     * Writes one frame from native memory with send offloads ({@code offload} not empty, the frame
     * at most {@link #maxOffloadFrame()} bytes); true when the whole frame went out, false when it
     * failed or the offload cannot be expressed (the frame is then counted as refused). Only
     * called on devices constructed with a maximum offload frame.
     */
    boolean writeOffloaded(PacketBuffer frame, FrameOffload offload) throws IOException {
        return false;
    }

    /** Makes a blocked {@link #readFrame} return (false). */
    abstract void wakeReader();

    /** Frees the device's resources, once the reader thread has left. */
    abstract void free();

    /**
     * Called once from {@link #listen}, before the first frame, with whether the receiver accepts
     * offloads; returns whether this device will deliver them (and so have {@link #describe}
     * called). By default, no.
     */
    boolean enableOffloads(boolean receiverAccepts) {
        return false;
    }

    /** On the loop: fills {@code out} with the offloads of a received frame (queued by {@link #readFrame}). */
    void describe(PacketBuffer frame, FrameOffload out) {
        out.clear();
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
        this.deliverOffloads = enableOffloads(receiver.acceptsOffloads());
        reader = Thread.ofPlatform().name("netif-" + name).daemon(true).start(this::readLoop);
    }

    private void readLoop() {
        if (!hold()) {
            return; // closed before the reader started
        }
        PacketBuffer spare = null;
        try {
            while (!closed) {
                PacketBuffer b = spare != null ? spare : receivePool.acquire();
                spare = null;
                boolean counted = b != null;
                if (b == null) {
                    // No buffer free: read into a scratch area so the device queue keeps moving.
                    rxNoBuffer.increment();
                    b = scratch();
                }
                b.reset(HEADROOM, 0);
                if (!readFrame(b)) {
                    if (counted) {
                        b.release();
                    }
                    break;
                }
                if (!counted) {
                    continue;
                }
                if (b.length() == 0) {
                    spare = b;
                    continue;
                }
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
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.warn("network device {} stopped receiving: {}", name, e.toString());
            }
        } finally {
            if (spare != null) {
                spare.release();
            }
            letGo();
        }
    }

    /** Takes a hold on the descriptors; false once the device is closed or closing. */
    private boolean hold() {
        while (true) {
            int h = holders.get();
            if (h == 0 || closed) {
                return false;
            }
            if (holders.compareAndSet(h, h + 1)) {
                return true;
            }
        }
    }

    private void letGo() {
        if (holders.decrementAndGet() == 0) {
            free();
        }
    }

    private PacketBuffer scratch() {
        if (scratch == null) {
            scratch = PacketBuffer.wrap(Arena.ofAuto().allocate(HEADROOM + receiveCapacity + 4));
        }
        return scratch;
    }

    /** On the loop: hands every queued frame to the receiver. */
    private void drain() {
        drainScheduled.set(false);
        PacketBuffer b;
        while ((b = received.poll()) != null) {
            try {
                if (deliverOffloads) {
                    describe(b, offload);
                    receiver.receive(b, offload);
                } else {
                    receiver.receive(b);
                }
            } catch (RuntimeException e) {
                LOG.debug("receiver on {} failed", name, e);
            } finally {
                b.release();
            }
        }
        try {
            receiver.endOfBurst();
        } catch (RuntimeException e) {
            LOG.debug("receiver on {} failed at the end of a burst", name, e);
        }
    }

    @Override
    public PacketBuffer allocate() {
        return sendPool.acquire();
    }

    @Override
    public int maxOffloadFrame() {
        return maxOffloadFrame;
    }

    @Override
    public PacketBuffer allocate(int frameLength) {
        if (frameLength <= mtu + ETHERNET_HEADER) {
            return sendPool.acquire();
        }
        return frameLength <= maxOffloadFrame ? largeSendPool.acquire() : null;
    }

    @Override
    public boolean send(PacketBuffer frame) {
        return transmit(frame, null);
    }

    @Override
    public boolean send(PacketBuffer frame, FrameOffload offload) {
        return transmit(frame, offload.isEmpty() ? null : offload);
    }

    /** Sends a plain frame ({@code offload} null) or one with send offloads; releases the frame. */
    private boolean transmit(PacketBuffer frame, FrameOffload offload) {
        PacketBuffer out = frame;
        if (!hold()) {
            frame.release();
            return false;
        }
        try {
            if (offload != null && maxOffloadFrame == 0) {
                txOffloadRefused.increment();
                return false;
            }
            if (frame.length() > (offload != null ? maxOffloadFrame : mtu + ETHERNET_HEADER)) {
                txOversize.increment();
                return false;
            }
            if (!frame.memory().isNative()) {
                // Frames built in heap memory (tests, simulations) go out through a native copy.
                out = allocate(frame.length());
                if (out == null) {
                    txError.increment();
                    return false;
                }
                out.extend(frame.length()).setBytes(0, frame);
            }
            if (offload != null) {
                if (!writeOffloaded(out, offload)) {
                    txOffloadRefused.increment();
                    return false;
                }
                txOffloaded.increment();
                txOffloadedBytes.add(out.length());
            } else if (!writeFrame(out)) {
                txError.increment();
                return false;
            }
            txFrames.increment();
            return true;
        } catch (IOException e) {
            txError.increment();
            LOG.debug("sending on {} failed: {}", name, e.toString());
            return false;
        } finally {
            frame.release();
            if (out != frame) {
                out.release();
            }
            letGo();
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
        wakeReader();
        if (reader != null) {
            try {
                reader.join(2000); // usually at once; if not, the reader frees the device as it leaves
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        letGo();
        PacketBuffer b;
        while ((b = received.poll()) != null) {
            b.release();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + name + " (" + mac + ", mtu " + mtu + ")";
    }
}
