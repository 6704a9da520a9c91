package com.example.fake;

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
import io.miragej.platform.Backend;
import io.miragej.platform.Config;
import io.miragej.platform.Devices;
import io.miragej.platform.Key;
import io.miragej.stack.Stack;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.util.List;

/** A console-only backend: its console marks every line, so a test sees which backend ran. */
public final class FakeBackend implements Backend {
    @Override public String name() { return "fake"; }
    @Override public String coordinates() { return "com.example:mirage-fake"; }
    @Override public List<Key<?>> keys() { return List.of(); }

    @Override
    public Session open(Config config) {
        Devices devices = new Devices() {
            private final Counters counters = new Counters();
            @Override public Config config() { return config; }
            @Override public Console console() { return text -> System.out.print("[fake console] " + text); }
            @Override public MonotonicClock monotonicClock() { return System::nanoTime; }
            @Override public WallClock wallClock() { return () -> System.currentTimeMillis() * 1_000_000L; }
            @Override public Time time() { throw new IllegalStateException("no time on the fake backend"); }
            @Override public Random random() { throw new IllegalStateException("no random on the fake backend"); }
            @Override public Counters counters() { return counters; }
            @Override public Stack stack() throws IOException { throw new IOException("no network on the fake backend"); }
            @Override public EventLoop eventLoop(String name) { throw new IllegalStateException("no loops"); }
            @Override public Network network(String name) throws IOException { throw new IOException("none"); }
            @Override public Block block(String name, boolean readOnly) throws IOException { throw new IOException("none"); }
            @Override public ReadOnlyKv readOnlyKv(String source) throws IOException { throw new IOException("none"); }
            @Override public ReadWriteKv readWriteKv(String name) throws IOException { throw new IOException("none"); }
        };
        return new Session() {
            @Override public Devices devices() { return devices; }
            @Override public void awaitServices() {}
            @Override public void close() {}
        };
    }
}
