package io.miragej.platform;

import java.util.List;

/**
 * A platform that runs unikernels: it implements the device signatures for one environment (the
 * host OS, Xen, a board). Published with {@code provides io.miragej.platform.Backend with ...}
 * and in {@code META-INF/services}; exactly one must be on an application's class path.
 */
public interface Backend {
    /** Short name, like "unix". */
    String name();

    /** The Maven coordinates users depend on to get this backend, like "io.miragej:mirage-unix". */
    String coordinates();

    /** The configuration keys the backend reads (--net, --tap, ...). */
    List<Key<?>> keys();

    /** Opens the platform for one run of an application. */
    Session open(Config config) throws Exception;

    /** One run of an application on the backend. */
    interface Session extends AutoCloseable {
        Devices devices();

        /** Waits until the application has no open listeners left. */
        void awaitServices() throws InterruptedException;

        /** Closes the stack and every device. */
        @Override
        void close();
    }
}
