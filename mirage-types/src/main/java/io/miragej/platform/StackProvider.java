package io.miragej.platform;

import io.miragej.stack.Stack;
import java.io.IOException;

/**
 * Builds a {@link Stack} for a {@code --net} mode on whatever backend is running: MirageJ's own
 * TCP/IP stack publishes one for {@code direct}, so a backend offers direct networking as soon as
 * the application depends on it. Published through {@link java.util.ServiceLoader}.
 */
public interface StackProvider {
    /** The {@code --net} value this provider serves, like "direct". */
    String mode();

    /** The Maven coordinates that bring this provider, for messages. */
    String coordinates();

    /** Builds the stack on the platform's devices (network device, event loop, random, clocks). */
    Stack open(Devices devices) throws IOException;
}
