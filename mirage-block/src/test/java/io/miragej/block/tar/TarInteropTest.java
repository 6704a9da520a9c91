package io.miragej.block.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.miragej.block.Exec;
import io.miragej.block.MemoryBlock;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv;
import io.miragej.testkit.Interop;
import io.miragej.unix.FileBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Archives made by GNU tar, in each of its formats, read back through the tar store. */
class TarInteropTest {
    @TempDir
    Path dir;

    private static final Instant MTIME = Instant.parse("2021-03-04T05:06:07Z");

    /** Files of awkward sizes and names; long ones only when the format can hold them. */
    private Path hostTree(boolean longNames) throws Exception {
        Random r = new Random(5);
        Path root = Files.createDirectories(dir.resolve("host"));
        String deep = longNames ? "a directory name that is long/".repeat(6) + "x".repeat(120) : "docs/sub/third";
        for (String d : new String[] {"docs", "docs/sub", "empty dir", deep}) {
            Files.createDirectories(root.resolve(d));
        }
        int[] sizes = {0, 1, 511, 512, 513, 10_240, 100_000};
        String[] names = {"readme.txt", "ünïcødé ☃.bin", "with spaces", longNames ? "n".repeat(150) : "n".repeat(99)};
        int i = 0;
        for (String d : new String[] {"", "docs", "docs/sub", deep}) {
            for (String n : names) {
                byte[] content = new byte[sizes[i++ % sizes.length]];
                r.nextBytes(content);
                Path p = root.resolve(d).resolve(n);
                Files.write(p, content);
                Files.setLastModifiedTime(p, FileTime.from(MTIME));
            }
        }
        Files.createLink(root.resolve("docs/hard link"), root.resolve("readme.txt"));
        Files.createSymbolicLink(root.resolve("docs/symbolic link"), Path.of("../readme.txt"));
        return root;
    }

    /** The store's values and dictionaries, by path. */
    private static Map<String, byte[]> tree(ReadOnlyKv kv, KvKey key, Map<String, byte[]> out) throws Exception {
        for (ReadOnlyKv.Entry e : kv.list(key)) {
            KvKey child = key.child(e.name());
            if (e.kind() == ReadOnlyKv.Kind.VALUE) {
                out.put(child.toString(), kv.get(child));
            } else {
                out.put(child + "/", new byte[0]);
                tree(kv, child, out);
            }
        }
        return out;
    }

    private static Map<String, byte[]> tree(Path root) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.equals(root) || Files.isSymbolicLink(p)) {
                    continue; // the store skips symbolic links
                }
                String rel = "/" + root.relativize(p);
                out.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? new byte[0] : Files.readAllBytes(p));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "oldgnu", "ustar", "pax", "posix"})
    void anArchiveMadeByGnuTarReadsBack(String format) throws Exception {
        Interop.requireCommands("tar", "tar");
        boolean longNames = !format.equals("ustar");
        Path host = hostTree(longNames);
        Path archive = dir.resolve(format + ".tar");
        Exec.run(dir, "tar", "--format=" + format, "-cf", archive.toString(), "-C", host.toString(), ".");
        Map<String, byte[]> expected = tree(host);
        try (FileBlock disk = FileBlock.open(archive, true, 512)) {
            TarKv kv = TarKv.open(disk);
            Map<String, byte[]> actual = tree(kv, KvKey.ROOT, new TreeMap<>());
            assertEquals(expected.keySet(), actual.keySet());
            for (String k : expected.keySet()) {
                assertEquals(true, Arrays.equals(expected.get(k), actual.get(k)), "the bytes of " + k);
            }
            assertEquals(1, kv.skippedEntries(), "only the symbolic link is left out");
            assertEquals(MTIME, kv.lastModified(KvKey.parse("/docs/readme.txt")));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void anArchiveOnADeviceOfLargerSectorsReadsBack(int sectorSize) throws Exception {
        Interop.requireCommands("tar", "tar");
        Path host = hostTree(true);
        Path archive = dir.resolve("dev.tar");
        // a record size that is not a multiple of 4096: the device is padded after the archive
        Exec.run(dir, "tar", "--format=pax", "-b", "1", "-cf", archive.toString(), "-C", host.toString(), ".");
        byte[] bytes = Files.readAllBytes(archive);
        byte[] padded = Arrays.copyOf(bytes, (bytes.length + sectorSize - 1) / sectorSize * sectorSize + 8 * sectorSize);
        Arrays.fill(padded, bytes.length, padded.length, (byte) 0);
        TarKv kv = TarKv.open(MemoryBlock.of(padded, sectorSize, true));
        Map<String, byte[]> expected = tree(host);
        Map<String, byte[]> actual = tree(kv, KvKey.ROOT, new TreeMap<>());
        assertEquals(expected.keySet(), actual.keySet());
    }
}
