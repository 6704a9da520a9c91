package io.miragej.device;

/** A text console: the host's standard output, a hypervisor's serial or PV console. */
public interface Console {
    /** Writes {@code text} as is; safe from any thread, whole calls are not interleaved. */
    void write(String text);

    /** Writes {@code line} and a newline. */
    default void println(String line) {
        write(line + "\n");
    }
}
