package io.miragej.tcpip;

import io.miragej.net.Endpoint;
import io.miragej.tcpip.tcp.TcpConnection;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP connection of a {@link DirectStack} as a blocking {@link io.miragej.stack.Flow}. The
 * connection itself belongs to the loop; this class owns two bounded rings between the
 * application's thread and the loop. The loop moves received bytes into the inbound ring and
 * written bytes from the outbound ring into TCP as room appears ({@link #pump}); application
 * threads wait on the flow's condition. Back-pressure runs end to end: a full TCP send buffer
 * stops the outbound ring draining, and a full outbound ring makes {@link #write} wait.
 */
final class DirectFlow implements io.miragej.stack.Flow {
    static final int RING = 64 * 1024;

    private final DirectStack stack;
    private final Endpoint local;
    private final Endpoint remote;
    private final ReentrantLock lock = new ReentrantLock();
    private final Blocking.Signal changed;
    private final FlowRing in = new FlowRing(RING);
    private final FlowRing out = new FlowRing(RING);
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private final Runnable pumpTask = this::scheduledPump;

    // guarded by lock
    private boolean established;
    private boolean endOfStream;
    private IOException failure;
    private boolean shutdownRequested;
    private boolean closeRequested;
    private boolean finished;
    private int unsent;

    // loop only
    private TcpConnection connection;
    private boolean pumping;
    private boolean pumpAgain;
    private boolean shutdownDone;
    private boolean closeDone;

    DirectFlow(DirectStack stack, TcpConnection connection, Endpoint local, Endpoint remote) {
        this.stack = stack;
        this.connection = connection;
        this.local = local;
        this.remote = remote;
        this.changed = stack.blocking().newSignal(lock);
        connection.setObserver(c -> {
            pump();
            stack.wakeLater(this); // waiters wake once the batch of frames is done
        });
    }

    /** Set while the flow waits in the stack's queue for {@link #wake}. */
    boolean wakeQueued;

    /** Wakes the application threads waiting on this flow. */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    TcpConnection connection() {
        return connection;
    }

    // =====================================================================================
    // Loop side
    // =====================================================================================

    private void scheduledPump() {
        pumpScheduled.set(false);
        pump();
        wake();
        stack.afterWork();
    }

    /**
     * On the loop: moves bytes both ways, applies requests, publishes state, wakes waiters. Runs
     * inside the TCP core when called as the connection's observer, so it never runs timers.
     */
    void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        lock.lock();
        try {
            do {
                pumpAgain = false;
                pumpOnce();
            } while (pumpAgain);
        } finally {
            lock.unlock();
            pumping = false;
        }
    }

    private void pumpOnce() {
        TcpConnection c = connection;
        long now = stack.now();
        if (!closeRequested) {
            in.fillFrom(c, now);
        }
        if (c.atEndOfStream()) {
            endOfStream = true; // read() still returns what the ring holds first
        }
        out.drainTo(c, now);
        if (shutdownRequested && !shutdownDone && out.size() == 0) {
            shutdownDone = true;
            c.shutdownOutput(now);
        }
        if (closeRequested && !closeDone) {
            if (in.size() > 0 || c.readable() > 0) {
                closeDone = true;
                c.abort(now); // unread data: reset (RFC 2525 2.17)
            } else if (out.size() == 0) {
                closeDone = true;
                c.close(now);
            }
        }
        if (c.isSynchronized()) {
            established = true;
        }
        unsent = out.size() + c.unsent();
        if (c.isClosed()) {
            finished = true;
            if (failure == null) {
                failure = failureOf(c);
            }
            stack.forget(this);
        }
    }

    private IOException failureOf(TcpConnection c) {
        return switch (c.failure()) {
            case NONE -> null;
            case REFUSED -> new ConnectException("connection to " + remote + " refused: nothing listens on port "
                    + remote.port() + " there, or a firewall said no");
            case RESET -> new SocketException("connection with " + remote + " reset by the peer");
            case TIMED_OUT -> new SocketTimeoutException("connection with " + remote
                    + " timed out: the peer stopped answering");
            case UNREACHABLE -> new IOException("no route to " + remote.address()
                    + ": check the address, and --ipv4-gateway for addresses off the local network");
            case ABORTED -> closeRequested ? null : new SocketException("connection with " + remote + " was reset");
            case NO_RESOURCES -> new IOException("cannot open a connection to " + remote
                    + ": the stack's connection table or ports are exhausted");
        };
    }

    /** Asks the loop to pump, from any thread, at most one pending request at a time. */
    private void requestPump() {
        if (pumpScheduled.compareAndSet(false, true)) {
            try {
                stack.loop().execute(pumpTask);
            } catch (RuntimeException e) {
                pumpScheduled.set(false);
                throw e;
            }
        }
    }

    // =====================================================================================
    // Application side
    // =====================================================================================

    /** Blocking on the loop would stop the very thread that must wake us: refuse, and say why. */
    private void notOnLoop(String what) {
        if (stack.loop().inLoop()) {
            throw new IllegalStateException(what + " blocks, and this is the stack's event loop (a datagram handler"
                    + " or another callback of the stack): do it on a virtual thread of its own");
        }
    }

    /** Waits until the handshake finished or failed; for connect. */
    void awaitEstablished(long deadline) throws IOException {
        notOnLoop("Tcp.connect");
        lock.lock();
        try {
            while (!established && failure == null && !finished) {
                if (stack.blocking().now() >= deadline) {
                    throw new SocketTimeoutException("no answer from " + remote + " within the connect timeout");
                }
                changed.await(deadline);
            }
            if (failure != null) {
                throw failure;
            }
            if (!established) {
                throw new ConnectException("connection to " + remote + " closed during the handshake");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting to " + remote);
        } finally {
            lock.unlock();
        }
    }

    /** For connect when it gives up: reset the connection. */
    void abortFromApp() {
        lock.lock();
        try {
            closeRequested = true;
        } finally {
            lock.unlock();
        }
        stack.loop().execute(() -> {
            if (!connection.isClosed()) {
                connection.abort(stack.now());
            }
            pump();
            wake();
            stack.afterWork();
        });
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, buffer.length);
        if (length == 0) {
            return 0;
        }
        notOnLoop("Flow.read");
        int n;
        boolean wasFull;
        lock.lock();
        try {
            while (in.size() == 0) {
                if (endOfStream) {
                    return -1;
                }
                if (failure != null) {
                    throw failure;
                }
                if (closeRequested || finished) {
                    throw new SocketException("flow " + local + " -> " + remote + " is closed");
                }
                changed.await(Long.MAX_VALUE);
            }
            wasFull = in.free() < in.capacity() / 4;
            n = in.take(buffer, offset, length);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading from " + remote);
        } finally {
            lock.unlock();
        }
        if (wasFull) {
            requestPump(); // room again: let the loop move more from TCP (which opens the window)
        }
        return n;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, buffer.length);
        notOnLoop("Flow.write");
        int done = 0;
        while (done < length) {
            lock.lock();
            try {
                while (true) {
                    if (failure != null) {
                        throw failure;
                    }
                    if (closeRequested || shutdownRequested || finished) {
                        throw new SocketException("flow " + local + " -> " + remote + " is closed for writing");
                    }
                    if (out.free() > 0) {
                        break;
                    }
                    changed.await(Long.MAX_VALUE);
                }
                done += out.put(buffer, offset + done, length - done);
                unsent = Math.max(unsent, out.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while writing to " + remote);
            } finally {
                lock.unlock();
            }
            requestPump();
        }
    }

    @Override
    public void flush() throws IOException {
        notOnLoop("Flow.flush");
        requestPump();
        lock.lock();
        try {
            while (unsent > 0 || out.size() > 0) {
                if (failure != null) {
                    throw failure;
                }
                if (finished) {
                    return;
                }
                changed.await(Long.MAX_VALUE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while flushing to " + remote);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        lock.lock();
        try {
            if (failure != null) {
                throw failure;
            }
            shutdownRequested = true;
        } finally {
            lock.unlock();
        }
        requestPump();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closeRequested) {
                return;
            }
            closeRequested = true;
        } finally {
            lock.unlock();
        }
        try {
            requestPump();
        } catch (RuntimeException e) {
            // the loop is gone: the stack is closed and took the connection with it
        }
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
        return "tcp " + local + " -> " + remote;
    }
}
