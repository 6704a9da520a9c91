package io.miragej.examples.kvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The service as a separate process on the unix backend, killed without warning between runs. */
@Timeout(120)
class KvStoreTest {
    @TempDir
    Path dir;

    /** A client speaking the service's protocol. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(20_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        String line() throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                b.append((char) c);
            }
            return b.toString();
        }

        String put(String key, byte[] value) throws IOException {
            out.write(("PUT " + key + " " + value.length + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(value);
            out.flush();
            return line();
        }

        byte[] get(String key) throws IOException {
            out.write(("GET " + key + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String head = line();
            if (!head.startsWith("VALUE ")) {
                throw new IOException(head);
            }
            byte[] v = new byte[Integer.parseInt(head.substring(6))];
            in.readFully(v);
            assertEquals('\n', in.read());
            return v;
        }

        String command(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return line();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the service in its own JVM on the unix backend and waits until it listens. */
    private static Process start(Path disk, int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), KvStore.class.getName(), "--disk=" + disk, "--disk-size=16M",
                "--port=" + port).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = r.readLine()) != null && !line.startsWith("kv-store: ")) {
            seen.append(line).append('\n');
        }
        if (line == null) {
            throw new IOException("kv-store did not start:\n" + seen);
        }
        Thread.ofVirtual().start(() -> r.lines().forEach(l -> {}));
        return p;
    }

    @Test
    void acknowledgedValuesSurviveAKill() throws Exception {
        Path disk = dir.resolve("store.img");
        int port = freePort();
        Random random = new Random(42);
        List<byte[]> values = new ArrayList<>();
        Process first = start(disk, port);
        try (Client c = new Client(port)) {
            for (int i = 0; i < 40; i++) {
                byte[] v = new byte[random.nextInt(20_000)];
                random.nextBytes(v);
                values.add(v);
                assertEquals("OK", c.put("/data/item" + i, v));
            }
            assertEquals("OK", c.command("DEL /data/item3"));
            assertTrue(c.command("GET /data/item3").startsWith("ERR NOT_FOUND"));
            assertTrue(c.command("FLY /away").startsWith("ERR BAD_REQUEST unknown command"));
            assertTrue(c.command("PUT /x 99999999999").startsWith("ERR BAD_REQUEST a value is 0.."));
            assertTrue(c.command("GET /../etc").startsWith("ERR BAD_REQUEST"));
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown, no flushing beyond what was acknowledged
            first.waitFor(10, TimeUnit.SECONDS);
        }
        Process second = start(disk, port);
        try (Client c = new Client(port)) {
            for (int i = 0; i < 40; i++) {
                if (i == 3) {
                    assertTrue(c.command("GET /data/item3").startsWith("ERR NOT_FOUND"));
                } else {
                    assertTrue(java.util.Arrays.equals(values.get(i), c.get("/data/item" + i)), "item " + i);
                }
            }
            String list = c.command("LIST /");
            assertEquals("LIST 1", list);
            assertEquals("d data", c.line());
        } finally {
            second.destroyForcibly();
            second.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
