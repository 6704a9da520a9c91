package io.miragej.unix;

import io.miragej.kv.KvException;
import io.miragej.kv.KvException.Reason;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadWriteKv;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A key-value store on a host directory: dictionaries are directories, values are files. Writes
 * are atomic: a value is written to a temporary file, synced, and renamed over the old one, then
 * the directory is synced, so a crash leaves the old value or the new one. Symbolic links are not
 * followed out of the store. Temporary files (names starting {@value #TEMP_PREFIX}) are hidden,
 * and keys may not use that prefix.
 */
public final class DirectoryKv implements ReadWriteKv {
    static final String TEMP_PREFIX = ".mirage-tmp-";

    private final Path root;
    private final boolean readOnly;

    private DirectoryKv(Path root, boolean readOnly) {
        this.root = root;
        this.readOnly = readOnly;
    }

    /**
     * Opens the store at {@code directory}. A read-write store creates the directory when it is
     * missing; a read-only one requires it.
     */
    public static DirectoryKv open(Path directory, boolean readOnly) throws IOException {
        if (!Files.exists(directory)) {
            if (readOnly) {
                throw new NoSuchFileException(directory.toString(), null,
                        "the directory of a read-only key-value store must exist");
            }
            Files.createDirectories(directory);
        }
        if (!Files.isDirectory(directory)) {
            throw new IOException(directory + " is not a directory; a key-value store needs one");
        }
        return new DirectoryKv(directory.toRealPath(), readOnly);
    }

    private Path pathOf(KvKey key) throws KvException {
        Path p = root;
        for (String s : key.segments()) {
            if (s.startsWith(TEMP_PREFIX)) {
                throw new KvException(Reason.NOT_FOUND, key, "names starting " + TEMP_PREFIX + " are reserved");
            }
            p = p.resolve(s);
            if (Files.isSymbolicLink(p)) {
                try {
                    if (!p.toRealPath().startsWith(root)) {
                        throw new KvException(Reason.NOT_FOUND, key, "a symbolic link in the store points outside it");
                    }
                } catch (IOException e) {
                    throw KvException.notFound(key);
                }
            }
        }
        return p;
    }

    @Override
    public Optional<Kind> exists(KvKey key) throws KvException {
        Path p = pathOf(key);
        if (Files.isDirectory(p)) {
            return Optional.of(Kind.DICTIONARY);
        }
        if (Files.isRegularFile(p)) {
            return Optional.of(Kind.VALUE);
        }
        return Optional.empty();
    }

    @Override
    public byte[] get(KvKey key) throws KvException {
        Path p = pathOf(key);
        if (Files.isDirectory(p)) {
            throw new KvException(Reason.VALUE_EXPECTED, key, "is a dictionary, not a value");
        }
        try {
            return FileBytes.read(p);
        } catch (NoSuchFileException e) {
            throw KvException.notFound(key);
        } catch (IOException e) {
            throw io(key, e);
        }
    }

    @Override
    public byte[] getPartial(KvKey key, long offset, int length) throws KvException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be non-negative");
        }
        Path p = pathOf(key);
        if (Files.isDirectory(p)) {
            throw new KvException(Reason.VALUE_EXPECTED, key, "is a dictionary, not a value");
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            int n = (int) Math.max(0, Math.min(length, ch.size() - offset));
            return FileBytes.read(ch, offset, n, false);
        } catch (NoSuchFileException e) {
            throw KvException.notFound(key);
        } catch (IOException e) {
            throw io(key, e);
        }
    }

    @Override
    public long size(KvKey key) throws KvException {
        Path p = pathOf(key);
        if (Files.isDirectory(p)) {
            throw new KvException(Reason.VALUE_EXPECTED, key, "is a dictionary, not a value");
        }
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            throw KvException.notFound(key);
        } catch (IOException e) {
            throw io(key, e);
        }
    }

    @Override
    public List<Entry> list(KvKey key) throws KvException {
        Path p = pathOf(key);
        if (Files.isRegularFile(p)) {
            throw new KvException(Reason.DICTIONARY_EXPECTED, key, "is a value, not a dictionary");
        }
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
            for (Path child : ds) {
                String name = child.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX)) {
                    continue;
                }
                if (Files.isDirectory(child)) {
                    out.add(new Entry(name, Kind.DICTIONARY));
                } else if (Files.isRegularFile(child)) {
                    out.add(new Entry(name, Kind.VALUE));
                }
            }
        } catch (NoSuchFileException e) {
            throw KvException.notFound(key);
        } catch (IOException e) {
            throw io(key, e);
        }
        out.sort(Comparator.comparing(Entry::name));
        return out;
    }

    @Override
    public Instant lastModified(KvKey key) throws KvException {
        try {
            return Files.getLastModifiedTime(pathOf(key)).toInstant();
        } catch (NoSuchFileException e) {
            throw KvException.notFound(key);
        } catch (IOException e) {
            throw io(key, e);
        }
    }

    @Override
    public void set(KvKey key, byte[] value) throws KvException {
        checkWritable(key);
        if (key.isRoot()) {
            throw new KvException(Reason.VALUE_EXPECTED, key, "the root is a dictionary");
        }
        Path p = pathOf(key);
        Path dir = p.getParent();
        try {
            makeDictionaries(key.parent());
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new KvException(Reason.VALUE_EXPECTED, key, "is a dictionary; remove it first");
            }
            Path tmp = dir.resolve(TEMP_PREFIX + p.getFileName() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    FileBytes.write(ch, value);
                    ch.force(true);
                }
                Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            syncDirectory(dir);
        } catch (KvException e) {
            throw e;
        } catch (IOException e) {
            throw io(key, e);
        }
    }

    /** Creates the dictionaries down to {@code dict}, failing if a value stands in the way. */
    private void makeDictionaries(KvKey dict) throws KvException, IOException {
        Path p = root;
        KvKey at = KvKey.ROOT;
        for (String s : dict.segments()) {
            p = p.resolve(s);
            at = at.child(s);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new KvException(Reason.DICTIONARY_EXPECTED, at, "is a value, so nothing can be stored under it");
            }
            if (!Files.isDirectory(p)) {
                Files.createDirectory(p);
                syncDirectory(p.getParent());
            }
        }
    }

    @Override
    public void remove(KvKey key) throws KvException {
        checkWritable(key);
        Path p = pathOf(key);
        try {
            if (key.isRoot()) {
                for (Entry e : list(key)) {
                    remove(key.child(e.name()));
                }
                return;
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                // Rename first so the dictionary disappears at once, then delete at leisure.
                Path doomed = p.resolveSibling(TEMP_PREFIX + "rm-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
                Files.move(p, doomed, StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(p.getParent());
                deleteTree(doomed);
            } else {
                Files.delete(p);
                syncDirectory(p.getParent());
            }
        } catch (KvException e) {
            throw e;
        } catch (IOException e) {
            throw io(key, e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        Files.walkFileTree(p, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private void checkWritable(KvKey key) throws KvException {
        if (readOnly) {
            throw new KvException(Reason.READ_ONLY, key, "the store on " + root + " is read-only");
        }
    }

    private static KvException io(KvKey key, IOException e) {
        if (e instanceof AccessDeniedException) {
            return new KvException(Reason.IO, key, "permission denied: " + e.getMessage(), e);
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null && fse.getReason().contains("space")) {
            return new KvException(Reason.NO_SPACE, key, "no space left: " + e.getMessage(), e);
        }
        return new KvException(Reason.IO, key, e.toString(), e);
    }

    @Override
    public String toString() {
        return "DirectoryKv[" + root + (readOnly ? ", read-only]" : "]");
    }
}
