package io.miragej.unix;

import io.miragej.kv.KvException;
import io.miragej.kv.KvException.Reason;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A read-only store over resources shipped with the application, under a folder such as {@code
 * static/}: from the application's jar, or from a build's class folder during development. The
 * tree is indexed once, when the store opens; values are read on demand. Resources in every jar
 * and folder on the class path that holds the folder are merged.
 */
public final class ResourceKv implements ReadOnlyKv {
    private sealed interface Node permits Value, Dictionary {}

    /** A file on disk, or an entry ({@code jarEntry} not null) of the jar at {@code file}. */
    private record Value(Path file, String jarEntry, long size, Instant modified) implements Node {
        byte[] read() throws IOException {
            if (jarEntry == null) {
                return FileBytes.read(file);
            }
            try (JarFile jar = new JarFile(file.toFile()); InputStream in = jar.getInputStream(jar.getJarEntry(jarEntry))) {
                return in.readAllBytes();
            }
        }

        @Override
        public String toString() {
            return jarEntry == null ? file.toString() : file + "!/" + jarEntry;
        }
    }

    private record Dictionary(TreeSet<String> children, Instant modified) implements Node {}

    private final String folder;
    private final Map<KvKey, Node> index = new TreeMap<>();

    private ResourceKv(String folder) {
        this.folder = folder;
        index.put(KvKey.ROOT, new Dictionary(new TreeSet<>(), Instant.EPOCH));
    }

    /**
     * Indexes the resources under {@code folder} (like "static" or "/static") visible to {@code
     * loader}.
     *
     * @throws IOException when no such folder is on the class path
     */
    public static ResourceKv open(ClassLoader loader, String folder) throws IOException {
        String f = folder.replaceAll("^/+|/+$", "");
        if (f.isEmpty()) {
            throw new IllegalArgumentException("serve a folder of resources, like classpath:/static, not the whole class path");
        }
        ResourceKv kv = new ResourceKv(f);
        Enumeration<URL> roots = loader.getResources(f);
        boolean found = false;
        while (roots.hasMoreElements()) {
            URL url = roots.nextElement();
            found = true;
            switch (url.getProtocol()) {
                case "file" -> kv.indexFolder(url);
                case "jar" -> kv.indexJar(url);
                default -> throw new IOException("cannot list resources at " + url + ": only folders and jars are supported");
            }
        }
        if (!found) {
            throw new IOException("no resource folder '" + f + "' on the class path; put the files under"
                    + " src/main/resources/" + f + " in the application's project");
        }
        return kv;
    }

    private void indexFolder(URL url) throws IOException {
        Path base;
        try {
            base = Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException("bad resource URL " + url, e);
        }
        try (Stream<Path> files = Files.walk(base)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    add(KvKey.parse(base.relativize(p).toString().replace('\\', '/')),
                            new Value(p, null, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
                }
            }
        }
    }

    private void indexJar(URL url) throws IOException {
        JarURLConnection c = (JarURLConnection) url.openConnection();
        c.setUseCaches(false);
        try (JarFile jar = c.getJarFile()) {
            String prefix = folder + "/";
            Path jarPath;
            try {
                jarPath = Path.of(c.getJarFileURL().toURI());
            } catch (URISyntaxException e) {
                throw new IOException("bad jar URL " + url, e);
            }
            for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
                JarEntry e = en.nextElement();
                if (!e.isDirectory() && e.getName().startsWith(prefix) && e.getName().length() > prefix.length()) {
                    add(KvKey.parse(e.getName().substring(prefix.length())), new Value(jarPath, e.getName(),
                            e.getSize(), Instant.ofEpochMilli(Math.max(0, e.getTime()))));
                }
            }
        }
    }

    private void add(KvKey key, Value value) {
        if (key.isRoot() || index.containsKey(key)) {
            return; // the first class path entry wins, as with ClassLoader.getResource
        }
        KvKey at = KvKey.ROOT;
        for (int i = 0; i < key.segments().size() - 1; i++) {
            KvKey next = at.child(key.segments().get(i));
            if (index.get(next) instanceof Value) {
                return; // a file and a folder of one name: keep the file
            }
            ((Dictionary) index.get(at)).children().add(next.name());
            index.computeIfAbsent(next, k -> new Dictionary(new TreeSet<>(), value.modified()));
            at = next;
        }
        if (index.get(at) instanceof Dictionary d) {
            d.children().add(key.name());
            index.put(key, value);
        }
    }

    private Node node(KvKey key) throws KvException {
        Node n = index.get(key);
        if (n == null) {
            throw KvException.notFound(key);
        }
        return n;
    }

    @Override
    public Optional<Kind> exists(KvKey key) {
        Node n = index.get(key);
        return n == null ? Optional.empty() : Optional.of(n instanceof Value ? Kind.VALUE : Kind.DICTIONARY);
    }

    @Override
    public byte[] get(KvKey key) throws KvException {
        if (!(node(key) instanceof Value v)) {
            throw new KvException(Reason.VALUE_EXPECTED, key, "is a dictionary, not a value");
        }
        try {
            return v.read();
        } catch (IOException e) {
            throw new KvException(Reason.IO, key, "cannot read resource " + v + ": " + e, e);
        }
    }

    @Override
    public long size(KvKey key) throws KvException {
        if (!(node(key) instanceof Value v)) {
            throw new KvException(Reason.VALUE_EXPECTED, key, "is a dictionary, not a value");
        }
        return v.size() >= 0 ? v.size() : get(key).length;
    }

    @Override
    public List<Entry> list(KvKey key) throws KvException {
        if (!(node(key) instanceof Dictionary d)) {
            throw new KvException(Reason.DICTIONARY_EXPECTED, key, "is a value, not a dictionary");
        }
        List<Entry> out = new ArrayList<>();
        for (String name : d.children()) {
            out.add(new Entry(name, index.get(key.child(name)) instanceof Value ? Kind.VALUE : Kind.DICTIONARY));
        }
        return out;
    }

    @Override
    public Instant lastModified(KvKey key) throws KvException {
        return switch (node(key)) {
            case Value v -> v.modified();
            case Dictionary d -> d.modified();
        };
    }

    @Override
    public String toString() {
        return "ResourceKv[classpath:/" + folder + ", " + index.size() + " keys]";
    }
}
