package io.miragej.platform;

import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv4Prefix;
import io.miragej.net.Ipv6Prefix;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * A typed configuration key, given on the command line as {@code --name=value}: its name, the
 * type of its value, a default and a one-line doc. Libraries and applications declare keys as
 * constants; {@code --help} lists them all, and a bad value stops start-up with a message naming
 * the key, the value and what is accepted. Values are read from a {@link Config}.
 *
 * <p>A key without a default ({@code null}) is optional: {@link Config#find} answers empty when
 * it was not given, and {@link Config#get} fails naming the key. A {@link #repeatable()} key may
 * be given several times and yields the list of values.
 */
public final class Key<T> {

    private final String name;
    private final String metavar;
    private final String accepted;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final String doc;
    private final boolean repeatable;
    private final boolean secret;

    /**
     * Whether {@code name} is {@code [a-z][a-z0-9]*(-[a-z0-9]+)*}, checked by hand: every
     * application declares keys at start-up, and a regular expression would load its engine then.
     */
    static boolean isKeyName(String name) {
        int n = name.length();
        if (n == 0 || name.charAt(0) < 'a' || name.charAt(0) > 'z' || name.charAt(n - 1) == '-') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = name.charAt(i);
            boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!word && !(c == '-' && name.charAt(i - 1) != '-')) {
                return false;
            }
        }
        return true;
    }

    private Key(String name, String metavar, String accepted, T defaultValue,
            Function<String, T> parser, String doc, boolean repeatable) {
        this(name, metavar, accepted, defaultValue, parser, doc, repeatable, false);
    }

    private Key(String name, String metavar, String accepted, T defaultValue,
            Function<String, T> parser, String doc, boolean repeatable, boolean secret) {
        if (!isKeyName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a key name: use lowercase"
                    + " letters and digits in words joined by '-', like ipv4-gateway");
        }
        this.name = name;
        this.metavar = Objects.requireNonNull(metavar);
        this.accepted = Objects.requireNonNull(accepted);
        this.defaultValue = defaultValue;
        this.parser = Objects.requireNonNull(parser);
        this.doc = Objects.requireNonNull(doc);
        this.repeatable = repeatable;
        this.secret = secret;
    }

    /**
     * A key of any type. {@code parser} turns text into a value, throwing {@link
     * IllegalArgumentException} for text it does not accept; {@code accepted} describes what it
     * accepts ("an integer 1-65535"); {@code metavar} names the value in help ("PORT").
     */
    public static <T> Key<T> of(String name, String metavar, String accepted, T defaultValue,
            Function<String, T> parser, String doc) {
        return new Key<>(name, metavar, accepted, defaultValue, parser, doc, false);
    }

    public static Key<Integer> integer(String name, Integer defaultValue, int min, int max, String doc) {
        String accepted = "an integer " + min + "-" + max;
        return of(name, "N", accepted, defaultValue, text -> {
            int v;
            try {
                v = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an integer");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("out of range");
            }
            return v;
        }, doc);
    }

    /** A TCP or UDP port, 0-65535. */
    public static Key<Integer> port(String name, Integer defaultValue, String doc) {
        Key<Integer> k = integer(name, defaultValue, 0, 65535, doc);
        return new Key<>(name, "PORT", "a port number 0-65535", defaultValue, k.parser, doc, false);
    }

    public static Key<String> string(String name, String defaultValue, String doc) {
        return of(name, "TEXT", "any text", defaultValue, Function.identity(), doc);
    }

    /** true or false; {@code --name} alone means true. */
    public static Key<Boolean> flag(String name, boolean defaultValue, String doc) {
        return of(name, "true|false", "true or false", defaultValue, text -> switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        }, doc);
    }

    /** One of a fixed set of words. */
    public static Key<String> choice(String name, String defaultValue, String doc, String... choices) {
        List<String> options = List.of(choices);
        String accepted = "one of " + String.join(", ", options);
        return of(name, String.join("|", options), accepted, defaultValue, text -> {
            if (!options.contains(text)) {
                throw new IllegalArgumentException("not a choice");
            }
            return text;
        }, doc);
    }

    /** A duration such as {@code 250ms}, {@code 30s}, {@code 5m} or {@code 1h}. */
    public static Key<Duration> duration(String name, Duration defaultValue, String doc) {
        return of(name, "DURATION", "a duration: a whole number followed by ms, s, m or h, like 30s",
                defaultValue, Key::parseDuration, doc);
    }

    /** A size in bytes: a whole number with an optional binary unit K, M, G or T, like 64M. */
    public static Key<Long> size(String name, Long defaultValue, String doc) {
        return of(name, "SIZE", "a size in bytes: a whole number, optionally followed by K, M, G or T (binary), like 64M",
                defaultValue, Key::parseSize, doc);
    }

    static long parseSize(String text) {
        if (text.isEmpty() || text.length() > 20) {
            throw new IllegalArgumentException("not a size");
        }
        char last = Character.toUpperCase(text.charAt(text.length() - 1));
        int shift = switch (last) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? text : text.substring(0, text.length() - 1);
        if (digits.isEmpty() || digits.length() > 15 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a size");
        }
        long n = Long.parseLong(digits);
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("too large");
        }
        return n << shift;
    }

    public static Key<Path> path(String name, Path defaultValue, String doc) {
        return of(name, "FILE", "a file system path", defaultValue, text -> {
            if (text.isEmpty() || text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("not a path");
            }
            return Path.of(text);
        }, doc);
    }

    public static Key<IpAddress> ipAddress(String name, IpAddress defaultValue, String doc) {
        return of(name, "ADDR", "an IPv4 or IPv6 address, like 192.0.2.1 or 2001:db8::1",
                defaultValue, IpAddress::parse, doc);
    }

    public static Key<Ipv4Address> ipv4Address(String name, Ipv4Address defaultValue, String doc) {
        return of(name, "ADDR", "an IPv4 address, like 192.0.2.1", defaultValue, Ipv4Address::parse, doc);
    }

    public static Key<Ipv4Prefix> ipv4Prefix(String name, Ipv4Prefix defaultValue, String doc) {
        return of(name, "ADDR/PREFIX", "an IPv4 address and prefix length, like 10.0.0.2/24",
                defaultValue, Ipv4Prefix::parse, doc);
    }

    public static Key<Ipv6Prefix> ipv6Prefix(String name, Ipv6Prefix defaultValue, String doc) {
        return of(name, "ADDR/PREFIX", "an IPv6 address and prefix length, like 2001:db8::2/64",
                defaultValue, Ipv6Prefix::parse, doc);
    }

    public static Key<Endpoint> endpoint(String name, Endpoint defaultValue, String doc) {
        return of(name, "ADDR:PORT", "an address and port, like 192.0.2.1:53 or [2001:db8::1]:53",
                defaultValue, Endpoint::parse, doc);
    }

    /** This key, accepted any number of times; its value is the list given (default: empty). */
    public Key<List<T>> repeatable() {
        if (repeatable) {
            throw new IllegalStateException(name + " is already repeatable");
        }
        Function<String, List<T>> single = text -> List.of(parser.apply(text));
        return new Key<>(name, metavar, accepted, List.of(), single, doc, true, secret);
    }

    /**
     * This key, with values that must not be repeated back: keys, passwords. Errors about it name
     * the key and what it takes, never the text given.
     */
    public Key<T> secret() {
        return new Key<>(name, metavar, accepted, defaultValue, parser, doc, repeatable, true);
    }

    /** Whether values of this key are kept out of messages ({@link #secret()}). */
    public boolean isSecret() {
        return secret;
    }

    /** {@code text} as messages may show it: itself, or a placeholder for a {@link #secret()} key. */
    String shown(String text) {
        return secret ? "(hidden)" : text;
    }

    static Duration parseDuration(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        String unit;
        if (t.endsWith("ms")) {
            unit = "ms";
        } else if (t.endsWith("s") || t.endsWith("m") || t.endsWith("h")) {
            unit = t.substring(t.length() - 1);
        } else {
            throw new IllegalArgumentException("no unit");
        }
        String digits = t.substring(0, t.length() - unit.length());
        if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a number");
        }
        long n = Long.parseLong(digits);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /**
     * Parses one occurrence of {@code --name=text}.
     *
     * @throws ConfigException naming the key, the value and what is accepted
     */
    public T parse(String text) {
        try {
            T v = parser.apply(text);
            if (v == null) {
                throw new IllegalArgumentException("no value");
            }
            return v;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--" + name + "=" + shown(text) + " is not accepted: --" + name
                    + " takes " + accepted + " (" + doc + ")");
        }
    }

    /** The public and package-private static {@code Key} constants declared in {@code type}. */
    public static List<Key<?>> declaredIn(Class<?> type) {
        List<Key<?>> keys = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == Key.class) {
                try {
                    if (!f.canAccess(null)) {
                        f.setAccessible(true);
                    }
                    keys.add((Key<?>) f.get(null));
                } catch (IllegalAccessException | InaccessibleObjectException e) {
                    throw new IllegalStateException("cannot read the configuration key " + type.getName()
                            + "." + f.getName() + ": make it public, or open its package to"
                            + " io.miragej.types in module-info.java, or list it in keys()", e);
                }
            }
        }
        return keys;
    }

    public String name() {
        return name;
    }

    /** How the value is named in help, like PORT or ADDR/PREFIX. */
    public String metavar() {
        return metavar;
    }

    /** What values are accepted, in words. */
    public String accepted() {
        return accepted;
    }

    /** The default, or null when the key has none. */
    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    public boolean isRepeatable() {
        return repeatable;
    }

    @Override
    public String toString() {
        return "--" + name;
    }
}
