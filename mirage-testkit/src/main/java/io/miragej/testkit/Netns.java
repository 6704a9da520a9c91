package io.miragej.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Linux network namespace made for one test, with a name unique to the run, removed on close
 * together with every process the test started in it (by PID, never by name). Needs root and
 * {@code ip} (iproute2); {@link #create} checks both through {@link Interop}.
 */
public final class Netns implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** The outcome of a command: its exit status and combined output. */
    public record Result(int status, String output) {
        public Result orFail(String what) {
            if (status != 0) {
                throw new AssertionError(what + " failed with status " + status + ": " + output);
            }
            return this;
        }
    }

    private final String name;
    private final List<Process> started = new ArrayList<>();

    private Netns(String name) {
        this.name = name;
    }

    /** A new namespace named {@code prefix-PID-N}, with its loopback up. */
    public static Netns create(String prefix) throws IOException, InterruptedException {
        Interop.requireRoot();
        Interop.requireCommands("iproute2", "ip");
        String name = prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        run(List.of("ip", "netns", "add", name)).orFail("ip netns add " + name);
        Netns ns = new Netns(name);
        ns.ip("link", "set", "lo", "up");
        return ns;
    }

    /** A name unique to this run for a device, at most 15 characters: {@code prefix} + a number. */
    public static String uniqueDeviceName(String prefix) {
        String suffix = Long.toString(ProcessHandle.current().pid() % 100000) + COUNTER.incrementAndGet();
        String n = prefix + suffix;
        return n.length() <= 15 ? n : n.substring(n.length() - 15);
    }

    public String name() {
        return name;
    }

    /** Runs {@code ip -n NAME args...} and fails the test if it fails. */
    public Result ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return run(cmd).orFail(String.join(" ", cmd));
    }

    /** Moves {@code device} from the test's own namespace into this one. */
    public void moveHere(String device) throws IOException, InterruptedException {
        run(List.of("ip", "link", "set", "dev", device, "netns", name)).orFail("moving " + device + " into " + name);
    }

    /** Runs a command inside the namespace to completion (60 s at most). */
    public Result exec(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd);
    }

    /** Starts a command inside the namespace in the background; it is killed on close. */
    public Process start(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append(e);
            }
        });
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        reader.join();
        return new Result(p.exitValue(), out.toString());
    }

    /**
     * Stops the processes started in the namespace and deletes it. An interrupt does not stop the
     * clean-up half way: it is finished, then the thread's interrupt status is set again.
     */
    @Override
    public void close() throws IOException {
        boolean interrupted = false;
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            while (true) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        try {
            while (true) {
                try {
                    run(List.of("ip", "netns", "del", name));
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
