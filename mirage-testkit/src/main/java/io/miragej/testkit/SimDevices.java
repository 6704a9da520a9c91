package io.miragej.testkit;

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
import io.miragej.platform.Config;
import io.miragej.platform.Devices;
import io.miragej.stack.Stack;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link Devices} for running an application inside a {@link Simulation}: clocks, time, random
 * and the event loop are the simulation's; the console records what is written; networks, block
 * devices, stores and the stack are whatever the test registers. Run the application's {@code
 * start} on a simulated thread ({@link Simulation#spawn}) so its sleeps take virtual time.
 */
public final class SimDevices implements Devices {
    private final Simulation sim;
    private final Config config;
    private final Counters counters = new Counters();
    private final StringBuilder console = new StringBuilder();
    private final Map<String, Network> networks = new HashMap<>();
    private final Map<String, Block> blocks = new HashMap<>();
    private final Map<String, ReadOnlyKv> stores = new HashMap<>();
    private Stack stack;

    public SimDevices(Simulation sim, Config config) {
        this.sim = sim;
        this.config = config;
    }

    public SimDevices withStack(Stack s) {
        stack = s;
        return this;
    }

    public SimDevices withNetwork(String name, Network n) {
        networks.put(name, n);
        return this;
    }

    public SimDevices withBlock(String name, Block b) {
        blocks.put(name, b);
        return this;
    }

    public SimDevices withKv(String name, ReadOnlyKv kv) {
        stores.put(name, kv);
        return this;
    }

    /** Everything written to the console so far. */
    public synchronized String consoleOutput() {
        return console.toString();
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public Console console() {
        return text -> {
            synchronized (this) {
                console.append(text);
            }
        };
    }

    @Override
    public MonotonicClock monotonicClock() {
        return sim;
    }

    @Override
    public WallClock wallClock() {
        return sim;
    }

    @Override
    public Time time() {
        return sim;
    }

    @Override
    public Random random() {
        return sim;
    }

    @Override
    public Counters counters() {
        return counters;
    }

    @Override
    public Stack stack() throws IOException {
        if (stack == null) {
            throw new IOException("this simulation has no stack; give it one with SimDevices.withStack");
        }
        return stack;
    }

    @Override
    public EventLoop eventLoop(String name) {
        return sim;
    }

    @Override
    public Network network(String name) throws IOException {
        return found(networks, name, "network device");
    }

    @Override
    public Block block(String name, boolean readOnly) throws IOException {
        return found(blocks, name, "block device");
    }

    @Override
    public ReadOnlyKv readOnlyKv(String source) throws IOException {
        return found(stores, source, "store");
    }

    @Override
    public ReadWriteKv readWriteKv(String name) throws IOException {
        if (found(stores, name, "store") instanceof ReadWriteKv rw) {
            return rw;
        }
        throw new IOException("the store '" + name + "' of this simulation is read-only");
    }

    private static <T> T found(Map<String, T> map, String name, String what) throws IOException {
        T t = map.get(name);
        if (t == null) {
            throw new IOException("this simulation has no " + what + " named '" + name + "'; known: " + map.keySet());
        }
        return t;
    }
}
