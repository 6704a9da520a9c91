package io.miragej.unix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A file descriptor a reader thread waits on with poll(2), together with an eventfd that wakes
 * it for shutdown (closing a descriptor does not wake a thread blocked on it).
 */
final class PollableFd {
    final int fd;
    private final int wakeFd;
    private final MemorySegment pollfds;
    private volatile boolean closed;

    PollableFd(int fd) throws IOException {
        this.fd = fd;
        this.wakeFd = Posix.eventfd(Posix.O_CLOEXEC | Posix.O_NONBLOCK);
        // struct pollfd { int fd; short events; short revents; } x 2, used by the reader thread only
        pollfds = Arena.ofAuto().allocate(16);
        pollfds.set(ValueLayout.JAVA_INT, 0, fd);
        pollfds.set(ValueLayout.JAVA_SHORT, 4, Posix.POLLIN);
        pollfds.set(ValueLayout.JAVA_INT, 8, wakeFd);
        pollfds.set(ValueLayout.JAVA_SHORT, 12, Posix.POLLIN);
    }

    /** Waits until {@link #fd} is readable (true) or the descriptor is being closed (false). */
    boolean awaitReadable() throws IOException {
        while (!closed) {
            pollfds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            pollfds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
            int ready = Posix.poll(pollfds, 2, -1);
            if (ready < 0 && ready != -Posix.EINTR) {
                throw Posix.failure("poll", -ready);
            }
            if (!closed && (pollfds.get(ValueLayout.JAVA_SHORT, 6) & Posix.POLLIN) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Makes {@link #awaitReadable} return false, now and from now on. */
    void wake() {
        closed = true;
        try (Arena a = Arena.ofConfined()) {
            Posix.write(wakeFd, a.allocateFrom(ValueLayout.JAVA_LONG, 1L).address(), 8);
        }
    }

    /** Closes both descriptors; call once no thread waits any more. */
    void close() {
        Posix.close(fd);
        Posix.close(wakeFd);
    }
}
