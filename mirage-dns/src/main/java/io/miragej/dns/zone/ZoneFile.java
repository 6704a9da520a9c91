package io.miragej.dns.zone;

import io.miragej.dns.Name;
import io.miragej.dns.Rdata;
import io.miragej.dns.Record;
import io.miragej.dns.RrClass;
import io.miragej.dns.RrType;
import io.miragej.dns.Ttl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Zone files, the master file format of RFC 1035 §5.1: {@code $ORIGIN}, {@code $INCLUDE} (with an
 * optional origin), {@code $TTL} (RFC 2308 §4), {@code @}, relative names, owners left blank to
 * repeat the previous one, TTL and class in either order, parentheses across lines, comments,
 * quoted strings, {@code \X} and {@code \DDD} escapes, TTLs with units (1h30m), every type {@link
 * Rdata} knows, and any type in the generic {@code \#} syntax of RFC 3597.
 *
 * <p>An error names the file and line and says what was wrong. The zone is then checked as {@link
 * Zone} describes.
 */
public final class ZoneFile {
    /** How deeply {@code $INCLUDE}s may nest, so that a file including itself fails cleanly. */
    public static final int MAX_INCLUDE_DEPTH = 16;

    private final List<Record> records = new ArrayList<>();
    private final List<Zone.Location> locations = new ArrayList<>();
    private Name lastOwner;
    private long defaultTtl = -1; // from $TTL
    private long lastTtl = -1; // the last TTL given explicitly
    private final String topFile;

    private ZoneFile(String topFile) {
        this.topFile = topFile;
    }

    /** Loads and checks the zone in {@code file}; relative names before any $ORIGIN are an error. */
    public static Zone load(Path file) throws ZoneException, IOException {
        return load(file, null);
    }

    /** Loads the zone in {@code file} with {@code origin} as the initial origin (may be null). */
    public static Zone load(Path file, Name origin) throws ZoneException, IOException {
        ZoneFile z = new ZoneFile(file.toString());
        z.include(file, origin, 0, null, 0);
        return Zone.of(z.records, z.locations, file.toString());
    }

    /**
     * Parses zone file text; {@code fileName} is used in error messages and {@code $INCLUDE}
     * paths are relative to the working directory.
     */
    public static Zone parse(String text, String fileName, Name origin) throws ZoneException {
        ZoneFile z = new ZoneFile(fileName);
        try {
            z.parseText(text, fileName, null, origin, 0);
        } catch (IOException e) {
            throw new ZoneException(fileName, 0, "cannot read an included file: " + e.getMessage());
        }
        return Zone.of(z.records, z.locations, fileName);
    }

    /**
     * The file as Latin-1 text, read 64 KB at a time: one read of the whole file would go through
     * a temporary native buffer of its size, which the JDK keeps for the reading thread afterwards
     * (2 MB held for a 100,000-name zone, measured).
     */
    private static String readText(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[64 * 1024];
            int n = 0;
            while (true) {
                if (n == b.length) {
                    if (b.length == Integer.MAX_VALUE - 8) {
                        throw new IOException(file + " is over 2 GB; split it with $INCLUDE");
                    }
                    b = java.util.Arrays.copyOf(b, (int) Math.min(Integer.MAX_VALUE - 8, 2L * b.length));
                }
                int r = in.read(b, n, Math.min(64 * 1024, b.length - n));
                if (r < 0) {
                    return new String(b, 0, n, StandardCharsets.ISO_8859_1);
                }
                n += r;
            }
        }
    }

    private void include(Path file, Name origin, int depth, String from, int fromLine)
            throws ZoneException, IOException {
        String text;
        try {
            text = readText(file);
        } catch (NoSuchFileException e) {
            if (from == null) {
                throw new NoSuchFileException(file.toString(), null, "the zone file does not exist");
            }
            throw new ZoneException(from, fromLine, "$INCLUDE " + file + ": the file does not exist");
        }
        parseText(text, file.toString(), file.toAbsolutePath().getParent(), origin, depth);
    }

    private void parseText(String text, String file, Path dir, Name initialOrigin, int depth)
            throws ZoneException, IOException {
        Lexer lexer = new Lexer(text, file);
        Name origin = initialOrigin;
        List<String> tokens = new ArrayList<>();
        while (true) {
            tokens.clear();
            Lexer.Line line = lexer.next(tokens);
            if (line == null) {
                return;
            }
            int lineNo = line.number();
            String first = tokens.getFirst();
            if (!line.indented() && first.startsWith("$")) {
                String directive = first.toUpperCase(Locale.ROOT);
                switch (directive) {
                    case "$ORIGIN" -> {
                        need(tokens, 2, 2, file, lineNo, "$ORIGIN takes one name, like '$ORIGIN example.com.'");
                        origin = name(tokens.get(1), origin, file, lineNo);
                    }
                    case "$TTL" -> {
                        need(tokens, 2, 2, file, lineNo, "$TTL takes one TTL, like '$TTL 3600' or '$TTL 1h'");
                        defaultTtl = ttl(tokens.get(1), file, lineNo);
                    }
                    case "$INCLUDE" -> {
                        need(tokens, 2, 3, file, lineNo, "$INCLUDE takes a file and optionally an origin");
                        if (depth + 1 > MAX_INCLUDE_DEPTH) {
                            throw new ZoneException(file, lineNo, "$INCLUDE nests deeper than "
                                    + MAX_INCLUDE_DEPTH + " files; does a file include itself?");
                        }
                        String f = tokens.get(1);
                        if (f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"")) {
                            f = f.substring(1, f.length() - 1);
                        }
                        Path p;
                        try {
                            p = dir == null ? Path.of(f) : dir.resolve(f);
                        } catch (java.nio.file.InvalidPathException e) {
                            throw new ZoneException(file, lineNo, "$INCLUDE " + f + ": not a file name ("
                                    + e.getReason() + ")");
                        }
                        Name incOrigin = tokens.size() == 3 ? name(tokens.get(2), origin, file, lineNo) : origin;
                        Name savedOwner = lastOwner;
                        include(p, incOrigin, depth + 1, file, lineNo);
                        lastOwner = savedOwner; // RFC 1035 §5.1: the origin and owner return to their values
                    }
                    default -> throw new ZoneException(file, lineNo, "unknown directive " + first
                            + ": the directives are $ORIGIN, $TTL and $INCLUDE"
                            + (directive.equals("$GENERATE") ? " ($GENERATE is a BIND extension not supported here)" : ""));
                }
                continue;
            }
            record(tokens, line.indented(), origin, file, lineNo);
        }
    }

    private void record(List<String> tokens, boolean indented, Name origin, String file, int lineNo)
            throws ZoneException {
        int i = 0;
        Name owner;
        if (indented) {
            if (lastOwner == null) {
                throw new ZoneException(file, lineNo, "the line starts with a blank, which repeats the previous"
                        + " owner, but there is none yet; give an owner name in the first column");
            }
            owner = lastOwner;
        } else {
            owner = name(tokens.get(i++), origin, file, lineNo);
        }
        long ttl = -1;
        int rrClass = -1;
        int type = -1;
        while (i < tokens.size() && type < 0) {
            String t = tokens.get(i++);
            char c0 = t.charAt(0);
            if (c0 >= '0' && c0 <= '9') {
                if (ttl >= 0) {
                    throw new ZoneException(file, lineNo, "two TTLs ('" + ttl + "' and '" + t + "')");
                }
                ttl = ttl(t, file, lineNo);
                continue;
            }
            int cls = RrClass.parse(t);
            if (cls >= 0 && rrClass < 0) {
                rrClass = cls;
                continue;
            }
            type = RrType.parse(t);
            if (type < 0) {
                throw new ZoneException(file, lineNo, "'" + t + "' is not a record type, TTL or class"
                        + (t.startsWith("\"") ? "" : "; types are mnemonics like A, MX, TXT or TYPEnnn (RFC 3597)"));
            }
        }
        if (type < 0) {
            throw new ZoneException(file, lineNo, "the record has no type; a record is"
                    + " 'owner [TTL] [class] TYPE data'");
        }
        if (rrClass >= 0 && rrClass != RrClass.IN) {
            throw new ZoneException(file, lineNo, "class " + RrClass.toString(rrClass)
                    + " is not served; only IN zones are");
        }
        if (RrType.isMeta(type)) {
            throw new ZoneException(file, lineNo, RrType.toString(type)
                    + " is a query type or pseudo-record, not data a zone holds");
        }
        Rdata rdata;
        try {
            rdata = Rdata.parse(type, tokens.subList(i, tokens.size()), origin == null ? null : origin);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            if (origin == null && msg != null && msg.contains("no origin")) {
                msg += "; add '$ORIGIN example.com.' before it or end names with a dot";
            }
            throw new ZoneException(file, lineNo, msg);
        }
        if (ttl < 0) {
            if (defaultTtl >= 0) {
                ttl = defaultTtl;
            } else if (lastTtl >= 0) {
                ttl = lastTtl;
            } else if (type == RrType.SOA) {
                ttl = rdata.numberField(6); // the old default: the SOA minimum (RFC 1035 §3.3.13)
            } else {
                throw new ZoneException(file, lineNo, "the record has no TTL and no $TTL is in force;"
                        + " add '$TTL 3600' at the top of the file or give the record a TTL");
            }
        } else {
            lastTtl = ttl;
        }
        if (defaultTtl < 0 && lastTtl < 0 && type == RrType.SOA) {
            lastTtl = ttl;
        }
        lastOwner = owner;
        records.add(new Record(owner, RrClass.IN, ttl, rdata));
        locations.add(new Zone.Location(file, lineNo));
    }

    private static void need(List<String> tokens, int min, int max, String file, int line, String usage)
            throws ZoneException {
        if (tokens.size() < min || tokens.size() > max) {
            throw new ZoneException(file, line, usage);
        }
    }

    private static Name name(String text, Name origin, String file, int line) throws ZoneException {
        if (text.startsWith("\"")) {
            throw new ZoneException(file, line, "a name cannot be quoted: " + text);
        }
        try {
            return Name.parse(text, origin);
        } catch (IllegalArgumentException e) {
            String hint = origin == null && !text.endsWith(".")
                    ? "; '" + text + "' is relative: add '$ORIGIN example.com.' before it or end it with a dot" : "";
            throw new ZoneException(file, line, e.getMessage() + hint);
        }
    }

    private static long ttl(String text, String file, int line) throws ZoneException {
        try {
            return Ttl.parseTtl(text);
        } catch (IllegalArgumentException e) {
            throw new ZoneException(file, line, e.getMessage());
        }
    }

    /** The zone in zone file form: {@code $ORIGIN}, then one absolute record per line, SOA first. */
    public static String write(Zone zone) {
        StringBuilder sb = new StringBuilder();
        sb.append("$ORIGIN ").append(zone.name()).append('\n');
        for (Record r : zone.records()) {
            sb.append(r).append('\n');
        }
        return sb.toString();
    }

    /** Splits zone file text into logical lines of raw tokens (RFC 1035 §5.1). */
    static final class Lexer {
        record Line(int number, boolean indented) {}

        private final String text;
        private final String file;
        private int pos;
        private int line = 1;

        Lexer(String text, String file) {
            this.text = text;
            this.file = file;
        }

        /** Fills {@code out} with the next non-empty logical line's tokens; null at the end. */
        Line next(List<String> out) throws ZoneException {
            while (pos < text.length()) {
                int startLine = line;
                boolean indented = text.charAt(pos) == ' ' || text.charAt(pos) == '\t';
                int parens = 0;
                int parenLine = 0;
                StringBuilder tok = new StringBuilder();
                boolean inTok = false;
                boolean inQuote = false;
                while (pos < text.length()) {
                    char c = text.charAt(pos);
                    if (c == '\n' && !inQuote) {
                        line++;
                        pos++;
                        if (inTok) {
                            out.add(tok.toString());
                            tok.setLength(0);
                            inTok = false;
                        }
                        if (parens == 0) {
                            break;
                        }
                        continue;
                    }
                    pos++;
                    if (inQuote) {
                        if (c == '\n') {
                            throw new ZoneException(file, line, "a quoted string runs past the end of the line");
                        }
                        tok.append(c);
                        if (c == '\\' && pos < text.length()) {
                            tok.append(text.charAt(pos++));
                        } else if (c == '"') {
                            inQuote = false;
                        }
                        continue;
                    }
                    switch (c) {
                        case '\\' -> {
                            tok.append(c);
                            if (pos < text.length() && text.charAt(pos) != '\n') {
                                tok.append(text.charAt(pos++));
                            }
                            inTok = true;
                        }
                        case '"' -> {
                            tok.append(c);
                            inQuote = true;
                            inTok = true;
                        }
                        case ';' -> {
                            while (pos < text.length() && text.charAt(pos) != '\n') {
                                pos++;
                            }
                        }
                        case '(', ')', ' ', '\t', '\r' -> {
                            if (inTok) {
                                out.add(tok.toString());
                                tok.setLength(0);
                                inTok = false;
                            }
                            if (c == '(') {
                                if (parens == 0) {
                                    parenLine = line;
                                }
                                parens++;
                            } else if (c == ')') {
                                if (parens == 0) {
                                    throw new ZoneException(file, line, "')' without a matching '('");
                                }
                                parens--;
                            }
                        }
                        default -> {
                            tok.append(c);
                            inTok = true;
                        }
                    }
                }
                if (inQuote) {
                    throw new ZoneException(file, line, "a quoted string is not closed");
                }
                if (inTok) {
                    out.add(tok.toString());
                }
                if (parens > 0) {
                    throw new ZoneException(file, parenLine, "'(' is never closed");
                }
                if (!out.isEmpty()) {
                    return new Line(startLine, indented);
                }
            }
            return null;
        }
    }
}
