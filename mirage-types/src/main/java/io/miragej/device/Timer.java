package io.miragej.device;

/** A task scheduled to run later. */
@FunctionalInterface
public interface Timer {
    /** Stops the task from running; false when it already ran or was cancelled. */
    boolean cancel();
}
