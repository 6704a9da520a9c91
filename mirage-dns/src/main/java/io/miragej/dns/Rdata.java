package io.miragej.dns;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.AddressFormatException;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import java.io.ByteArrayOutputStream;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data of one resource record: its type and its RDATA in uncompressed wire form, names in the
 * case they came with. Every type is carried faithfully: the types this library knows (see {@link
 * Schema}) are checked field by field, and their embedded names are decompressed on receipt and
 * compressed when sent where RFC 3597 §4 allows; any other type is opaque bytes, written in zone
 * files as {@code \# length hex} (RFC 3597 §5). Immutable.
 *
 * <p>Two RDATA are equal when their canonical forms are (RFC 4034 §6.2: embedded names of the
 * older types compare without case).
 */
public final class Rdata {
    /** Greatest RDATA length (RDLENGTH is 16 bits). */
    public static final int MAX_LENGTH = 65535;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final int type;
    private final byte[] data;
    private int hash;

    private Rdata(int type, byte[] data) {
        this.type = type;
        this.data = data;
    }

    public int type() {
        return type;
    }

    /** Length of the uncompressed RDATA. */
    public int length() {
        return data.length;
    }

    /** A copy of the uncompressed RDATA. */
    public byte[] toWire() {
        return data.clone();
    }

    byte[] data() {
        return data;
    }

    // ---- construction ----

    /**
     * RDATA of {@code type} from its uncompressed wire form.
     *
     * @throws IllegalArgumentException when a known type's fields do not fill it exactly
     */
    public static Rdata of(int type, byte[] uncompressed) {
        if (type < 0 || type > 0xffff || uncompressed.length > MAX_LENGTH) {
            throw new IllegalArgumentException("type " + type + " or length " + uncompressed.length
                    + " out of range");
        }
        Field[] schema = Schema.of(type);
        if (schema != null) {
            String problem = check(schema, uncompressed);
            if (problem != null) {
                throw new IllegalArgumentException(RrType.toString(type) + " data: " + problem);
            }
        }
        return new Rdata(type, uncompressed.clone());
    }

    /** An A record's data. */
    public static Rdata a(Ipv4Address address) {
        return new Rdata(RrType.A, address.toBytes());
    }

    /** An AAAA record's data. */
    public static Rdata aaaa(Ipv6Address address) {
        return new Rdata(RrType.AAAA, address.toBytes());
    }

    /** Data holding just a name (NS, CNAME, PTR, DNAME). */
    public static Rdata name(int type, Name target) {
        return new Rdata(type, target.toWire());
    }

    /** SOA data (RFC 1035 §3.3.13). */
    public static Rdata soa(Name mname, Name rname, long serial, long refresh, long retry,
            long expire, long minimum) {
        byte[] d = new byte[mname.wireLength() + rname.wireLength() + 20];
        int p = mname.copyWire(d, 0);
        p += rname.copyWire(d, p);
        for (long v : new long[] {serial, refresh, retry, expire, minimum}) {
            putU32(d, p, v);
            p += 4;
        }
        return new Rdata(RrType.SOA, d);
    }

    /**
     * Decodes RDATA of {@code type} at {@code pos} of a message, {@code rdlength} bytes long,
     * decompressing embedded names (pointers may point anywhere earlier in the message).
     *
     * @param scratch 255 bytes for decoding names
     */
    public static Rdata decode(int type, PacketBuffer msg, int pos, int rdlength, byte[] scratch)
            throws DnsFormatException {
        int end = pos + rdlength;
        if (end > msg.length()) {
            throw new DnsFormatException("RDATA of " + rdlength + " bytes at byte " + pos
                    + " runs past the end of the message");
        }
        Field[] schema = Schema.of(type);
        byte[] out;
        if (schema == null || !hasNames(schema)) {
            out = new byte[rdlength];
            msg.getBytes(pos, out, 0, rdlength);
            if (schema != null) {
                String problem = check(schema, out);
                if (problem != null) {
                    throw new DnsFormatException(RrType.toString(type) + " RDATA at byte " + pos + ": " + problem);
                }
            }
            return new Rdata(type, out);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(rdlength + 32);
        int p = pos;
        for (Field f : schema) {
            if (f == Field.NAME || f == Field.NAME_COMPRESSED) {
                int r = NameCodec.decode(msg, p, scratch);
                if (r < 0) {
                    throw new DnsFormatException(NameCodec.describe(r) + " (in " + RrType.toString(type)
                            + " RDATA at byte " + pos + ")");
                }
                if (NameCodec.end(r) > end) {
                    throw new DnsFormatException("a name runs past the end of " + RrType.toString(type)
                            + " RDATA at byte " + pos);
                }
                b.write(scratch, 0, NameCodec.length(r));
                p = NameCodec.end(r);
            } else {
                byte[] rest = new byte[end - p];
                msg.getBytes(p, rest, 0, rest.length);
                int fe = fieldEnd(f, rest, 0, rest.length);
                if (fe < 0) {
                    throw new DnsFormatException(RrType.toString(type) + " RDATA at byte " + pos
                            + ": field " + f + " is malformed or truncated");
                }
                b.write(rest, 0, fe);
                p += fe;
            }
        }
        if (p != end) {
            throw new DnsFormatException(RrType.toString(type) + " RDATA at byte " + pos + " has "
                    + (end - p) + " bytes after its last field");
        }
        out = b.toByteArray();
        if (out.length > MAX_LENGTH) {
            throw new DnsFormatException(RrType.toString(type) + " RDATA is longer than 65535 bytes decompressed");
        }
        return new Rdata(type, out);
    }

    private static boolean hasNames(Field[] schema) {
        for (Field f : schema) {
            if (f == Field.NAME || f == Field.NAME_COMPRESSED) {
                return true;
            }
        }
        return false;
    }

    /** Null when {@code d} is exactly the fields of {@code schema}, else what is wrong. */
    private static String check(Field[] schema, byte[] d) {
        int p = 0;
        for (Field f : schema) {
            int e = fieldEnd(f, d, p, d.length);
            if (e < 0) {
                return "field " + f.name().toLowerCase(Locale.ROOT) + " at byte " + p + " is malformed or truncated";
            }
            p = e;
        }
        return p == d.length ? null : (d.length - p) + " bytes after the last field";
    }

    /** End of field {@code f} starting at {@code p} in uncompressed data, or -1 when malformed. */
    private static int fieldEnd(Field f, byte[] d, int p, int end) {
        switch (f) {
            case U8, ALGORITHM -> {
                return p + 1 <= end ? p + 1 : -1;
            }
            case U16, TYPE -> {
                return p + 2 <= end ? p + 2 : -1;
            }
            case U32, SECONDS, TIME, IPV4 -> {
                return p + 4 <= end ? p + 4 : -1;
            }
            case IPV6 -> {
                return p + 16 <= end ? p + 16 : -1;
            }
            case NAME, NAME_COMPRESSED -> {
                int q = p;
                int total = 0;
                while (q < end) {
                    int len = d[q] & 0xff;
                    if (len > Name.MAX_LABEL) {
                        return -1;
                    }
                    total += len + 1;
                    if (total > Name.MAX_LENGTH) {
                        return -1;
                    }
                    q += len + 1;
                    if (len == 0) {
                        return q <= end ? q : -1;
                    }
                }
                return -1;
            }
            case STRING, HEX8, BASE32_8, CAA_TAG -> {
                if (p >= end) {
                    return -1;
                }
                int q = p + 1 + (d[p] & 0xff);
                return q <= end ? q : -1;
            }
            case STRINGS -> {
                int q = p;
                if (q >= end) {
                    return -1;
                }
                while (q < end) {
                    q += 1 + (d[q] & 0xff);
                }
                return q == end ? q : -1;
            }
            case BASE64, HEX, CAA_VALUE -> {
                return end;
            }
            case BITMAP -> {
                int q = p;
                while (q < end) {
                    if (q + 2 > end) {
                        return -1;
                    }
                    int len = d[q + 1] & 0xff;
                    if (len < 1 || len > 32 || q + 2 + len > end) {
                        return -1;
                    }
                    q += 2 + len;
                }
                return end;
            }
            case SVC_PARAMS -> {
                int q = p;
                int last = -1;
                while (q < end) {
                    if (q + 4 > end) {
                        return -1;
                    }
                    int key = ((d[q] & 0xff) << 8) | (d[q + 1] & 0xff);
                    int len = ((d[q + 2] & 0xff) << 8) | (d[q + 3] & 0xff);
                    if (key <= last || q + 4 + len > end) {
                        return -1; // RFC 9460 §2.2: keys strictly increasing
                    }
                    last = key;
                    q += 4 + len;
                }
                return end;
            }
            default -> throw new AssertionError(f);
        }
    }

    // ---- encoding ----

    /** Writes the RDATA (without RDLENGTH), compressing names where the type allows it. */
    public void write(DnsWriter w) {
        Field[] schema = Schema.of(type);
        if (schema == null || !hasNames(schema)) {
            w.bytes(data);
            return;
        }
        int p = 0;
        for (Field f : schema) {
            int e = fieldEnd(f, data, p, data.length);
            if (f == Field.NAME_COMPRESSED || f == Field.NAME) {
                Name n = Name.ofCheckedWire(Arrays.copyOfRange(data, p, e));
                w.name(n, f == Field.NAME_COMPRESSED);
            } else {
                w.bytes(data, p, e - p);
            }
            p = e;
        }
    }

    // ---- fields, for the server and tools ----

    private int fieldStart(int index) {
        Field[] schema = Schema.of(type);
        if (schema == null || index >= schema.length) {
            throw new IllegalArgumentException(RrType.toString(type) + " has no field " + index);
        }
        int p = 0;
        for (int i = 0; i < index; i++) {
            p = fieldEnd(schema[i], data, p, data.length);
        }
        return p;
    }

    /** The name in field {@code index} (0 = first) of a known type, like the target of an MX (1). */
    public Name nameField(int index) {
        Field f = Schema.of(type)[index];
        if (f != Field.NAME && f != Field.NAME_COMPRESSED) {
            throw new IllegalArgumentException("field " + index + " of " + RrType.toString(type) + " is not a name");
        }
        int p = fieldStart(index);
        return Name.ofCheckedWire(Arrays.copyOfRange(data, p, fieldEnd(f, data, p, data.length)));
    }

    /** The unsigned number in field {@code index} of a known type. */
    public long numberField(int index) {
        Field f = Schema.of(type)[index];
        int p = fieldStart(index);
        return switch (f) {
            case U8, ALGORITHM -> data[p] & 0xff;
            case U16, TYPE -> ((data[p] & 0xff) << 8) | (data[p + 1] & 0xff);
            case U32, SECONDS, TIME -> getU32(data, p);
            default -> throw new IllegalArgumentException("field " + index + " of "
                    + RrType.toString(type) + " is not a number");
        };
    }

    /**
     * The name the record points at, for additional-section processing and delegations: NS,
     * CNAME, PTR, DNAME targets, the MX exchange, the SRV target, the SVCB/HTTPS target; else null.
     */
    public Name target() {
        return switch (type) {
            case RrType.NS, RrType.CNAME, RrType.PTR, RrType.DNAME -> nameField(0);
            case RrType.MX -> nameField(1);
            case RrType.SRV -> nameField(3);
            case RrType.SVCB, RrType.HTTPS -> nameField(1);
            default -> null;
        };
    }

    // ---- canonical form and equality ----

    /** The canonical form (RFC 4034 §6.2): embedded names lower-cased for the types that say so. */
    public byte[] canonical() {
        if (!Schema.namesCanonicallyLowercase(type)) {
            return data.clone();
        }
        byte[] c = data.clone();
        Field[] schema = Schema.of(type);
        int p = 0;
        for (Field f : schema) {
            int e = fieldEnd(f, c, p, c.length);
            if (f == Field.NAME || f == Field.NAME_COMPRESSED) {
                for (int i = p; i < e; i++) {
                    c[i] = (byte) Name.lower(c[i] & 0xff);
                }
            }
            p = e;
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Rdata r) || r.type != type || r.data.length != data.length) {
            return false;
        }
        return Schema.namesCanonicallyLowercase(type)
                ? Arrays.equals(canonical(), r.canonical())
                : Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = 31 * type + Arrays.hashCode(Schema.namesCanonicallyLowercase(type) ? canonical() : data);
            hash = h == 0 ? 1 : h;
        }
        return h;
    }

    // ---- presentation ----

    /**
     * Presentation format (RFC 1035 §5.1 and each type's RFC). Types without a known layout, and
     * data that a type's own syntax cannot express, are written in the generic form of RFC 3597
     * §5. Parsing the text back gives equal data.
     */
    @Override
    public String toString() {
        Field[] schema = Schema.of(type);
        if (schema != null) {
            try {
                String text = present(schema);
                if (Arrays.equals(parseFields(type, schema, tokenize(text), Name.ROOT), data)) {
                    return text;
                }
            } catch (RuntimeException e) {
                // fall back to the generic form
            }
        }
        return generic();
    }

    /** The generic form of RFC 3597 §5: {@code \# length hex}. */
    public String generic() {
        StringBuilder sb = new StringBuilder("\\# ").append(data.length);
        if (data.length > 0) {
            sb.append(' ').append(HEX.formatHex(data));
        }
        return sb.toString();
    }

    private String present(Field[] schema) {
        StringBuilder sb = new StringBuilder();
        int p = 0;
        for (Field f : schema) {
            int e = fieldEnd(f, data, p, data.length);
            int mark = sb.length();
            if (mark > 0) {
                sb.append(' ');
            }
            int start = sb.length();
            switch (f) {
                case U8, ALGORITHM -> sb.append(data[p] & 0xff);
                case U16 -> sb.append(((data[p] & 0xff) << 8) | (data[p + 1] & 0xff));
                case TYPE -> sb.append(RrType.toString(((data[p] & 0xff) << 8) | (data[p + 1] & 0xff)));
                case U32, SECONDS -> sb.append(getU32(data, p));
                case TIME -> sb.append(formatTime(getU32(data, p)));
                case IPV4 -> sb.append(Ipv4Address.of(Arrays.copyOfRange(data, p, p + 4)));
                case IPV6 -> sb.append(Ipv6Address.of(Arrays.copyOfRange(data, p, p + 16)));
                case NAME, NAME_COMPRESSED -> sb.append(Name.ofCheckedWire(Arrays.copyOfRange(data, p, e)));
                case STRING -> appendQuoted(sb, data, p + 1, e);
                case STRINGS -> {
                    int q = p;
                    while (q < e) {
                        if (q > p) {
                            sb.append(' ');
                        }
                        int len = data[q] & 0xff;
                        appendQuoted(sb, data, q + 1, q + 1 + len);
                        q += 1 + len;
                    }
                }
                case BASE64 -> sb.append(Base64.getEncoder().encodeToString(Arrays.copyOfRange(data, p, e)));
                case HEX -> sb.append(HEX.formatHex(data, p, e));
                case HEX8 -> sb.append(e == p + 1 ? "-" : HEX.formatHex(data, p + 1, e));
                case BASE32_8 -> sb.append(Base32Hex.encode(Arrays.copyOfRange(data, p + 1, e)));
                case BITMAP -> {
                    for (int t : TypeBitmap.types(data, p, e)) {
                        sb.append(RrType.toString(t)).append(' ');
                    }
                    if (sb.charAt(sb.length() - 1) == ' ') {
                        sb.setLength(sb.length() - 1);
                    }
                }
                case CAA_TAG -> {
                    for (int i = p + 1; i < e; i++) {
                        sb.append((char) (data[i] & 0xff));
                    }
                }
                case CAA_VALUE -> appendQuoted(sb, data, p, e);
                case SVC_PARAMS -> SvcParams.present(sb, data, p, e);
                default -> throw new AssertionError(f);
            }
            if (sb.length() == start) {
                sb.setLength(mark); // an empty field (empty bitmap or params) adds no space
            }
            p = e;
        }
        return sb.toString();
    }

    static void appendQuoted(StringBuilder sb, byte[] d, int from, int to) {
        sb.append('"');
        for (int i = from; i < to; i++) {
            int b = d[i] & 0xff;
            if (b == '"' || b == '\\') {
                sb.append('\\').append((char) b);
            } else if (b < 0x20 || b >= 0x7f) {
                sb.append('\\');
                if (b < 100) {
                    sb.append('0');
                }
                if (b < 10) {
                    sb.append('0');
                }
                sb.append(b);
            } else {
                sb.append((char) b);
            }
        }
        sb.append('"');
    }

    private static String formatTime(long seconds) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%04d%02d%02d%02d%02d%02d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
    }

    // ---- parsing presentation format ----

    /** Parses RDATA text for {@code type}; relative names get {@code origin}. */
    public static Rdata parse(int type, String text, Name origin) {
        return parse(type, tokenize(text), origin);
    }

    /**
     * Parses RDATA for {@code type} from tokens as a zone file splits them: quotes and escapes are
     * still in each token.
     *
     * @throws IllegalArgumentException saying which field is wrong and what it accepts
     */
    public static Rdata parse(int type, List<String> tokens, Name origin) {
        if (!tokens.isEmpty() && tokens.getFirst().equals("\\#")) {
            byte[] d = parseGeneric(tokens);
            return of(type, d);
        }
        Field[] schema = Schema.of(type);
        if (schema == null) {
            throw new IllegalArgumentException(RrType.toString(type) + " is not a type this server knows"
                    + " the syntax of: write its data in the generic form '\\# LENGTH HEX' (RFC 3597)");
        }
        return new Rdata(type, parseFields(type, schema, tokens, origin));
    }

    private static byte[] parseGeneric(List<String> tokens) {
        if (tokens.size() < 2) {
            throw new IllegalArgumentException("'\\#' must be followed by the data length and the data in hex");
        }
        int len;
        try {
            len = Integer.parseInt(tokens.get(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + tokens.get(1) + "' after '\\#' is not a length");
        }
        if (len < 0 || len > MAX_LENGTH) {
            throw new IllegalArgumentException("length " + len + " after '\\#' is outside 0-65535");
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 2; i < tokens.size(); i++) {
            hex.append(tokens.get(i));
        }
        byte[] d = parseHex(hex.toString(), "generic data");
        if (d.length != len) {
            throw new IllegalArgumentException("'\\# " + len + "' announces " + len + " bytes but "
                    + d.length + " follow");
        }
        return d;
    }

    private static byte[] parseFields(int type, Field[] schema, List<String> tokens, Name origin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int t = 0;
        String tn = RrType.toString(type);
        for (int i = 0; i < schema.length; i++) {
            Field f = schema[i];
            boolean rest = f == Field.STRINGS || f == Field.BASE64 || f == Field.HEX
                    || f == Field.BITMAP || f == Field.SVC_PARAMS;
            if (!rest && t >= tokens.size()) {
                throw new IllegalArgumentException(tn + " needs " + schema.length + " fields ("
                        + describe(schema) + "), only " + tokens.size() + " given");
            }
            String tok = rest ? null : tokens.get(t++);
            try {
                switch (f) {
                    case U8 -> out.write((int) number(tok, 0xff));
                    case ALGORITHM -> out.write(algorithm(tok));
                    case U16 -> writeU16(out, (int) number(tok, 0xffff));
                    case U32 -> writeU32(out, number(tok, 0xffff_ffffL));
                    case SECONDS -> writeU32(out, Ttl.parse(tok));
                    case TYPE -> {
                        int v = RrType.parse(tok);
                        if (v < 0) {
                            throw new IllegalArgumentException("'" + tok + "' is not a record type");
                        }
                        writeU16(out, v);
                    }
                    case TIME -> writeU32(out, parseTime(tok));
                    case IPV4 -> out.writeBytes(Ipv4Address.parse(tok).toBytes());
                    case IPV6 -> out.writeBytes(Ipv6Address.parse(tok).toBytes());
                    case NAME, NAME_COMPRESSED -> {
                        if (tok.startsWith("\"")) {
                            throw new IllegalArgumentException("a name cannot be quoted: " + tok);
                        }
                        out.writeBytes(Name.parse(tok, origin).wire());
                    }
                    case STRING -> writeString(out, tok);
                    case STRINGS -> {
                        if (t >= tokens.size()) {
                            throw new IllegalArgumentException(tn + " needs at least one string");
                        }
                        while (t < tokens.size()) {
                            writeString(out, tokens.get(t++));
                        }
                    }
                    case BASE64 -> {
                        StringBuilder b = new StringBuilder();
                        while (t < tokens.size()) {
                            b.append(tokens.get(t++));
                        }
                        try {
                            out.writeBytes(Base64.getDecoder().decode(b.toString()));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("'" + b + "' is not base64");
                        }
                    }
                    case HEX -> {
                        StringBuilder b = new StringBuilder();
                        while (t < tokens.size()) {
                            b.append(tokens.get(t++));
                        }
                        out.writeBytes(parseHex(b.toString(), "the " + tn + " data"));
                    }
                    case HEX8 -> {
                        byte[] b = tok.equals("-") ? new byte[0] : parseHex(tok, "the salt");
                        if (b.length > 255) {
                            throw new IllegalArgumentException("a salt is at most 255 bytes");
                        }
                        out.write(b.length);
                        out.writeBytes(b);
                    }
                    case BASE32_8 -> {
                        byte[] b = Base32Hex.decode(tok);
                        if (b.length > 255) {
                            throw new IllegalArgumentException("the hashed owner name is over 255 bytes");
                        }
                        out.write(b.length);
                        out.writeBytes(b);
                    }
                    case BITMAP -> {
                        List<Integer> types = new ArrayList<>();
                        while (t < tokens.size()) {
                            String s = tokens.get(t++);
                            int v = RrType.parse(s);
                            if (v < 0) {
                                throw new IllegalArgumentException("'" + s + "' is not a record type");
                            }
                            types.add(v);
                        }
                        out.writeBytes(TypeBitmap.encode(types));
                    }
                    case CAA_TAG -> {
                        if (tok.isEmpty() || tok.length() > 255 || !tok.chars().allMatch(
                                c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                            throw new IllegalArgumentException("a CAA tag is 1-255 letters and digits, got '" + tok + "'");
                        }
                        out.write(tok.length());
                        for (int k = 0; k < tok.length(); k++) {
                            out.write(tok.charAt(k));
                        }
                    }
                    case CAA_VALUE -> out.writeBytes(CharString.decode(tok, Integer.MAX_VALUE));
                    case SVC_PARAMS -> {
                        List<String> params = tokens.subList(t, tokens.size());
                        t = tokens.size();
                        out.writeBytes(SvcParams.parse(params));
                    }
                    default -> throw new AssertionError(f);
                }
            } catch (AddressFormatException e) {
                throw new IllegalArgumentException(tn + " field " + (i + 1) + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(tn + " field " + (i + 1) + " (" + describe(f) + "): "
                        + e.getMessage());
            }
        }
        if (t < tokens.size()) {
            throw new IllegalArgumentException(tn + " has " + schema.length + " fields (" + describe(schema)
                    + ") but more follow: '" + tokens.get(t) + "'");
        }
        byte[] d = out.toByteArray();
        if (d.length > MAX_LENGTH) {
            throw new IllegalArgumentException(tn + " data is longer than 65535 bytes");
        }
        return d;
    }

    private static String describe(Field[] schema) {
        List<String> names = new ArrayList<>();
        for (Field f : schema) {
            names.add(describe(f));
        }
        return String.join(", ", names);
    }

    private static String describe(Field f) {
        return switch (f) {
            case U8 -> "a number 0-255";
            case U16 -> "a number 0-65535";
            case U32 -> "a number 0-4294967295";
            case ALGORITHM -> "an algorithm number or mnemonic";
            case SECONDS -> "seconds, or a duration like 1h30m";
            case TYPE -> "a record type";
            case TIME -> "a time YYYYMMDDHHmmSS";
            case IPV4 -> "an IPv4 address";
            case IPV6 -> "an IPv6 address";
            case NAME, NAME_COMPRESSED -> "a domain name";
            case STRING -> "a string";
            case STRINGS -> "one or more strings";
            case BASE64 -> "base64";
            case HEX -> "hexadecimal";
            case HEX8 -> "hexadecimal or '-'";
            case BASE32_8 -> "base32hex";
            case BITMAP -> "record types";
            case CAA_TAG -> "a tag";
            case CAA_VALUE -> "a quoted value";
            case SVC_PARAMS -> "key=value parameters";
        };
    }

    static long number(String tok, long max) {
        if (tok.isEmpty() || tok.length() > 10 || !tok.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + tok + "' is not a number 0-" + max);
        }
        long v = Long.parseLong(tok);
        if (v > max) {
            throw new IllegalArgumentException(tok + " is over " + max);
        }
        return v;
    }

    private static final Map<String, Integer> ALGORITHMS = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        Object[] table = {"RSAMD5", 1, "DH", 2, "DSA", 3, "RSASHA1", 5, "DSA-NSEC3-SHA1", 6,
            "RSASHA1-NSEC3-SHA1", 7, "RSASHA256", 8, "RSASHA512", 10, "ECC-GOST", 12,
            "ECDSAP256SHA256", 13, "ECDSAP384SHA384", 14, "ED25519", 15, "ED448", 16,
            "INDIRECT", 252, "PRIVATEDNS", 253, "PRIVATEOID", 254};
        for (int i = 0; i < table.length; i += 2) {
            ALGORITHMS.put((String) table[i], (Integer) table[i + 1]);
        }
    }

    private static int algorithm(String tok) {
        Integer a = ALGORITHMS.get(tok);
        return a != null ? a : (int) number(tok, 0xff);
    }

    private static long parseTime(String tok) {
        if (tok.length() == 14 && tok.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                LocalDateTime t = LocalDateTime.of(Integer.parseInt(tok.substring(0, 4)),
                        Integer.parseInt(tok.substring(4, 6)), Integer.parseInt(tok.substring(6, 8)),
                        Integer.parseInt(tok.substring(8, 10)), Integer.parseInt(tok.substring(10, 12)),
                        Integer.parseInt(tok.substring(12, 14)));
                long s = t.toEpochSecond(ZoneOffset.UTC);
                return s & 0xffff_ffffL; // serial number arithmetic wraps (RFC 4034 §3.1.5)
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("'" + tok + "' is not a valid date and time");
            }
        }
        return number(tok, 0xffff_ffffL);
    }

    static byte[] parseHex(String s, String what) {
        if ((s.length() & 1) != 0) {
            throw new IllegalArgumentException(what + " has an odd number of hex digits");
        }
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not hexadecimal: '" + s + "'");
        }
    }

    private static void writeString(ByteArrayOutputStream out, String tok) {
        byte[] b = CharString.decode(tok, 255);
        out.write(b.length);
        out.writeBytes(b);
    }

    private static void writeU16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeU32(ByteArrayOutputStream out, long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
    }

    static long getU32(byte[] d, int p) {
        return ((long) (d[p] & 0xff) << 24) | ((d[p + 1] & 0xff) << 16) | ((d[p + 2] & 0xff) << 8) | (d[p + 3] & 0xff);
    }

    static void putU32(byte[] d, int p, long v) {
        d[p] = (byte) (v >>> 24);
        d[p + 1] = (byte) (v >>> 16);
        d[p + 2] = (byte) (v >>> 8);
        d[p + 3] = (byte) v;
    }

    /**
     * Splits presentation text into raw tokens: whitespace separates them outside quotes;
     * parentheses outside quotes are ignored (they only group lines); quotes and escapes are kept
     * in the tokens for the field parsers.
     */
    public static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inQuote = false;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                cur.append(c).append(text.charAt(++i));
                any = true;
                continue;
            }
            if (c == '"') {
                inQuote = !inQuote;
                cur.append(c);
                any = true;
                continue;
            }
            if (!inQuote && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')')) {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
                continue;
            }
            cur.append(c);
            any = true;
        }
        if (inQuote) {
            throw new IllegalArgumentException("a quote is not closed in '" + text + "'");
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }
}
