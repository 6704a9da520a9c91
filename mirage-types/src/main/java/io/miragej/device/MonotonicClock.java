package io.miragej.device;

/**
 * Elapsed time in nanoseconds from an arbitrary origin. Never goes backwards and does not follow
 * changes of the wall clock; use it for timeouts and rates. In simulations it is virtual time.
 */
@FunctionalInterface
public interface MonotonicClock {
    long nanos();
}
