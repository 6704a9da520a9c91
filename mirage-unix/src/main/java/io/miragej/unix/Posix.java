package io.miragej.unix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few POSIX calls the unix backend's network devices make, through the foreign-function API.
 * Every call captures {@code errno}; failures become {@link IOException}s naming the call and the
 * system's reason.
 */
final class Posix {
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final short POLLIN = 1;
    static final int EAGAIN = 11;
    static final int EINTR = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = handle("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    // The buffer is passed as a raw address (a long, as pointers are on LP64) so that the packet
    // path creates no segment object per call.
    private static final MethodHandle READ = handle("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = handle("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle IOCTL = handle("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle POLL = handle("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle EVENTFD = handle("eventfd",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(ValueLayout.JAVA_BYTE.withByteAlignment(1)
                    .withName("c")), ValueLayout.JAVA_INT));

    private static final MethodHandle SOCKET = handle("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = handle("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECVFROM = handle("recvfrom", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle RECVMMSG = handle("recvmmsg", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SENDMMSG = handle("sendmmsg", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SENDTO = handle("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle GETSOCKNAME = handle("getsockname", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle IF_NAMETOINDEX = handle("if_nametoindex",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private Posix() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("libc has no " + name)), fd, CAPTURE);
    }

    /** The native address of byte {@code index} of a buffer's window; the buffer must be native. */
    static long address(io.miragej.buffer.PacketBuffer b, int index) {
        if (!b.memory().isNative()) {
            throw new IllegalArgumentException("device I/O needs a native buffer, got " + b);
        }
        return b.memory().address() + b.offset() + index;
    }

    /** A per-thread buffer for the captured errno, so calls allocate nothing. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static IOException failure(String call, int errno) {
        return new IOException(call + " failed: " + strerror(errno) + " (errno " + errno + ")");
    }

    static int open(String path, int flags) throws IOException {
        MemorySegment st = STATE.get();
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(st, a.allocateFrom(path), flags);
            if (fd < 0) {
                throw failure("open(" + path + ")", errno(st));
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("open(" + path + ")", t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(STATE.get(), fd);
        } catch (Throwable t) {
            // nothing more to do
        }
    }

    /** read(2) into native memory at {@code address}; returns bytes read, or -errno. */
    static long read(int fd, long address, long length) {
        MemorySegment st = STATE.get();
        try {
            long n = (long) READ.invokeExact(st, fd, address, length);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** write(2) from native memory at {@code address}; returns bytes written, or -errno. */
    static long write(int fd, long address, long length) {
        MemorySegment st = STATE.get();
        try {
            long n = (long) WRITE.invokeExact(st, fd, address, length);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void ioctl(int fd, long request, MemorySegment arg, String what) throws IOException {
        MemorySegment st = STATE.get();
        int r;
        try {
            r = (int) IOCTL.invokeExact(st, fd, request, arg);
        } catch (Throwable t) {
            throw new IOException(what, t);
        }
        if (r < 0) {
            throw failure(what, errno(st));
        }
    }

    /** poll(2) on {@code pollfds} (struct pollfd[]); returns ready count, 0 on timeout, or -errno. */
    static int poll(MemorySegment pollfds, int count, int timeoutMillis) {
        MemorySegment st = STATE.get();
        try {
            int n = (int) POLL.invokeExact(st, pollfds, (long) count, timeoutMillis);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int socket(int domain, int type, int protocol) throws IOException {
        MemorySegment st = STATE.get();
        try {
            int fd = (int) SOCKET.invokeExact(st, domain, type, protocol);
            if (fd < 0) {
                throw failure("socket", errno(st));
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("socket", t);
        }
    }

    static void bind(int fd, MemorySegment address, String what) throws IOException {
        MemorySegment st = STATE.get();
        int r;
        try {
            r = (int) BIND.invokeExact(st, fd, address, (int) address.byteSize());
        } catch (Throwable t) {
            throw new IOException(what, t);
        }
        if (r < 0) {
            throw failure(what, errno(st));
        }
    }

    static void setsockopt(int fd, int level, int option, MemorySegment value, String what) throws IOException {
        MemorySegment st = STATE.get();
        int r;
        try {
            r = (int) SETSOCKOPT.invokeExact(st, fd, level, option, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw new IOException(what, t);
        }
        if (r < 0) {
            throw failure(what, errno(st));
        }
    }

    /** recvfrom(2) into native memory at {@code address}; returns bytes read, or -errno. */
    static long recvfrom(int fd, long address, long length, MemorySegment from, MemorySegment fromLength) {
        MemorySegment st = STATE.get();
        try {
            long n = (long) RECVFROM.invokeExact(st, fd, address, length, 0, from, fromLength);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** recvmmsg(2) without a timeout; returns messages received, or -errno. */
    static int recvmmsg(int fd, MemorySegment msgvec, int vlen, int flags) {
        MemorySegment st = STATE.get();
        try {
            int n = (int) RECVMMSG.invokeExact(st, fd, msgvec, vlen, flags, MemorySegment.NULL);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** sendmmsg(2); returns messages sent, or -errno. */
    static int sendmmsg(int fd, MemorySegment msgvec, int vlen, int flags) {
        MemorySegment st = STATE.get();
        try {
            int n = (int) SENDMMSG.invokeExact(st, fd, msgvec, vlen, flags);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** sendto(2) from native memory at {@code address}; returns bytes sent, or -errno. */
    static long sendto(int fd, long address, long length, MemorySegment to, int toLength) {
        MemorySegment st = STATE.get();
        try {
            long n = (long) SENDTO.invokeExact(st, fd, address, length, 0, to, toLength);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void getsockname(int fd, MemorySegment address, MemorySegment length) throws IOException {
        MemorySegment st = STATE.get();
        int r;
        try {
            r = (int) GETSOCKNAME.invokeExact(st, fd, address, length);
        } catch (Throwable t) {
            throw new IOException("getsockname", t);
        }
        if (r < 0) {
            throw failure("getsockname", errno(st));
        }
    }

    /** setsockopt(2) with an int value. */
    static void setsockopt(int fd, int level, int option, int value, String what) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            setsockopt(fd, level, option, a.allocateFrom(ValueLayout.JAVA_INT, value), what);
        }
    }

    /** The index of network interface {@code name}, or 0 when there is none. */
    static int ifNameToIndex(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (int) IF_NAMETOINDEX.invokeExact(STATE.get(), a.allocateFrom(name));
        } catch (Throwable t) {
            return 0;
        }
    }

    static int eventfd(int flags) throws IOException {
        MemorySegment st = STATE.get();
        try {
            int fd = (int) EVENTFD.invokeExact(st, 0, flags);
            if (fd < 0) {
                throw failure("eventfd", errno(st));
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("eventfd", t);
        }
    }
}
