package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.kv.KvException;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv;
import io.miragej.kv.ReadOnlyKv.Entry;
import io.miragej.kv.ReadOnlyKv.Kind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceKvTest {

    private static void checkSite(ReadOnlyKv kv) throws KvException {
        assertEquals(List.of(new Entry("css", Kind.DICTIONARY), new Entry("index.html", Kind.VALUE)), kv.list(KvKey.ROOT));
        assertArrayEquals("<h1>hello</h1>\n".getBytes(), kv.get(KvKey.parse("/index.html")));
        assertArrayEquals("body{}\n".getBytes(), kv.get(KvKey.parse("/css/main.css")));
        assertEquals(7, kv.size(KvKey.parse("/css/main.css")));
        assertEquals(KvException.Reason.NOT_FOUND,
                assertThrows(KvException.class, () -> kv.get(KvKey.parse("/nope"))).reason());
        assertEquals(KvException.Reason.VALUE_EXPECTED,
                assertThrows(KvException.class, () -> kv.get(KvKey.parse("/css"))).reason());
    }

    @Test
    void servesAFolderOfTheClassPath() throws IOException {
        checkSite(ResourceKv.open(getClass().getClassLoader(), "site"));
    }

    @Test
    void servesAFolderInsideAJar(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("site/"));
            put(out, "site/index.html", "<h1>hello</h1>\n");
            out.putNextEntry(new JarEntry("site/css/"));
            put(out, "site/css/main.css", "body{}\n");
            put(out, "other/ignored.txt", "no");
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            ReadOnlyKv kv = ResourceKv.open(loader, "/site/");
            checkSite(kv);
            byte[] digest = kv.digest(KvKey.ROOT);
            assertArrayEquals(digest, ResourceKv.open(getClass().getClassLoader(), "site").digest(KvKey.ROOT),
                    "the same tree from a jar and from a folder has the same digest");
        }
    }

    @Test
    void aMissingFolderIsExplained() {
        IOException e = assertThrows(IOException.class, () -> ResourceKv.open(getClass().getClassLoader(), "nowhere"));
        assertTrue(e.getMessage().contains("src/main/resources/nowhere"), e.getMessage());
    }

    private static void put(JarOutputStream out, String name, String content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        OutputStream o = out;
        o.write(content.getBytes());
        out.closeEntry();
    }
}
