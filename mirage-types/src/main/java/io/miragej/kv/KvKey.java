package io.miragej.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * A key in a key-value store: a path of segments, written {@code /a/b/c}. The root has no
 * segments. A segment is non-empty, is not {@code .} or {@code ..}, and holds no {@code /} and no
 * NUL, so every key maps safely onto a file system path.
 */
public record KvKey(List<String> segments) implements Comparable<KvKey> {
    public static final KvKey ROOT = new KvKey(List.of());

    public KvKey {
        segments = List.copyOf(segments);
        for (String s : segments) {
            checkSegment(s);
        }
    }

    /** Parses {@code /a/b}, {@code a/b}, or {@code /} (the root); repeated slashes are one. */
    public static KvKey parse(String path) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        return new KvKey(parts);
    }

    public static KvKey of(String... segments) {
        return new KvKey(List.of(segments));
    }

    private static void checkSegment(String s) {
        if (s.isEmpty() || s.equals(".") || s.equals("..") || s.indexOf('/') >= 0 || s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("'" + s + "' is not a valid key segment: segments are"
                    + " non-empty, not '.' or '..', and contain neither '/' nor NUL");
        }
    }

    /** This key with {@code segment} appended. */
    public KvKey child(String segment) {
        List<String> s = new ArrayList<>(segments);
        s.add(segment);
        return new KvKey(s);
    }

    /** The key one level up; the root is its own parent. */
    public KvKey parent() {
        return segments.isEmpty() ? this : new KvKey(segments.subList(0, segments.size() - 1));
    }

    /** The last segment, or "" for the root. */
    public String name() {
        return segments.isEmpty() ? "" : segments.getLast();
    }

    public boolean isRoot() {
        return segments.isEmpty();
    }

    /** True when this key is {@code other} or lies under it. */
    public boolean startsWith(KvKey other) {
        return segments.size() >= other.segments.size()
                && segments.subList(0, other.segments.size()).equals(other.segments);
    }

    @Override
    public int compareTo(KvKey o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return "/" + String.join("/", segments);
    }
}
