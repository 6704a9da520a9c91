package io.miragej.dns.zone;

/**
 * A zone that cannot be loaded: its message names the file and line (when the zone came from a
 * file), what was wrong, and how to fix it.
 */
public final class ZoneException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;

    public ZoneException(String file, int line, String message) {
        super((file == null ? "" : file + ":" + (line > 0 ? line + ": " : " ")) + message);
        this.file = file;
        this.line = line;
    }

    /** The file, or null when the zone did not come from one. */
    public String file() {
        return file;
    }

    /** The line (1-based), or 0 when unknown. */
    public int line() {
        return line;
    }
}
