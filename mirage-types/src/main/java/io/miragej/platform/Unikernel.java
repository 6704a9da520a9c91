package io.miragej.platform;

import java.util.List;
import java.util.Locale;

/**
 * An application: it is handed the platform's devices and builds its service on them. It sees
 * only signatures, so it runs unchanged on every backend. Launch one from {@code main} with
 * {@link Mirage#run}.
 *
 * <p>The application runs until {@link #start} has returned and every listener it opened is
 * closed, or until the process is stopped.
 */
public interface Unikernel {
    /** Builds and starts the service. May block (it runs on a virtual thread) or return at once. */
    void start(Devices devices) throws Exception;

    /** The keys this application reads; by default, every static {@code Key} field of its class. */
    default List<Key<?>> keys() {
        return Key.declaredIn(getClass());
    }

    /** The name used in help and logs; by default the class's simple name in lowercase. */
    default String name() {
        return getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
