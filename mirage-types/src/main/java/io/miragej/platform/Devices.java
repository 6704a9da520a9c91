package io.miragej.platform;

import io.miragej.device.Block;
import io.miragej.device.Console;
import io.miragej.device.EventLoop;
import io.miragej.device.MonotonicClock;
import io.miragej.device.Network;
import io.miragej.device.Random;
import io.miragej.device.Time;
import io.miragej.device.WallClock;
import io.miragej.kv.ReadOnlyKv;
import io.miragej.kv.ReadWriteKv;
import io.miragej.stack.Stack;
import io.miragej.stats.Counters;
import java.io.IOException;

/**
 * What the platform (the backend) gives an application: its configuration, devices and a network
 * stack. Devices are opened on first use and closed when the application ends.
 */
public interface Devices {
    /** The parsed {@code --key=value} configuration. */
    Config config();

    Console console();

    MonotonicClock monotonicClock();

    WallClock wallClock();

    Time time();

    Random random();

    /** The registry every layer counts into. */
    Counters counters();

    /**
     * The network stack chosen by {@code --net}: {@code socket} (the host's, the default) or
     * {@code direct} (MirageJ's own over a network device). The same instance on every call.
     */
    Stack stack() throws IOException;

    /** A new event loop, a thread owning protocol state, named for logs. */
    EventLoop eventLoop(String name);

    /** The name of the network device the configuration chose ({@code --tap}, ... on unix). */
    String DEFAULT_NETWORK = "default";

    /**
     * The Ethernet device the backend knows as {@code name} (on unix {@code tap:NAME}, {@code
     * netif:NAME}, ...; a netfront on Xen), or {@link #DEFAULT_NETWORK} for the one the
     * configuration names. A direct stack opens {@code network(DEFAULT_NETWORK)}.
     */
    Network network(String name) throws IOException;

    /** The name of the block device the configuration chose ({@code --disk} on unix). */
    String DEFAULT_BLOCK = "default";

    /**
     * The block device backed by {@code name} (a disk image file on unix), or {@link
     * #DEFAULT_BLOCK} for the one the configuration names.
     */
    Block block(String name, boolean readOnly) throws IOException;

    /**
     * A read-only store: {@code classpath:/prefix} serves the application's own resources (on every
     * backend); other names are backend-specific (a host directory on unix).
     */
    ReadOnlyKv readOnlyKv(String source) throws IOException;

    /** A read-write store named {@code name} (a host directory on unix). */
    ReadWriteKv readWriteKv(String name) throws IOException;
}
