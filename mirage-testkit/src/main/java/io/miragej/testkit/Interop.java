package io.miragej.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Preconditions of interop tests against real peers (dig, NSD, the Linux stack, mkfs.fat, ...).
 *
 * <p>On a developer's machine a missing peer or missing root skips the test with a message saying
 * what to install. In CI ({@code CI=true} in the environment) nothing may skip: a missing peer
 * fails the test, so CI can never go green without having run the interop tests.
 */
public final class Interop {
    private Interop() {}

    /** True when running in CI, where interop tests must run. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Requires every command to be on the PATH (or to be an absolute path that exists).
     *
     * @param debianPackage the package that provides them, named in the message
     */
    public static void requireCommands(String debianPackage, String... commands) {
        List<String> missing = new ArrayList<>();
        for (String c : commands) {
            if (which(c) == null) {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            unavailable("missing " + String.join(", ", missing) + ": install it with"
                    + " 'apt-get install -y " + debianPackage + "'");
        }
    }

    /** Requires root (network namespaces, TAP devices). */
    public static void requireRoot() {
        if (!isRoot()) {
            unavailable("this interop test needs root to create network namespaces and TAP devices");
        }
    }

    public static boolean isRoot() {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            for (String line : status.split("\n")) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The full path of {@code command} on the PATH (or sbin directories), or null. */
    public static Path which(String command) {
        if (command.startsWith("/")) {
            Path p = Path.of(command);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/local/sbin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Skips (on a laptop) or fails (in CI) with {@code why}. */
    public static void unavailable(String why) {
        if (inCi()) {
            throw new AssertionError("interop test cannot run in CI: " + why
                    + " (.ci/run installs the packages listed in each module's ci-packages file)");
        }
        Assumptions.abort("skipped: " + why);
    }
}
