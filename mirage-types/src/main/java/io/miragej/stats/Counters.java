package io.miragej.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of a running system's counters. Each layer takes its counters once, at start-up,
 * by dotted name ({@code tcp.segments.in}, {@code ipv4.drop.checksum}); the hot path only
 * increments them. Applications, tests and consoles read a {@link #snapshot()}.
 */
public final class Counters {
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    /** The counter called {@code name}, created at zero on first use. */
    public Counter counter(String name) {
        return counters.computeIfAbsent(name, Counter::new);
    }

    /** The value of {@code name}, 0 when it was never created. */
    public long get(String name) {
        Counter c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    /** Every counter's value, sorted by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Every non-zero counter as {@code name=value} lines, for a console. */
    public String report() {
        StringBuilder b = new StringBuilder();
        snapshot().forEach((k, v) -> {
            if (v != 0) {
                b.append(k).append('=').append(v).append('\n');
            }
        });
        return b.toString();
    }
}
