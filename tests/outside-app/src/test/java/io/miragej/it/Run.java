package io.miragej.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion (or kills it, and only it and its children, on timeout). */
record Run(int status, String output) {
    static final Path ROOT = Path.of(System.getProperty("mirage.root", "../.."));
    static final String VERSION = System.getProperty("mirage.version", "0.1.0-SNAPSHOT");
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    static Run of(Path dir, Map<String, String> env, long timeoutSeconds, List<String> command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        // Read output on the side so a chatty process never blocks on a full pipe.
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("[output lost: ").append(e).append(']');
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            reader.join();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command + "\n" + out);
        }
        reader.join();
        return new Run(p.exitValue(), out.toString());
    }

    static Run maven(Path dir, String... goals) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-q", "-B"));
        cmd.addAll(List.of(goals));
        return of(dir, Map.of("JAVA_HOME", System.getProperty("java.home")), 600, cmd);
    }
}
