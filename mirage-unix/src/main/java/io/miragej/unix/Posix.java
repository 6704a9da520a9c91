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

    // Each function's handle sits in its own holder class, so only the functions a program calls
    // are linked: a downcall handle costs classes, metaspace and code (about 0.5 MB each, measured).
    private static final class Open {
        static final MethodHandle HANDLE = handle("open",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    private static final class Close {
        static final MethodHandle HANDLE = handle("close",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    // The buffer is passed as a raw address (a long, as pointers are on LP64) so that the packet
    // path creates no segment object per call.
    private static final class Read {
        static final MethodHandle HANDLE = handle("read",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    }

    private static final class Write {
        static final MethodHandle HANDLE = handle("write",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    }

    private static final class Ioctl {
        static final MethodHandle HANDLE = handle("ioctl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    }

    private static final class Poll {
        static final MethodHandle HANDLE = handle("poll",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }

    private static final class Eventfd {
        static final MethodHandle HANDLE = handle("eventfd",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private static final class Strerror {
        static final MethodHandle HANDLE = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(ValueLayout.JAVA_BYTE.withByteAlignment(1)
                        .withName("c")), ValueLayout.JAVA_INT));
    }


    private static final class Socket {
        static final MethodHandle HANDLE = handle("socket",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private static final class Bind {
        static final MethodHandle HANDLE = handle("bind",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    private static final class Setsockopt {
        static final MethodHandle HANDLE = handle("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    private static final class Recvfrom {
        static final MethodHandle HANDLE = handle("recvfrom", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

    private static final class Recvmmsg {
        static final MethodHandle HANDLE = handle("recvmmsg", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    private static final class Sendmmsg {
        static final MethodHandle HANDLE = handle("sendmmsg", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private static final class Sendto {
        static final MethodHandle HANDLE = handle("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    private static final class Getsockname {
        static final MethodHandle HANDLE = handle("getsockname", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

    private static final class IfNametoindex {
        static final MethodHandle HANDLE = handle("if_nametoindex",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }


    private static final class Mmap {
        static final MethodHandle HANDLE = handle("mmap", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    }

    private static final class Munmap {
        static final MethodHandle HANDLE = handle("munmap",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    }

    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;

    private Posix() {}

    /**
     * {@code size} bytes of zeroed anonymous memory that become resident only where they are first
     * written (unlike {@code Arena.allocate}, which zeroes and so touches every page). For buffers
     * sized for the largest datagram that mostly carry small ones. Unmapped when unreachable.
     */
    static MemorySegment mapAnonymous(long size) {
        long address;
        MemorySegment st = STATE.get();
        try {
            address = (long) Mmap.HANDLE.invokeExact(st, 0L, size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap of " + size + " bytes", t);
        }
        if (address == -1L) {
            throw new OutOfMemoryError("mmap of " + size + " bytes failed: " + strerror(errno(st)));
        }
        long mapped = address;
        return MemorySegment.ofAddress(address).reinterpret(size, Arena.ofAuto(), ignored -> {
            try {
                int rc = (int) Munmap.HANDLE.invokeExact(STATE.get(), mapped, size);
            } catch (Throwable t) {
                // nothing more to do for memory that is going away
            }
        });
    }

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
            MemorySegment s = (MemorySegment) Strerror.HANDLE.invokeExact(errno);
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
            int fd = (int) Open.HANDLE.invokeExact(st, a.allocateFrom(path), flags);
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
            int ignored = (int) Close.HANDLE.invokeExact(STATE.get(), fd);
        } catch (Throwable t) {
            // nothing more to do
        }
    }

    /** read(2) into native memory at {@code address}; returns bytes read, or -errno. */
    static long read(int fd, long address, long length) {
        MemorySegment st = STATE.get();
        try {
            long n = (long) Read.HANDLE.invokeExact(st, fd, address, length);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** write(2) from native memory at {@code address}; returns bytes written, or -errno. */
    static long write(int fd, long address, long length) {
        MemorySegment st = STATE.get();
        try {
            long n = (long) Write.HANDLE.invokeExact(st, fd, address, length);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void ioctl(int fd, long request, MemorySegment arg, String what) throws IOException {
        MemorySegment st = STATE.get();
        int r;
        try {
            r = (int) Ioctl.HANDLE.invokeExact(st, fd, request, arg);
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
            int n = (int) Poll.HANDLE.invokeExact(st, pollfds, (long) count, timeoutMillis);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int socket(int domain, int type, int protocol) throws IOException {
        MemorySegment st = STATE.get();
        try {
            int fd = (int) Socket.HANDLE.invokeExact(st, domain, type, protocol);
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
            r = (int) Bind.HANDLE.invokeExact(st, fd, address, (int) address.byteSize());
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
            r = (int) Setsockopt.HANDLE.invokeExact(st, fd, level, option, value, (int) value.byteSize());
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
            long n = (long) Recvfrom.HANDLE.invokeExact(st, fd, address, length, 0, from, fromLength);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** recvmmsg(2) without a timeout; returns messages received, or -errno. */
    static int recvmmsg(int fd, MemorySegment msgvec, int vlen, int flags) {
        MemorySegment st = STATE.get();
        try {
            int n = (int) Recvmmsg.HANDLE.invokeExact(st, fd, msgvec, vlen, flags, MemorySegment.NULL);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** sendmmsg(2); returns messages sent, or -errno. */
    static int sendmmsg(int fd, MemorySegment msgvec, int vlen, int flags) {
        MemorySegment st = STATE.get();
        try {
            int n = (int) Sendmmsg.HANDLE.invokeExact(st, fd, msgvec, vlen, flags);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** sendto(2) from native memory at {@code address}; returns bytes sent, or -errno. */
    static long sendto(int fd, long address, long length, MemorySegment to, int toLength) {
        MemorySegment st = STATE.get();
        try {
            long n = (long) Sendto.HANDLE.invokeExact(st, fd, address, length, 0, to, toLength);
            return n < 0 ? -errno(st) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void getsockname(int fd, MemorySegment address, MemorySegment length) throws IOException {
        MemorySegment st = STATE.get();
        int r;
        try {
            r = (int) Getsockname.HANDLE.invokeExact(st, fd, address, length);
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
            return (int) IfNametoindex.HANDLE.invokeExact(STATE.get(), a.allocateFrom(name));
        } catch (Throwable t) {
            return 0;
        }
    }

    static int eventfd(int flags) throws IOException {
        MemorySegment st = STATE.get();
        try {
            int fd = (int) Eventfd.HANDLE.invokeExact(st, 0, flags);
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
