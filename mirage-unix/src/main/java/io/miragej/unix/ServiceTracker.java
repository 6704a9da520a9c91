package io.miragej.unix;

import io.miragej.net.Endpoint;
import io.miragej.stack.DatagramHandler;
import io.miragej.stack.Flow;
import io.miragej.stack.FlowHandler;
import io.miragej.stack.Ip;
import io.miragej.stack.Listener;
import io.miragej.stack.Stack;
import io.miragej.stack.Tcp;
import io.miragej.stack.Udp;
import io.miragej.stack.UdpSocket;
import java.io.IOException;
import java.time.Duration;

/**
 * Counts the listeners an application has open on a stack, whatever the stack, so the platform
 * knows when the application has no services left and may end.
 */
final class ServiceTracker {
    private int open;
    private boolean shutdown;

    synchronized void opened() {
        open++;
    }

    synchronized void closed() {
        open--;
        notifyAll();
    }

    /** Waits until no listener is open, or the platform shuts down. */
    synchronized void awaitNone() throws InterruptedException {
        while (open > 0 && !shutdown) {
            wait();
        }
    }

    /** Ends every wait: the platform is shutting down. */
    synchronized void shutdown() {
        shutdown = true;
        notifyAll();
    }

    /** {@code stack}, with its listeners counted. */
    Stack track(Stack stack) {
        Tcp tcp = new Tcp() {
            @Override
            public Listener listen(Endpoint local, FlowHandler handler) throws IOException {
                return tracked(stack.tcp().listen(local, handler));
            }

            @Override
            public Flow connect(Endpoint remote, Duration timeout) throws IOException {
                return stack.tcp().connect(remote, timeout);
            }
        };
        Udp udp = new Udp() {
            @Override
            public UdpSocket bind(Endpoint local) throws IOException {
                return stack.udp().bind(local);
            }

            @Override
            public Listener listen(Endpoint local, DatagramHandler handler) throws IOException {
                return tracked(stack.udp().listen(local, handler));
            }
        };
        return new Stack() {
            @Override
            public Tcp tcp() {
                return tcp;
            }

            @Override
            public Udp udp() {
                return udp;
            }

            @Override
            public Ip ip() {
                return stack.ip();
            }

            @Override
            public String mode() {
                return stack.mode();
            }

            @Override
            public void close() {
                stack.close();
            }
        };
    }

    private Listener tracked(Listener l) {
        opened();
        return new Listener() {
            private boolean done;

            @Override
            public Endpoint local() {
                return l.local();
            }

            @Override
            public void close() {
                l.close();
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    done = true;
                }
                closed();
            }
        };
    }
}
