package io.miragej.dns.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs peer commands (dig, kdig, nsd, knotd) and stops only the processes it started. */
final class Proc {
    private Proc() {}

    record Result(int exit, String out, String err) {}

    /** Runs {@code cmd} to completion, killing it after {@code timeout}. */
    static Result run(Duration timeout, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("proc", ".out");
        Path err = Files.createTempFile("proc", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static String ok(Duration timeout, String... cmd) throws IOException, InterruptedException {
        Result r = run(timeout, cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.err() + r.out());
        }
        return r.out();
    }

    /** A long-running peer, started in the foreground, stopped by its PID. */
    static final class Daemon implements AutoCloseable {
        final Process process;
        final Path log;

        Daemon(Path log, List<String> cmd) throws IOException {
            this.log = log;
            this.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        boolean alive() {
            return process.isAlive();
        }

        /** Sends SIGHUP to this process (NSD reloads its zones on it). */
        void hangup() throws IOException, InterruptedException {
            ok(Duration.ofSeconds(5), "kill", "-HUP", Long.toString(process.pid()));
        }

        @Override
        public void close() throws InterruptedException {
            // the peer and any children it forked (NSD forks its workers)
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
        }
    }
}
