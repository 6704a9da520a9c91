package io.miragej.block.bench;

import io.miragej.block.Exec;
import io.miragej.block.fat.FatFileSystem;
import io.miragej.block.fat.FatFormat;
import io.miragej.block.fat.FatType;
import io.miragej.block.store.CrashSafeKv;
import io.miragej.device.Block;
import io.miragej.device.WallClock;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadWriteKv;
import io.miragej.unix.DirectoryKv;
import io.miragej.unix.FileBlock;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmarks, not tests: run with {@code ./mvnw -o -q -f mirage-block/pom.xml test -Dtest=BlockBench}
 * (see bench/README.md). Each prints figures for MirageJ and for the peer a user would otherwise
 * pick, measured in the same run, and their ratio.
 */
class BlockBench {
    @TempDir
    Path dir;

    private static final WallClock CLOCK = () -> System.currentTimeMillis() * 1_000_000L;

    /** Durable small writes: the crash-safe store on a disk image against DirectoryKv (fsync, rename, fsync) on the host. */
    @Test
    void durableSets() throws Exception {
        int n = Integer.getInteger("bench.sets", 2000);
        byte[] value = new byte[1024];
        new Random(1).nextBytes(value);
        try (FileBlock disk = FileBlock.create(dir.resolve("store.img"), 64L << 20, 512)) {
            CrashSafeKv store = CrashSafeKv.format(disk, CLOCK);
            double ours = setsPerSecond(store, n, value);
            double peer = setsPerSecond(DirectoryKv.open(dir.resolve("dirkv"), false), n, value);
            System.out.printf("durable 1 KiB sets/s: CrashSafeKv on a FileBlock %.0f, DirectoryKv on the host %.0f, ratio %.2f%n",
                    ours, peer, ours / peer);
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                store.get(KvKey.of("k" + (i % 100), "v" + i));
            }
            System.out.printf("CrashSafeKv gets/s (cache warm): %.0f%n", n / ((System.nanoTime() - t) / 1e9));
        }
    }

    private static double setsPerSecond(ReadWriteKv kv, int n, byte[] value) throws Exception {
        for (int i = 0; i < n / 10; i++) {
            kv.set(KvKey.of("warm", "v" + i), value);
        }
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            kv.set(KvKey.of("k" + (i % 100), "v" + i), value);
        }
        return n / ((System.nanoTime() - t) / 1e9);
    }

    /** Filling a FAT image with a tree of files: FatFileSystem against mtools' mcopy, neither syncing. */
    @Test
    void fatFill() throws Exception {
        Path host = Files.createDirectories(dir.resolve("tree"));
        Random r = new Random(2);
        long bytes = 0;
        for (int d = 0; d < 10; d++) {
            Path sub = Files.createDirectories(host.resolve("directory " + d));
            for (int f = 0; f < 50; f++) {
                byte[] content = new byte[r.nextInt(64 * 1024)];
                r.nextBytes(content);
                Files.write(sub.resolve("a file with a long name " + f + ".bin"), content);
                bytes += content.length;
            }
        }
        double peer = 0;
        double ours = 0;
        for (int round = 0; round < 3; round++) { // the last round counts: the JIT has warmed up
            Path mImage = dir.resolve("mcopy" + round + ".img");
            Exec.run(dir, "mkfs.fat", "-C", "-F", "16", mImage.toString(), String.valueOf(64 * 1024));
            long t = System.nanoTime();
            Exec.run(dir, "mcopy", "-s", "-i", mImage.toString(), host.toString(), "::/");
            peer = (System.nanoTime() - t) / 1e9;
            Path oImage = dir.resolve("ours" + round + ".img");
            t = System.nanoTime();
            try (FileBlock file = FileBlock.create(oImage, 64L << 20, 512)) {
                FatFileSystem fs = FatFileSystem.format(new NoSync(file), FatFormat.defaults().withType(FatType.FAT16), CLOCK);
                try (var all = Files.walk(host)) {
                    for (Path p : (Iterable<Path>) all::iterator) {
                        if (Files.isRegularFile(p)) {
                            fs.set(KvKey.parse("/tree/" + host.relativize(p)), Files.readAllBytes(p));
                        }
                    }
                }
            }
            ours = (System.nanoTime() - t) / 1e9;
        }
        System.out.printf("filling FAT16 with %d files, %.1f MB: FatFileSystem %.2f s (%.1f MB/s), mcopy %.2f s (%.1f MB/s), "
                + "time ratio %.2f%n", 500, bytes / 1e6, ours, bytes / 1e6 / ours, peer, bytes / 1e6 / peer, ours / peer);
    }

    /** A device whose flush does nothing: for comparing with a tool that does not sync either. */
    private record NoSync(Block device) implements Block {
        @Override
        public int sectorSize() {
            return device.sectorSize();
        }

        @Override
        public long sectorCount() {
            return device.sectorCount();
        }

        @Override
        public boolean readOnly() {
            return device.readOnly();
        }

        @Override
        public void read(long sector, MemorySegment buffer) throws IOException {
            device.read(sector, buffer);
        }

        @Override
        public void write(long sector, MemorySegment buffer) throws IOException {
            device.write(sector, buffer);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
