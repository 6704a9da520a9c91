package io.miragej.block.fat;

import static io.miragej.block.fat.FatTestSupport.CLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.miragej.block.Exec;
import io.miragej.kv.KvKey;
import io.miragej.testkit.Interop;
import io.miragej.unix.FileBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Against dosfstools (mkfs.fat, fsck.fat) and mtools (mcopy), for each FAT width. */
class FatInteropTest {
    @TempDir
    Path dir;

    private static final Map<String, String> UTF8 = Map.of("LC_ALL", "C.UTF-8");

    static int sizeKb(FatType type) {
        return switch (type) {
            case FAT12 -> 4 * 1024;
            case FAT16 -> 32 * 1024;
            case FAT32 -> 64 * 1024;
        };
    }

    private static final String[] NAMES = {"readme.txt", "UPPER.TXT", "A long file name with spaces.data", "ünïcødé ☃.bin",
        "no_extension", "many.dots.in.name.tar.gz", "x", "Mixed Case Name.Md", "trailing~1.txt", ".hidden"};

    /** A host directory of files of awkward sizes and names, three levels deep. */
    private Path hostTree(FatType type, long seed) throws Exception {
        Random r = new Random(seed);
        Path root = Files.createDirectories(dir.resolve("host"));
        int[] sizes = {0, 1, 511, 512, 513, 2047, 2048, 4097, 33_000, 150_000};
        List<Path> dirs = new ArrayList<>(List.of(root));
        for (String d : new String[] {"docs", "Deeply Nested Directory", "docs/sub", "docs/sub/third level"}) {
            dirs.add(Files.createDirectories(root.resolve(d)));
        }
        for (int i = 0; i < 60; i++) {
            Path parent = dirs.get(i % dirs.size());
            String name = i < NAMES.length ? NAMES[i] : "file " + i + (i % 3 == 0 ? ".txt" : "");
            byte[] content = new byte[sizes[r.nextInt(sizes.length)] + (type == FatType.FAT12 ? 0 : r.nextInt(3))];
            r.nextBytes(content);
            Files.write(parent.resolve(name), content);
        }
        return root;
    }

    @ParameterizedTest
    @EnumSource(FatType.class)
    void anImageMadeByMkfsAndFilledByMcopyReadsBackByteExact(FatType type) throws Exception {
        Interop.requireCommands("dosfstools", "mkfs.fat");
        Interop.requireCommands("mtools", "mcopy");
        Path image = dir.resolve("mkfs.img");
        Exec.run(dir, "mkfs.fat", "-C", "-F", String.valueOf(type.bits), image.toString(), String.valueOf(sizeKb(type)));
        Path host = hostTree(type, 1);
        List<String> cmd = new ArrayList<>(List.of("mcopy", "-s", "-i", image.toString()));
        try (var s = Files.list(host)) {
            s.forEach(p -> cmd.add(p.toString()));
        }
        cmd.add("::/");
        Exec.Result r = Exec.status(dir, UTF8, cmd.toArray(String[]::new));
        assertEquals(0, r.status(), r.output());
        // deletions by mtools leave deleted entries (and long-name entries) behind for us to skip
        for (String gone : new String[] {"docs/" + NAMES[1], "Deeply Nested Directory/" + NAMES[2], NAMES[0]}) {
            Exec.Result del = Exec.status(dir, UTF8, "mdel", "-i", image.toString(), "::/" + gone);
            assertEquals(0, del.status(), del.output());
            Files.delete(host.resolve(gone));
        }
        Exec.Result mmd = Exec.status(dir, UTF8, "mmd", "-i", image.toString(), "::/An Empty Directory");
        assertEquals(0, mmd.status(), mmd.output());
        Files.createDirectory(host.resolve("An Empty Directory"));
        try (FileBlock disk = FileBlock.open(image, true, 512); FatFileSystem fs = FatFileSystem.mount(disk, CLOCK)) {
            assertEquals(type, fs.type());
            FatTestSupport.assertSameTree(FatTestSupport.tree(host), FatTestSupport.tree(fs));
        }
    }

