package io.miragej.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's first command, as a newcomer types it: {@code ./mirage run echo ...}. */
class MirageCommandTest {
    /** The reactor is installed by now: stay offline so nothing is downloaded twice. */
    static final Map<String, String> ENV = Map.of("MIRAGE_MAVEN_ARGS", "-o");

    static Run mirage(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Run.ROOT.resolve("mirage").toString()));
        cmd.addAll(List.of(args));
        return Run.of(Run.ROOT, ENV, 300, cmd);
    }

    @Test
    @Timeout(600)
    void echoAnswersTcpAndUdpIncludingATenMegabyteStream() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(Run.ROOT.resolve("mirage").toString(), "run", "echo", "--port=" + port)
                .directory(Run.ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(ENV);
        Process echo = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("echo: TCP and UDP port " + port)) {
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "echo never said it was listening:\n" + seen);
            Thread.ofVirtual().start(() -> out.lines().forEach(l -> {}));

            byte[] data = new byte[10 * 1024 * 1024];
            new Random(10).nextBytes(data);
            MessageDigest back = MessageDigest.getInstance("SHA-256");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream o = s.getOutputStream();
                        o.write(data);
                        s.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                byte[] buf = new byte[65536];
                int n;
                long total = 0;
                while ((n = s.getInputStream().read(buf)) >= 0) {
                    back.update(buf, 0, n);
                    total += n;
                }
                writer.join();
                assertEquals(data.length, total);
            }
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), back.digest());

            try (DatagramSocket udp = new DatagramSocket()) {
                udp.setSoTimeout(5000);
                byte[] msg = "datagram to echo".getBytes(StandardCharsets.UTF_8);
                udp.send(new DatagramPacket(msg, msg.length, new InetSocketAddress("127.0.0.1", port)));
                DatagramPacket p = new DatagramPacket(new byte[100], 100);
                udp.receive(p);
                assertEquals("datagram to echo", new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
            }
        } finally {
            // ./mirage execs java, so this PID is the echo server itself.
            echo.descendants().forEach(ProcessHandle::destroyForcibly);
            echo.destroy();
            if (!echo.waitFor(10, TimeUnit.SECONDS)) {
                echo.destroyForcibly();
            }
        }
    }

    @Test
    void helpListsThePortWithItsDefaultAndDoc() throws Exception {
        Run r = mirage("run", "echo", "--help");
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("--port=PORT"), r.output());
        assertTrue(r.output().contains("TCP and UDP port to echo on (default: 7)"), r.output());
    }

    @Test
    void aBadValueOrAnUnknownKeyExitsNonZeroNamingTheKey() throws Exception {
        Run bad = mirage("run", "echo", "--port=seventy");
        assertEquals(2, bad.status(), bad.output());
        assertTrue(bad.output().contains("--port=seventy is not accepted: --port takes a port number 0-65535"), bad.output());
        Run unknown = mirage("run", "echo", "--no-such-key=1");
        assertEquals(2, unknown.status(), unknown.output());
        assertTrue(unknown.output().contains("unknown key --no-such-key"), unknown.output());
    }

    @Test
    void withoutAJdk25TheCommandSaysWhatToInstall() throws Exception {
        Run r = Run.of(Run.ROOT, Map.of("MIRAGE_JVM_DIRS", "/nonexistent", "JAVA_HOME", "/usr/lib/jvm/no-such-jdk"), 30,
                List.of(Run.ROOT.resolve("mirage").toString(), "test"));
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains("MirageJ needs a JDK 25, and none was found"), r.output());
        assertTrue(r.output().contains("JAVA_HOME=/usr/lib/jvm/no-such-jdk (not a JDK)"), r.output());
        assertTrue(r.output().contains("install JDK 25"), r.output());
    }
}
