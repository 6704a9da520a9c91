package io.miragej.platform;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The values given for declared {@link Key}s, parsed from {@code --key=value} arguments. Every
 * value is checked against its key when the arguments are parsed, so an application never starts
 * with a bad one.
 */
public final class Config {
    private final Map<String, Key<?>> declared;
    private final Map<String, List<String>> given;

    private Config(Map<String, Key<?>> declared, Map<String, List<String>> given) {
        this.declared = declared;
        this.given = given;
    }

    /**
     * Parses {@code args} against the {@code declared} keys.
     *
     * @throws ConfigException for an unknown key, a bad value, a value missing, or a
     *     non-repeatable key given twice; the message names the key and what is accepted
     */
    public static Config parse(Collection<Key<?>> declared, List<String> args) {
        Map<String, Key<?>> keys = new LinkedHashMap<>();
        for (Key<?> k : declared) {
            Key<?> before = keys.putIfAbsent(k.name(), k);
            if (before != null && !before.accepted().equals(k.accepted())) {
                throw new IllegalStateException("two keys are called --" + k.name()
                        + " but take different values (" + before.accepted() + "; " + k.accepted()
                        + "); rename one of them");
            }
        }
        Map<String, List<String>> given = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.equals("--help")) {
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("unexpected argument '" + arg
                        + "': configuration is given as --key=value");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            Key<?> key = keys.get(name);
            if (key == null) {
                // The value is not repeated: it may be a secret given under a misspelt name.
                List<String> known = new ArrayList<>();
                for (String n : keys.keySet()) {
                    known.add("--" + n);
                }
                throw new ConfigException("unknown key --" + name + "; known keys: " + String.join(", ", known));
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (key.metavar().equals("true|false")) {
                value = "true";
            } else {
                throw new ConfigException("--" + name + " needs a value: --" + name + "="
                        + key.metavar() + ", where " + key.metavar() + " is " + key.accepted());
            }
            key.parse(value); // fails here, before start-up, naming key, value and what is accepted
            List<String> values = given.computeIfAbsent(name, n -> new ArrayList<>());
            if (!values.isEmpty() && !key.isRepeatable()) {
                throw new ConfigException("--" + name + " is given twice ('" + key.shown(values.getFirst())
                        + "' and '" + key.shown(value) + "'); give it once");
            }
            values.add(value);
        }
        return new Config(keys, given);
    }

    /** A configuration of the declared keys with every one at its default. */
    public static Config defaults(Collection<Key<?>> declared) {
        return parse(declared, List.of());
    }

    /** True when the arguments contain {@code --help}. */
    public static boolean wantsHelp(List<String> args) {
        return args.contains("--help");
    }

    /**
     * The value given for {@code key}, else its default.
     *
     * @throws ConfigException when the key was not given and has no default
     */
    public <T> T get(Key<T> key) {
        return find(key).orElseThrow(() -> new ConfigException("--" + key.name() + " is required: --"
                + key.name() + "=" + key.metavar() + ", where " + key.metavar() + " is "
                + key.accepted() + " (" + key.doc() + ")"));
    }

    /** The value given for {@code key}, else its default, else empty. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(Key<T> key) {
        List<String> values = given.get(key.name());
        if (values == null) {
            return Optional.ofNullable(key.defaultValue());
        }
        if (key.isRepeatable()) {
            List<Object> all = new ArrayList<>();
            for (String v : values) {
                all.addAll((List<?>) key.parse(v));
            }
            return Optional.of((T) List.copyOf(all));
        }
        return Optional.of(key.parse(values.getFirst()));
    }

    /** True when {@code key} was given on the command line. */
    public boolean isSet(Key<?> key) {
        return given.containsKey(key.name());
    }

    /** The keys this configuration accepts. */
    public Collection<Key<?>> declared() {
        return declared.values();
    }
}