    @ParameterizedTest
    @EnumSource(FatType.class)
    void anImageWrittenHerePassesFsckAndReadsBackByteExactWithMcopy(FatType type) throws Exception {
        Interop.requireCommands("dosfstools", "mkfs.fat", "fsck.fat");
        Interop.requireCommands("mtools", "mcopy");
        Path image = dir.resolve("ours.img");
        Map<String, byte[]> model = new TreeMap<>();
        Random r = new Random(7);
        try (FileBlock disk = FileBlock.create(image, sizeKb(type) * 1024L, 512);
                FatFileSystem fs = FatFileSystem.format(disk, FatFormat.defaults().withType(type).withLabel("MIRAGEJ"), CLOCK)) {
            assertEquals(type, fs.type());
            List<KvKey> keys = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                String parent = switch (i % 5) {
                    case 0 -> "";
                    case 1 -> "/docs";
                    case 2 -> "/docs/A Long Directory Name";
                    case 3 -> "/docs/A Long Directory Name/deeper still";
                    default -> "/x" + (i % 7);
                };
                String name = i < NAMES.length ? NAMES[i] : (i % 2 == 0 ? "File number " + i + ".txt" : "F" + i + ".DAT");
                KvKey key = KvKey.parse(parent + "/" + name);
                byte[] content = new byte[r.nextInt(type == FatType.FAT12 ? 3000 : 20_000)];
                r.nextBytes(content);
                fs.set(key, content);
                keys.add(key);
            }
            for (int i = 0; i < keys.size(); i += 3) {
                fs.remove(keys.get(i)); // deletes leave holes that later names reuse
            }
            fs.remove(KvKey.parse("/x3"));
            fs.rename(KvKey.parse("/docs/" + NAMES[1]), KvKey.parse("/moved/Renamed with a long name.txt"));
            fs.rename(KvKey.parse("/x4"), KvKey.parse("/docs/x4 moved here"));
            fs.truncate(keys.get(5), 10);
            fs.write(KvKey.parse("/appended.log"), 0, "first line\n".getBytes());
            fs.write(KvKey.parse("/appended.log"), 11, "second line\n".getBytes());
            for (int i = 0; i < 40; i++) {
                fs.set(KvKey.parse("/docs/after deletes " + i), ("refill " + i).getBytes());
            }
            for (var e : FatTestSupport.tree(fs).entrySet()) {
                model.put(e.getKey(), e.getValue());
            }
        }
        Exec.Result fsck = Exec.status(dir, Map.of(), "fsck.fat", "-n", "-v", image.toString());
        assertEquals(0, fsck.status(), "fsck.fat -n must find nothing to fix:\n" + fsck.output());
        Path out = Files.createDirectories(dir.resolve("out"));
        Exec.Result copy = Exec.status(dir, UTF8, "mcopy", "-s", "-n", "-i", image.toString(), "::/*", out.toString());
        assertEquals(0, copy.status(), copy.output());
        FatTestSupport.assertSameTree(model, FatTestSupport.tree(out));
    }

    /** mkfs.fat with 4096-byte logical sectors and large clusters, on an image of 512-byte sectors. */
    @ParameterizedTest
    @EnumSource(value = FatType.class, names = {"FAT16", "FAT32"})
    void unusualGeometriesFromMkfsAreRead(FatType type) throws Exception {
        Interop.requireCommands("dosfstools", "mkfs.fat");
        Interop.requireCommands("mtools", "mcopy");
        Path image = dir.resolve("geometry.img");
        Exec.run(dir, "mkfs.fat", "-C", "-F", String.valueOf(type.bits), "-S", "4096", "-s", type == FatType.FAT16 ? "4" : "1",
                image.toString(), String.valueOf(type == FatType.FAT16 ? 300 * 1024 : 300 * 1024));
        Path host = hostTree(type, 3);
        List<String> cmd = new ArrayList<>(List.of("mcopy", "-s", "-i", image.toString()));
        try (var s = Files.list(host)) {
            s.forEach(p -> cmd.add(p.toString()));
        }
        cmd.add("::/");
        Exec.Result r = Exec.status(dir, UTF8, cmd.toArray(String[]::new));
        assertEquals(0, r.status(), r.output());
        try (FileBlock disk = FileBlock.open(image, false, 512); FatFileSystem fs = FatFileSystem.mount(disk, CLOCK)) {
            assertEquals(type, fs.type());
            FatTestSupport.assertSameTree(FatTestSupport.tree(host), FatTestSupport.tree(fs));
            fs.set(KvKey.parse("/written/on 4096-byte sectors.bin"), new byte[70_000]);
        }
        Exec.Result fsck = Exec.status(dir, Map.of(), "fsck.fat", "-n", image.toString());
        assertEquals(0, fsck.status(), "fsck.fat -n after our write:\n" + fsck.output());
    }

    /** Random workloads of every operation leave volumes fsck.fat finds clean, and mcopy reads what we wrote. */
    @ParameterizedTest
    @EnumSource(FatType.class)
    void randomWorkloadsLeaveCleanVolumes(FatType type) throws Exception {
        Interop.requireCommands("dosfstools", "fsck.fat");
        Interop.requireCommands("mtools", "mcopy");
        String[] segments = {"a", "Bee", "long name one", "Long Name Two.txt", "c.d", "UPPER", "naïve café ☃"}; // mtools turns characters beyond the BMP into "_"
        for (long seed = 1; seed <= 3; seed++) {
            Random r = new Random(seed * 31 + type.ordinal());
            Path image = dir.resolve("random-" + seed + ".img");
            Map<String, byte[]> tree;
            try (FileBlock disk = FileBlock.create(image, sizeKb(type) * 1024L, 512);
                    FatFileSystem fs = FatFileSystem.format(disk, FatFormat.defaults().withType(type)
                            .withSectorsPerCluster(type == FatType.FAT12 ? 2 : 1).withRootEntries(type == FatType.FAT32 ? 0 : 64), CLOCK)) {
                for (int i = 0; i < 400; i++) {
                    List<String> path = new ArrayList<>();
                    for (int d = 0, depth = 1 + r.nextInt(3); d < depth; d++) {
                        path.add(segments[r.nextInt(segments.length)]);
                    }
                    KvKey key = new KvKey(path);
                    KvKey other = KvKey.of(segments[r.nextInt(segments.length)], "moved " + r.nextInt(4));
                    byte[] value = new byte[r.nextInt(6000)];
                    r.nextBytes(value);
                    try {
                        switch (r.nextInt(7)) {
                            case 0, 1 -> fs.set(key, value);
                            case 2 -> fs.remove(key);
                            case 3 -> fs.rename(key, other);
                            case 4 -> fs.truncate(key, r.nextInt(9000));
                            case 5 -> fs.write(key, r.nextInt(4000), value);
                            default -> fs.mkdir(key);
                        }
                    } catch (io.miragej.kv.KvException | IllegalArgumentException refused) {
                        // a file in the way, a directory moved into itself, the root directory full...
                    }
                }
                tree = FatTestSupport.tree(fs);
            }
            Exec.Result fsck = Exec.status(dir, Map.of(), "fsck.fat", "-n", image.toString());
            assertEquals(0, fsck.status(), "seed " + seed + ": fsck.fat -n must find nothing to fix:\n" + fsck.output());
            Path out = Files.createDirectories(dir.resolve("out-" + seed));
            if (!tree.isEmpty()) {
                Exec.Result copy = Exec.status(dir, UTF8, "mcopy", "-s", "-n", "-i", image.toString(), "::/*", out.toString());
                assertEquals(0, copy.status(), copy.output());
            }
            FatTestSupport.assertSameTree(tree, FatTestSupport.tree(out));
        }
    }
}
