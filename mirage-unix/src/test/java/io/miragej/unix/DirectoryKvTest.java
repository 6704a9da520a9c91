package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.miragej.kv.KvException;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadWriteKv;
import io.miragej.testkit.ReadWriteKvContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryKvTest extends ReadWriteKvContract {
    @TempDir
    Path dir;
    private int stores;

    @Override
    protected ReadWriteKv emptyStore() throws Exception {
        return DirectoryKv.open(dir.resolve("store" + stores++), false);
    }

    @Test
    void valuesAreFilesAndWritesLeaveNoTemporaries() throws Exception {
        Path root = dir.resolve("files");
        ReadWriteKv kv = DirectoryKv.open(root, false);
        for (int i = 0; i < 20; i++) {
            kv.set(KvKey.parse("/d/v"), ("v" + i).getBytes());
        }
        assertEquals("v19", Files.readString(root.resolve("d/v")));
        try (Stream<Path> all = Files.walk(root)) {
            assertEquals(0, all.filter(p -> p.getFileName().toString().startsWith(DirectoryKv.TEMP_PREFIX)).count());
        }
    }

    @Test
    void readOnlyRefusesChangesAndSymlinksCannotEscape() throws Exception {
        Path root = dir.resolve("ro");
        Files.createDirectories(root);
        Files.writeString(root.resolve("a"), "A");
        Files.writeString(dir.resolve("secret"), "S");
        Files.createSymbolicLink(root.resolve("escape"), dir.resolve("secret"));
        DirectoryKv kv = DirectoryKv.open(root, true);
        assertArrayEquals("A".getBytes(), kv.get(KvKey.parse("/a")));
        assertEquals(KvException.Reason.READ_ONLY,
                assertThrows(KvException.class, () -> kv.set(KvKey.parse("/b"), new byte[1])).reason());
        assertEquals(KvException.Reason.READ_ONLY,
                assertThrows(KvException.class, () -> kv.remove(KvKey.parse("/a"))).reason());
        assertEquals(KvException.Reason.NOT_FOUND,
                assertThrows(KvException.class, () -> kv.get(KvKey.parse("/escape"))).reason());
        assertThrows(java.io.IOException.class, () -> DirectoryKv.open(dir.resolve("missing"), true));
    }
}
