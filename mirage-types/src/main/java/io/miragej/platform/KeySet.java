package io.miragej.platform;

import java.util.List;

/**
 * The configuration keys a library reads, published with {@code provides
 * io.miragej.platform.KeySet with ...} (and {@code META-INF/services}) so that the launcher
 * accepts them and {@code --help} lists them even before the library's classes are used.
 */
public interface KeySet {
    /** Who declares these keys, shown as the heading in help, like "mirage-tcpip". */
    String owner();

    List<Key<?>> keys();
}
