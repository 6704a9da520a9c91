package io.miragej.tcpip.bench;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import io.miragej.device.EventLoop;
import io.miragej.device.FrameReceiver;
import io.miragej.device.Network;
import io.miragej.net.MacAddress;
import io.miragej.tcpip.checksum.InternetChecksum;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A PROTOTYPE for the benchmark only, to measure what receive offloads would bring: a TAP device
 * opened with virtio-net headers (IFF_VNET_HDR) and TSO/checksum offloads (TUNSETOFFLOAD), so
 * the kernel hands over TCP segments of up to 64 KB in one read instead of cutting them into
 * MTU-sized frames. Frames whose checksum the kernel left partial (NEEDS_CSUM) have it completed
 * here, since the {@link Network} signature has no way to say "checksum already verified". Sends
 * are ordinary frames behind an empty virtio-net header. Not for production: no error recovery,
 * few counters; the real thing belongs in mirage-unix's TapNetwork (see the README's request).
 */
final class VnetTap implements Network {
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final int TUN_F_CSUM = 1;
    private static final int TUN_F_TSO4 = 2;
    private static final int TUN_F_TSO6 = 4;
    private static final int VNET_HEADER = 10;
    private static final int NEEDS_CSUM = 1;
    private static final int EAGAIN = 11;
    static final int MAX_FRAME = 65_536 + 14 + 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final long ERRNO_OFFSET = Linker.Option.captureStateLayout()
            .byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = handle("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle READ = handle("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle POLL = handle("poll", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, ERRNO);
    }

    private final String name;
    private final MacAddress mac;
    private final int fd;
    private final PacketPool receivePool = PacketPool.nativePool(256, MAX_FRAME + VNET_HEADER, HEADROOM);
    private final PacketPool sendPool = PacketPool.nativePool(1024, HEADROOM + 1514, HEADROOM);
    private final ArrayBlockingQueue<PacketBuffer> received = new ArrayBlockingQueue<>(256);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final MemorySegment readErrno = Arena.ofAuto().allocate(64);
    private final MemorySegment writeErrno = Arena.ofAuto().allocate(64);
    private final MemorySegment pollfd = Arena.ofAuto().allocate(8);
    private EventLoop loop;
    private FrameReceiver receiver;
    private volatile boolean closed;
    private Thread reader;
    long superFrames;
    long frames;

    private VnetTap(String name, MacAddress mac, int fd) {
        this.name = name;
        this.mac = mac;
        this.fd = fd;
    }

    static VnetTap open(String name, MacAddress mac) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(64);
            int fd = (int) OPEN.invokeExact(state, a.allocateFrom("/dev/net/tun"), O_RDWR | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("open /dev/net/tun: errno " + state.get(ValueLayout.JAVA_INT, ERRNO_OFFSET));
            }
            MemorySegment ifreq = a.allocate(40);
            byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, ifreq, ValueLayout.JAVA_BYTE, 0, n.length);
            ifreq.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
            if ((int) IOCTL.invokeExact(state, fd, TUNSETIFF, ifreq.address()) < 0) {
                throw new IOException("TUNSETIFF: errno " + state.get(ValueLayout.JAVA_INT, ERRNO_OFFSET));
            }
            if ((int) IOCTL.invokeExact(state, fd, TUNSETOFFLOAD, (long) (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0) {
                throw new IOException("TUNSETOFFLOAD: errno " + state.get(ValueLayout.JAVA_INT, ERRNO_OFFSET));
            }
            return new VnetTap(name, mac, fd);
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
        return 1500;
    }

    @Override
    public void listen(EventLoop loop, FrameReceiver receiver) {
        this.loop = loop;
        this.receiver = receiver;
        reader = Thread.ofPlatform().name("vnet-" + name).daemon(true).start(this::readLoop);
    }

    private void readLoop() {
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, (short) 1);
        PacketBuffer b = null;
        try {
            while (!closed) {
                if (b == null) {
                    b = receivePool.acquire();
                    if (b == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                }
                b.reset(HEADROOM, 0);
                long n = (long) READ.invokeExact(readErrno, fd, b.memory().address() + b.offset(), (long) b.tailroom());
                if (n < 0) {
                    if (readErrno.get(ValueLayout.JAVA_INT, ERRNO_OFFSET) == EAGAIN) {
                        int r = (int) POLL.invokeExact(readErrno, pollfd, 1L, 100);
                    }
                    continue;
                }
                if (n <= VNET_HEADER) {
                    continue;
                }
                b.extend((int) n);
                int flags = b.getU8(0);
                int csumStart = Short.toUnsignedInt(Short.reverseBytes((short) b.getU16(6)));
                int csumOffset = Short.toUnsignedInt(Short.reverseBytes((short) b.getU16(8)));
                b.advance(VNET_HEADER);
                if ((flags & NEEDS_CSUM) != 0) {
                    // The field holds the pseudo-header sum; the kernel never summed the rest.
                    int len = b.length() - csumStart;
                    b.setU16(csumStart + csumOffset, InternetChecksum.finish(InternetChecksum.sum(b, csumStart, len)));
                }
                if (b.length() > 1514) {
                    superFrames++;
                }
                frames++;
                if (!received.offer(b)) {
                    continue; // full: reuse b
                }
                b = null;
                if (drainScheduled.compareAndSet(false, true)) {
                    loop.execute(this::drain);
                }
            }
        } catch (Throwable t) {
            if (!closed) {
                t.printStackTrace();
            }
        } finally {
            if (b != null) {
                b.release();
            }
        }
    }

    private void drain() {
        drainScheduled.set(false);
        PacketBuffer b;
        while ((b = received.poll()) != null) {
            try {
                receiver.receive(b);
            } finally {
                b.release();
            }
        }
        receiver.endOfBurst();
    }

    @Override
    public PacketBuffer allocate() {
        return sendPool.acquire();
    }

    @Override
    public boolean send(PacketBuffer frame) {
        try {
            frame.prepend(VNET_HEADER).fill(0, VNET_HEADER, (byte) 0);
            long n = (long) WRITE.invokeExact(writeErrno, fd, frame.memory().address() + frame.offset(), (long) frame.length());
            return n == frame.length();
        } catch (Throwable t) {
            return false;
        } finally {
            frame.release();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (reader != null) {
                reader.join(1000);
            }
            int r = (int) CLOSE.invokeExact(writeErrno, fd);
        } catch (Throwable t) {
            // closing anyway
        }
    }
}
