package io.miragej.platform;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The launcher: finds the one backend on the class path, reads the configuration keys, and runs a
 * unikernel. An application's {@code main} is one line:
 *
 * <pre>{@code public static void main(String[] args) { Mirage.run(new Echo(), args); }}</pre>
 *
 * <p>Exit status: 0 when the application ended normally or {@code --help} was asked for; 1 when it
 * failed; 2 when it could not start because of its configuration or class path (no backend, two
 * backends, an unknown key, a bad value).
 */
public final class Mirage {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private Mirage() {}

    /** Runs {@code app} with {@code args} and exits the JVM with its status. */
    public static void run(Unikernel app, String... args) {
        System.exit(launch(app, List.of(args), System.out, System.err, installedBackends()));
    }

    /** The backends found through {@link ServiceLoader}; a provider that fails to load is an error. */
    public static List<Backend> installedBackends() {
        List<Backend> found = new ArrayList<>();
        for (var it = ServiceLoader.load(Backend.class).iterator(); ; ) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("a MirageJ backend on the class path failed to load: "
                        + e.getMessage() + "; check that its jar is complete and built for this MirageJ version", e);
            }
        }
        return found;
    }

    /**
     * Runs {@code app} on the single backend in {@code backends}; the testable core of {@link #run}.
     *
     * @return the exit status
     */
    public static int launch(Unikernel app, List<String> args, PrintStream out, PrintStream err,
            List<Backend> backends) {
        String appName = app.name();
        if (backends.size() != 1) {
            err.println(appName + ": " + backendProblem(backends));
            return USAGE;
        }
        Backend backend = backends.getFirst();
        Map<String, List<Key<?>>> groups;
        try {
            groups = keyGroups(app, backend);
        } catch (RuntimeException e) {
            err.println(appName + ": " + e.getMessage());
            return USAGE;
        }
        if (Config.wantsHelp(args)) {
            out.print(help(appName, groups));
            return OK;
        }
        Config config;
        try {
            List<Key<?>> all = new ArrayList<>();
            for (List<Key<?>> keys : groups.values()) {
                all.addAll(keys);
            }
            config = Config.parse(all, args);
        } catch (ConfigException e) {
            err.println(appName + ": " + e.getMessage());
            err.println(appName + ": run with --help to list every key, its type and its default");
            return USAGE;
        }
        Backend.Session session;
        try {
            session = backend.open(config);
        } catch (ConfigException e) {
            err.println(appName + ": " + e.getMessage());
            return USAGE;
        } catch (Exception e) {
            err.println(appName + ": the " + backend.name() + " backend could not start: " + e);
            return FAILED;
        }
        Thread hook = new Thread(session::close, "mirage-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread main = Thread.ofVirtual().name(appName).start(() -> {
                try {
                    app.start(session.devices());
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            main.join();
            Throwable t = failure.get();
            if (t instanceof ConfigException ce) {
                err.println(appName + ": " + ce.getMessage());
                return USAGE;
            }
            if (t != null) {
                err.println(appName + ": failed: " + t);
                t.printStackTrace(err);
                return FAILED;
            }
            session.awaitServices();
            return OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        } finally {
            session.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }

    static String backendProblem(List<Backend> backends) {
        if (backends.isEmpty()) {
            return "no MirageJ backend is on the class path. Add exactly one backend to your pom,"
                    + " for example <dependency><groupId>io.miragej</groupId>"
                    + "<artifactId>mirage-unix</artifactId></dependency> to run on Linux.";
        }
        StringBuilder b = new StringBuilder("found " + backends.size()
                + " MirageJ backends on the class path, and exactly one is needed:");
        for (Backend be : backends) {
            b.append("\n  - ").append(be.name()).append(" (").append(be.coordinates()).append(", from ")
                    .append(origin(be.getClass())).append(")");
        }
        b.append("\nRemove all but one of these dependencies from your pom.");
        return b.toString();
    }

    private static String origin(Class<?> c) {
        CodeSource src = c.getProtectionDomain().getCodeSource();
        if (src == null || src.getLocation() == null) {
            return c.getName();
        }
        try {
            return Path.of(src.getLocation().toURI()).getFileName().toString();
        } catch (Exception e) {
            return src.getLocation().toString();
        }
    }

    /** The keys of the application, the backend and every library, by who declares them. */
    static Map<String, List<Key<?>>> keyGroups(Unikernel app, Backend backend) {
        Map<String, List<Key<?>>> groups = new LinkedHashMap<>();
        groups.put(app.name(), app.keys());
        groups.put(backend.name() + " backend", backend.keys());
        for (KeySet set : ServiceLoader.load(KeySet.class)) {
            groups.computeIfAbsent(set.owner(), o -> new ArrayList<>()).addAll(set.keys());
        }
        return groups;
    }

    static String help(String appName, Map<String, List<Key<?>>> groups) {
        StringBuilder b = new StringBuilder();
        b.append("Usage: ").append(appName).append(" [--key=value ...]\n");
        for (var e : groups.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            b.append('\n').append(e.getKey()).append(":\n");
            for (Key<?> k : e.getValue()) {
                String left = "  --" + k.name() + "=" + k.metavar();
                b.append(left);
                b.append(left.length() < 30 ? " ".repeat(30 - left.length()) : "\n" + " ".repeat(30));
                b.append(k.doc());
                if (k.isRepeatable()) {
                    b.append(" (may be repeated)");
                } else if (k.defaultValue() != null) {
                    b.append(" (default: ").append(k.defaultValue()).append(')');
                } else {
                    b.append(" (no default)");
                }
                b.append('\n');
            }
        }
        b.append("\n  --help                      print this list and exit\n");
        return b.toString();
    }
}
