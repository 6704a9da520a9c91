package io.miragej.stats;

import java.util.concurrent.atomic.LongAdder;

/** A named count of events, such as frames received or packets dropped for a bad checksum. */
public final class Counter {
    private final String name;
    private final LongAdder value = new LongAdder();

    Counter(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void increment() {
        value.increment();
    }

    public void add(long n) {
        value.add(n);
    }

    public long get() {
        return value.sum();
    }

    @Override
    public String toString() {
        return name + "=" + get();
    }
}
