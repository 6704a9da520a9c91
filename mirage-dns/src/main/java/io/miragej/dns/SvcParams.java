package io.miragej.dns;

import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/** The SvcParams of SVCB and HTTPS records (RFC 9460 §2.1, §7): presentation and wire forms. */
final class SvcParams {
    private SvcParams() {}

    private static final String[] KEYS = {"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint",
        "ech", "ipv6hint", "dohpath"};

    static String keyName(int key) {
        return key < KEYS.length ? KEYS[key] : "key" + key;
    }

    static int keyNumber(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < KEYS.length; i++) {
            if (KEYS[i].equals(n)) {
                return i;
            }
        }
        if (n.startsWith("key") && n.length() > 3 && n.length() <= 8
                && n.substring(3).chars().allMatch(c -> c >= '0' && c <= '9')) {
            int v = Integer.parseInt(n.substring(3));
            if (v <= 65535) {
                return v;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a SvcParam key: use one of "
                + String.join(", ", KEYS) + " or keyNNNNN");
    }

    /** Appends the presentation of well-formed params {@code d[from, to)}. */
    static void present(StringBuilder sb, byte[] d, int from, int to) {
        int p = from;
        boolean first = true;
        while (p < to) {
            int key = ((d[p] & 0xff) << 8) | (d[p + 1] & 0xff);
            int len = ((d[p + 2] & 0xff) << 8) | (d[p + 3] & 0xff);
            int v = p + 4;
            int e = v + len;
            if (!first) {
                sb.append(' ');
            }
            first = false;
            sb.append(keyName(key));
            switch (key) {
                case 0 -> {
                    if (len == 0 || len % 2 != 0) {
                        throw new IllegalArgumentException("bad mandatory");
                    }
                    sb.append('=');
                    for (int q = v; q < e; q += 2) {
                        if (q > v) {
                            sb.append(',');
                        }
                        sb.append(keyName(((d[q] & 0xff) << 8) | (d[q + 1] & 0xff)));
                    }
                }
                case 1 -> {
                    if (len == 0) {
                        throw new IllegalArgumentException("bad alpn");
                    }
                    StringBuilder ids = new StringBuilder();
                    int q = v;
                    while (q < e) {
                        int l = d[q] & 0xff;
                        if (l == 0 || q + 1 + l > e) {
                            throw new IllegalArgumentException("bad alpn");
                        }
                        if (q > v) {
                            ids.append(',');
                        }
                        for (int k = q + 1; k < q + 1 + l; k++) {
                            int b = d[k] & 0xff;
                            if (b == ',' || b == '\\') {
                                ids.append('\\').append((char) b); // list escape; appendQuoted escapes it again
                            } else {
                                ids.append((char) b);
                            }
                        }
                        q += 1 + l;
                    }
                    byte[] bytes = new byte[ids.length()];
                    for (int k = 0; k < bytes.length; k++) {
                        bytes[k] = (byte) ids.charAt(k);
                    }
                    sb.append('=');
                    appendRaw(sb, bytes);
                }
                case 2 -> {
                    if (len != 0) {
                        throw new IllegalArgumentException("bad no-default-alpn");
                    }
                }
                case 3 -> {
                    if (len != 2) {
                        throw new IllegalArgumentException("bad port");
                    }
                    sb.append('=').append(((d[v] & 0xff) << 8) | (d[v + 1] & 0xff));
                }
                case 4, 6 -> {
                    int size = key == 4 ? 4 : 16;
                    if (len == 0 || len % size != 0) {
                        throw new IllegalArgumentException("bad hint");
                    }
                    sb.append('=');
                    for (int q = v; q < e; q += size) {
                        if (q > v) {
                            sb.append(',');
                        }
                        byte[] a = Arrays.copyOfRange(d, q, q + size);
                        sb.append(size == 4 ? Ipv4Address.of(a) : Ipv6Address.of(a));
                    }
                }
                case 5 -> sb.append('=').append(Base64.getEncoder().encodeToString(Arrays.copyOfRange(d, v, e)));
                default -> {
                    if (len > 0) {
                        sb.append('=');
                        appendRaw(sb, Arrays.copyOfRange(d, v, e));
                    }
                }
            }
            p = e;
        }
    }

    /** A value as a quoted string with escapes. */
    private static void appendRaw(StringBuilder sb, byte[] b) {
        Rdata.appendQuoted(sb, b, 0, b.length);
    }

    /** Parses {@code key[=value]} tokens into wire form, sorted by key (RFC 9460 §2.2). */
    static byte[] parse(List<String> tokens) {
        TreeMap<Integer, byte[]> params = new TreeMap<>();
        for (String tok : tokens) {
            int eq = tok.indexOf('=');
            String name = eq < 0 ? tok : tok.substring(0, eq);
            int key = keyNumber(name);
            byte[] raw = eq < 0 ? null : CharString.decode(tok.substring(eq + 1), 65535);
            String text = raw == null ? null : new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1);
            byte[] value = switch (key) {
                case 0 -> {
                    need(text, name);
                    java.util.TreeSet<Integer> keys = new java.util.TreeSet<>();
                    for (String k : text.split(",", -1)) {
                        if (!keys.add(keyNumber(k))) {
                            throw new IllegalArgumentException("mandatory lists " + k + " twice");
                        }
                    }
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    for (int n : keys) { // sorted on the wire (RFC 9460 §8)
                        o.write(n >>> 8);
                        o.write(n);
                    }
                    yield o.toByteArray();
                }
                case 1 -> {
                    need(text, name);
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    for (String id : splitList(text)) {
                        if (id.isEmpty() || id.length() > 255) {
                            throw new IllegalArgumentException("an alpn id is 1-255 bytes");
                        }
                        o.write(id.length());
                        for (int k = 0; k < id.length(); k++) {
                            o.write(id.charAt(k));
                        }
                    }
                    yield o.toByteArray();
                }
                case 2 -> {
                    if (raw != null && raw.length > 0) {
                        throw new IllegalArgumentException("no-default-alpn takes no value");
                    }
                    yield new byte[0];
                }
                case 3 -> {
                    need(text, name);
                    int port = (int) Rdata.number(text, 0xffff);
                    yield new byte[] {(byte) (port >>> 8), (byte) port};
                }
                case 4, 6 -> {
                    need(text, name);
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    for (String a : text.split(",", -1)) {
                        o.writeBytes(key == 4 ? Ipv4Address.parse(a).toBytes() : Ipv6Address.parse(a).toBytes());
                    }
                    yield o.toByteArray();
                }
                case 5 -> {
                    need(text, name);
                    try {
                        yield Base64.getDecoder().decode(text);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("ech is not base64");
                    }
                }
                default -> raw == null ? new byte[0] : raw;
            };
            if (params.put(key, value) != null) {
                throw new IllegalArgumentException("SvcParam " + keyName(key) + " is given twice");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        params.forEach((k, v) -> {
            if (v.length > 65535) {
                throw new IllegalArgumentException("SvcParam " + keyName(k) + " is too long");
            }
            out.write(k >>> 8);
            out.write(k);
            out.write(v.length >>> 8);
            out.write(v.length);
            out.writeBytes(v);
        });
        return out.toByteArray();
    }

    private static void need(String text, String name) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("SvcParam " + name + " needs a value");
        }
    }

    /** Splits a comma-separated list where {@code \,} and {@code \\} escape (RFC 9460 App. A.1). */
    private static List<String> splitList(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                cur.append(text.charAt(++i));
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
