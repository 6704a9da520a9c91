package io.miragej.block;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a peer's command line tool in the foreground and returns its output. */
public final class Exec {
    private Exec() {}

    /** The result of a finished command. */
    public record Result(int status, String output) {}

    /** Runs {@code command} in {@code dir}, failing the test when it does not exit 0. */
    public static String run(Path dir, String... command) throws IOException, InterruptedException {
        Result r = status(dir, Map.of(), command);
        if (r.status() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.status() + ":\n" + r.output());
        }
        return r.output();
    }

    /** Runs {@code command} in {@code dir} with extra environment, returning status and output. */
    public static Result status(Path dir, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("MTOOLS_SKIP_CHECK", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs a shell pipeline (for tools fed on standard input), failing unless it exits 0. */
    public static String shell(Path dir, String script) throws IOException, InterruptedException {
        return run(dir, "/bin/sh", "-c", script);
    }
}
