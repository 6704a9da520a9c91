package io.miragej.examples.kvstore;

import io.miragej.block.store.CrashSafeKv;
import io.miragej.device.Block;
import io.miragej.kv.KvException;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv.Entry;
import io.miragej.kv.ReadOnlyKv.Kind;
import io.miragej.kv.ReadWriteKv;
import io.miragej.platform.Devices;
import io.miragej.platform.Key;
import io.miragej.platform.Mirage;
import io.miragej.platform.Unikernel;
import io.miragej.stack.Flow;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A key-value service over TCP whose data lives in a crash-safe store on the application's block
 * device ({@code --disk=FILE} on unix). Every change is on disk before it is acknowledged, so a
 * crash or power cut keeps every acknowledged value.
 *
 * <p>The protocol is lines of text; keys are paths like {@code /users/ada}:
 *
 * <pre>
 * PUT KEY LENGTH\n BYTES   ->  OK
 * GET KEY                  ->  VALUE LENGTH\n BYTES\n     or  ERR NOT_FOUND KEY
 * DEL KEY                  ->  OK
 * LIST KEY                 ->  LIST N\n then N lines "v NAME" or "d NAME"
 * QUIT                     ->  (closes the connection)
 * </pre>
 *
 * Anything else is answered {@code ERR REASON message} and the connection goes on.
 */
public final class KvStore implements Unikernel {
    static final Key<Integer> PORT = Key.port("port", 7070, "TCP port of the key-value service");
    static final Key<Long> MAX_VALUE = Key.size("max-value", 1L << 20, "largest value a client may PUT");
    private static final int MAX_LINE = 1024;

    @Override
    public void start(Devices devices) throws Exception {
        Block disk = devices.block(Devices.DEFAULT_BLOCK, false);
        CrashSafeKv store = CrashSafeKv.openOrFormat(disk, devices.wallClock());
        int port = devices.config().get(PORT);
        long maxValue = devices.config().get(MAX_VALUE);
        devices.stack().tcp().listen(port, flow -> serve(store, maxValue, flow));
        devices.console().println("kv-store: " + store.list(KvKey.ROOT).size() + " entries at the root, TCP port "
                + port + " on the " + devices.stack().mode() + " stack");
    }

    static void serve(ReadWriteKv store, long maxValue, Flow flow) throws IOException {
        InputStream in = new BufferedInputStream(flow.inputStream());
        OutputStream out = new BufferedOutputStream(flow.outputStream());
        String line;
        while ((line = readLine(in)) != null) {
            String[] words = line.trim().split(" +");
            try {
                switch (words[0].toUpperCase(java.util.Locale.ROOT)) {
                    case "PUT" -> {
                        need(words, 3, "PUT KEY LENGTH, then the bytes");
                        long length = parseLength(words[2], maxValue);
                        byte[] value = in.readNBytes((int) length);
                        if (value.length != length) {
                            throw new EOFException("the connection ended inside a value");
                        }
                        store.set(key(words[1]), value);
                        reply(out, "OK\n");
                    }
                    case "GET" -> {
                        need(words, 2, "GET KEY");
                        byte[] value = store.get(key(words[1]));
                        reply(out, "VALUE " + value.length + "\n");
                        out.write(value);
                        reply(out, "\n");
                    }
                    case "DEL" -> {
                        need(words, 2, "DEL KEY");
                        store.remove(key(words[1]));
                        reply(out, "OK\n");
                    }
                    case "LIST" -> {
                        need(words, 2, "LIST KEY");
                        List<Entry> entries = store.list(key(words[1]));
                        StringBuilder b = new StringBuilder("LIST " + entries.size() + "\n");
                        for (Entry e : entries) {
                            b.append(e.kind() == Kind.VALUE ? "v " : "d ").append(e.name()).append('\n');
                        }
                        reply(out, b.toString());
                    }
                    case "QUIT" -> {
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown command '" + words[0]
                            + "': the commands are PUT, GET, DEL, LIST and QUIT");
                }
            } catch (KvException e) {
                reply(out, "ERR " + e.reason() + " " + e.getMessage() + "\n");
            } catch (IllegalArgumentException e) {
                reply(out, "ERR BAD_REQUEST " + e.getMessage() + "\n");
            }
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void need(String[] words, int n, String usage) {
        if (words.length != n) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    private static KvKey key(String text) {
        return KvKey.parse(text);
    }

    private static long parseLength(String text, long max) {
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a length");
        }
        if (n < 0 || n > max) {
            throw new IllegalArgumentException("a value is 0.." + max + " bytes (see --max-value), got " + n);
        }
        return n;
    }

    /** A line of at most {@value #MAX_LINE} bytes without its newline, or null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        byte[] buf = new byte[MAX_LINE];
        int n = 0;
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (n == MAX_LINE) {
                throw new IOException("a command line is longer than " + MAX_LINE + " bytes");
            }
            buf[n++] = (byte) c;
        }
        if (c < 0 && n == 0) {
            return null;
        }
        if (n > 0 && buf[n - 1] == '\r') {
            n--;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) {
        Mirage.run(new KvStore(), args);
    }
}
