package io.miragej.block.fat;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** FAT names: checks on long names, 8.3 short names and their generation, the LFN checksum. */
final class Names {
    private Names() {}

    static final int MAX_LONG_NAME = 255;
    private static final String SHORT_SPECIALS = "!#$%&'()-@^_`{}~";
    private static final String LONG_FORBIDDEN = "\"*/:<>?\\|";

    /** Why {@code name} cannot be a FAT long name, or null when it can. */
    static String problem(String name) {
        if (name.length() > MAX_LONG_NAME) {
            return "FAT names hold at most 255 UTF-16 units, '" + name.substring(0, 20) + "...' has " + name.length();
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || LONG_FORBIDDEN.indexOf(c) >= 0) {
                return "FAT names cannot contain control characters or any of " + LONG_FORBIDDEN + ": '" + name + "'";
            }
        }
        if (name.endsWith(".") || name.endsWith(" ") || name.startsWith(" ")) {
            return "FAT names cannot start with a space or end with a dot or space: '" + name + "'";
        }
        return null;
    }

    static boolean validShortChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || SHORT_SPECIALS.indexOf(c) >= 0;
    }

    /** The 11-byte short name when {@code name} is exactly an upper-case 8.3 name, else null. */
    static byte[] exactShort(String name) {
        int dot = name.indexOf('.');
        String base = dot < 0 ? name : name.substring(0, dot);
        String ext = dot < 0 ? "" : name.substring(dot + 1);
        if (base.isEmpty() || base.length() > 8 || ext.length() > 3 || (dot >= 0 && ext.isEmpty()) || ext.indexOf('.') >= 0) {
            return null;
        }
        for (char c : (base + ext).toCharArray()) {
            if (!validShortChar(c)) {
                return null;
            }
        }
        return pack(base, ext);
    }

    private static byte[] pack(String base, String ext) {
        return String.format("%-8s%-3s", base, ext).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A short name for {@code longName} not in {@code taken} (11-character strings): the upper-cased
     * basis as Windows forms it, with a numeric tail {@code ~N} when the basis lost information or
     * is taken.
     */
    static byte[] generate(String longName, Set<String> taken) {
        String upper = longName.toUpperCase(Locale.ROOT);
        boolean lossy = false;
        StringBuilder stripped = new StringBuilder();
        for (char c : upper.toCharArray()) {
            if (c == ' ') {
                lossy = true;
            } else {
                stripped.append(c);
            }
        }
        String s = stripped.toString();
        int lead = 0;
        while (lead < s.length() && s.charAt(lead) == '.') {
            lead++;
        }
        if (lead > 0) {
            lossy = true;
            s = s.substring(lead);
        }
        int dot = s.lastIndexOf('.');
        String base = dot < 0 ? s : s.substring(0, dot);
        String ext = dot < 0 ? "" : s.substring(dot + 1);
        StringBuilder b = new StringBuilder();
        for (char c : base.toCharArray()) {
            if (c == '.') {
                lossy = true;
                continue;
            }
            if (!validShortChar(c)) {
                lossy = true;
                c = '_';
            }
            if (b.length() < 8) {
                b.append(c);
            } else {
                lossy = true;
            }
        }
        StringBuilder e = new StringBuilder();
        for (char c : ext.toCharArray()) {
            if (!validShortChar(c)) {
                lossy = true;
                c = '_';
            }
            if (e.length() < 3) {
                e.append(c);
            } else {
                lossy = true;
            }
        }
        if (b.isEmpty()) {
            b.append('_');
            lossy = true;
        }
        String basis = b.toString();
        String extension = e.toString();
        if (!lossy) {
            byte[] plain = pack(basis, extension);
            if (!taken.contains(new String(plain, StandardCharsets.US_ASCII))) {
                return plain;
            }
        }
        for (int n = 1; n < 1_000_000; n++) {
            String tail = "~" + n;
            String head = basis.substring(0, Math.min(basis.length(), 8 - tail.length()));
            byte[] candidate = pack(head + tail, extension);
            if (!taken.contains(new String(candidate, StandardCharsets.US_ASCII))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free short name for '" + longName + "'"); // a directory holds at most 65536 entries
    }

    /** The checksum of a short name that long name entries carry (FAT specification, section 7). */
    static int checksum(byte[] shortName, int at) {
        int sum = 0;
        for (int i = 0; i < 11; i++) {
            sum = (((sum & 1) << 7) | ((sum & 0xFF) >>> 1)) + (shortName[at + i] & 0xFF);
            sum &= 0xFF;
        }
        return sum;
    }

    /** The short name as shown: "NAME.EXT", lower-cased by the NT case flags of byte 12. */
    static String display(byte[] entry, int at) {
        byte[] raw = java.util.Arrays.copyOfRange(entry, at, at + 11);
        if (raw[0] == 0x05) {
            raw[0] = (byte) 0xE5;
        }
        String base = new String(raw, 0, 8, StandardCharsets.ISO_8859_1).stripTrailing();
        String ext = new String(raw, 8, 3, StandardCharsets.ISO_8859_1).stripTrailing();
        int flags = entry[at + 12];
        if ((flags & 0x08) != 0) {
            base = base.toLowerCase(Locale.ROOT);
        }
        if ((flags & 0x10) != 0) {
            ext = ext.toLowerCase(Locale.ROOT);
        }
        return ext.isEmpty() ? base : base + "." + ext;
    }
}
