package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.kv.KvKey;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBytesTest {
    @Test
    void valuesOfEverySizeAroundTheChunkComeBackWhole(@TempDir Path dir) throws Exception {
        Random random = new Random(5);
        int c = FileBytes.CHUNK;
        for (int size : new int[] {0, 1, c - 1, c, c + 1, 3 * c + 5}) {
            byte[] value = new byte[size];
            random.nextBytes(value);
            Path file = dir.resolve("v" + size);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                FileBytes.write(ch, value);
            }
            assertArrayEquals(value, Files.readAllBytes(file));
            assertArrayEquals(value, FileBytes.read(file));
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                byte[] tail = FileBytes.read(ch, 1, size + 10, false);
                assertArrayEquals(java.util.Arrays.copyOfRange(value, Math.min(1, size), size), tail);
            }
        }
    }

    /**
     * A 4 MB value set, got and got in part through a DirectoryKv leaves no native buffer of its
     * size behind (native memory tracking in a child JVM); Files.readAllBytes, the control, does.
     */
    @Test
    void largeValuesLeaveNoNativeBufferBehind(@TempDir Path dir) throws Exception {
        long kept = otherNativeKb(dir, "kv");
        long control = otherNativeKb(dir, "readAllBytes");
        assertTrue(control > 3_000, "the control should keep about 4 MB: " + control + " KB");
        assertTrue(kept < 1_000, "4 MB values through DirectoryKv kept " + kept + " KB of native memory");
    }

    private static long otherNativeKb(Path dir, String mode) throws Exception {
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        Process p = new ProcessBuilder(bin.resolve("java").toString(), "-XX:NativeMemoryTracking=summary", "-cp",
                System.getProperty("java.class.path"), Probe.class.getName(), dir.toString(), mode)
                .redirectErrorStream(true).start();
        try {
            String ready = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertTrue("ready".equals(ready), "the probe said: " + ready);
            Process jcmd = new ProcessBuilder(bin.resolve("jcmd").toString(), Long.toString(p.pid()),
                    "VM.native_memory", "summary").redirectErrorStream(true).start();
            String summary = new String(jcmd.getInputStream().readAllBytes());
            assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS), "jcmd did not end");
            int other = summary.indexOf("Other (");
            assertTrue(other >= 0, summary);
            int committed = summary.indexOf("committed=", other) + "committed=".length();
            return Long.parseLong(summary.substring(committed, summary.indexOf("KB", committed)));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Run in a child JVM with native memory tracking on: moves a 4 MB value, says ready, waits. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]).resolve(args[1]);
            Files.createDirectories(dir);
            byte[] value = new byte[4_000_000];
            new Random(1).nextBytes(value);
            if (args[1].equals("kv")) {
                DirectoryKv kv = DirectoryKv.open(dir, false);
                KvKey key = KvKey.parse("/big");
                kv.set(key, value);
                if (!java.util.Arrays.equals(value, kv.get(key))
                        || kv.getPartial(key, 10, value.length).length != value.length - 10) {
                    throw new AssertionError("the value did not come back");
                }
            } else {
                Files.write(dir.resolve("big"), value);
                Files.readAllBytes(dir.resolve("big"));
            }
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(2));
        }
    }
}
