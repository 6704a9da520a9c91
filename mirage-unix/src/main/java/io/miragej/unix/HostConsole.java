package io.miragej.unix;

import io.miragej.device.Console;
import java.io.PrintStream;

/** The process's standard output as a {@link Console}. */
public final class HostConsole implements Console {
    private final PrintStream out;

    public HostConsole(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void write(String text) {
        out.print(text);
        out.flush();
    }
}
