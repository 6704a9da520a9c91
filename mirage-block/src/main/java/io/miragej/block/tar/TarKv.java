package io.miragej.block.tar;

import io.miragej.block.internal.ByteIo;
import io.miragej.device.Block;
import io.miragej.kv.KvException;
import io.miragej.kv.KvException.Reason;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A read-only key-value store over a tar archive on a {@link Block} device, like MirageOS's
 * tar-mirage: the archive is scanned once when opened, into an index of names (memory grows
 * with the number of entries, not with their size); values are read from the device on demand.
 *
 * <p>Reads POSIX.1-2001 ustar and pax archives (extended headers {@code x} and global headers
 * {@code g}: {@code path}, {@code linkpath}, {@code size}, {@code mtime}) and GNU tar's own format
 * (long names and link names {@code L}/{@code K}, base-256 numbers). Regular files are values,
 * directories dictionaries (also those only implied by a path); a hard link is a value with its
 * target's bytes. Symbolic links, devices, FIFOs, GNU sparse files and entries whose names leave
 * the archive ({@code ..}) are skipped and counted in {@link #skippedEntries()}. When a name occurs
 * twice, the later entry wins, as when tar extracts.
 */
public final class TarKv implements ReadOnlyKv {
    /** Largest extended header or GNU long name accepted, in bytes. */
    public static final int MAX_METADATA = 1 << 20;
    /** Default bound on the number of entries indexed. */
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;

    private final Block device;
    private final Dir root;
    private final int skipped;

    private sealed interface Node permits Dir, FileEntry {}

    private static final class Dir implements Node {
        final TreeMap<String, Node> children = new TreeMap<>();
        long mtime;
        boolean explicitTime;

        Dir(long mtime) {
            this.mtime = mtime;
        }
    }

    private record FileEntry(long offset, long size, long mtime) implements Node {}

    private TarKv(Block device, int skipped, Dir root) {
        this.device = device;
        this.skipped = skipped;
        this.root = root;
    }

    /** Opens the archive on {@code device}, indexing at most {@value #DEFAULT_MAX_ENTRIES} entries. */
    public static TarKv open(Block device) throws IOException {
        return open(device, DEFAULT_MAX_ENTRIES);
    }

    /**
     * Opens the archive on {@code device}.
     *
     * @throws KvException CORRUPT when the device holds no tar archive or a damaged one (saying
     *     where), NO_SPACE when it has more than {@code maxEntries} entries, IO when the device fails
     */
    public static TarKv open(Block device, int maxEntries) throws IOException {
        Scanner s = new Scanner(device, maxEntries);
        try {
            s.scan();
        } catch (TarFormatException e) {
            throw new KvException(Reason.CORRUPT, KvKey.ROOT, e.getMessage());
        } catch (KvException e) {
            throw e;
        } catch (IOException e) {
            throw new KvException(Reason.IO, KvKey.ROOT, "reading the archive failed: " + e.getMessage(), e);
        }
        return new TarKv(device, s.skipped, s.root);
    }

    /** Entries left out of the store (links to nowhere, devices, unsafe names...). */
    public int skippedEntries() {
        return skipped;
    }

    /** Reads the archive's headers in order and builds the index. */
    private static final class Scanner {
        final Block device;
        final int maxEntries;
        final Dir root = new Dir(0);
        final Map<String, String> global = new TreeMap<>();
        int entries;
        int skipped;

        Scanner(Block device, int maxEntries) {
            this.device = device;
            this.maxEntries = maxEntries;
        }

        void scan() throws IOException, TarFormatException {
            long end = device.sizeBytes();
            long pos = 0;
            Map<String, String> pax = null;
            String longName = null;
            String longLink = null;
            byte[] block = new byte[TarHeader.BLOCK];
            while (pos + TarHeader.BLOCK <= end) {
                ByteIo.read(device, pos, block, 0, TarHeader.BLOCK);
                if (TarHeader.isZero(block, 0)) {
                    return; // the end-of-archive marker
                }
                TarHeader h = TarHeader.parse(block, 0, pos);
                long size = h.size();
                if (pax != null && pax.containsKey("size")) {
                    size = decimal(pax.get("size"), pos, "size");
                } else if (global.containsKey("size")) {
                    size = decimal(global.get("size"), pos, "size");
                }
                if (isMetadata(h.type())) {
                    size = h.size(); // an extended header's own length is its header's
                }
                long data = pos + TarHeader.BLOCK;
                if (size > end - data) {
                    throw new TarFormatException("the entry at byte " + pos + " claims " + size
                            + " bytes, past the end of the device (" + end + " bytes)");
                }
                switch (h.type()) {
                    case 'x' -> pax = PaxRecords.parse(metadata(data, size, pos), pos);
                    case 'g' -> global.putAll(PaxRecords.parse(metadata(data, size, pos), pos));
                    case 'L' -> longName = TarHeader.string(metadata(data, size, pos), 0, (int) size);
                    case 'K' -> longLink = TarHeader.string(metadata(data, size, pos), 0, (int) size);
                    default -> {
                        String name = pax != null && pax.containsKey("path") ? pax.get("path")
                                : longName != null ? longName : h.name();
                        String link = pax != null && pax.containsKey("linkpath") ? pax.get("linkpath")
                                : longLink != null ? longLink : h.linkName();
                        String mtimeText = pax != null && pax.containsKey("mtime") ? pax.get("mtime") : global.get("mtime");
                        long mtime = mtimeText != null ? seconds(mtimeText, pos) : h.mtime();
                        add(h, name, link, data, size, mtime);
                        pax = null;
                        longName = null;
                        longLink = null;
                    }
                }
                pos = data + (size + TarHeader.BLOCK - 1) / TarHeader.BLOCK * TarHeader.BLOCK;
            }
        }

        private static boolean isMetadata(char type) {
            return type == 'x' || type == 'g' || type == 'L' || type == 'K';
        }

        private byte[] metadata(long at, long size, long pos) throws IOException, TarFormatException {
            if (size > MAX_METADATA) {
                throw new TarFormatException("the extended header at byte " + pos + " is " + size + " bytes, more than the "
                        + MAX_METADATA + " accepted");
            }
            return ByteIo.read(device, at, (int) size);
        }

        private static long decimal(String s, long pos, String what) throws TarFormatException {
            try {
                long v = Long.parseLong(s.strip());
                if (v < 0) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new TarFormatException("the pax " + what + " '" + s + "' for the entry at byte " + pos + " is not a number");
            }
        }

        /** A pax time: decimal seconds, perhaps with a fraction, perhaps negative. */
        private static long seconds(String s, long pos) throws TarFormatException {
            String whole = s.strip();
            int dot = whole.indexOf('.');
            if (dot >= 0) {
                whole = whole.substring(0, dot);
            }
            try {
                return Long.parseLong(whole);
            } catch (NumberFormatException e) {
                throw new TarFormatException("the pax mtime '" + s + "' for the entry at byte " + pos + " is not a number");
            }
        }

        /** The key for a member name, or null when it is unsafe (".."), empty, or not a valid key. */
        private static KvKey keyOf(String name) {
            List<String> parts = new ArrayList<>();
            for (String p : name.split("/")) {
                if (p.isEmpty() || p.equals(".")) {
                    continue;
                }
                if (p.equals("..")) {
                    return null;
                }
                parts.add(p);
            }
            try {
                return new KvKey(parts);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        private void add(TarHeader h, String name, String link, long data, long size, long mtime) throws KvException {
            if (++entries > maxEntries) {
                throw new KvException(Reason.NO_SPACE, KvKey.ROOT, "the archive holds more than " + maxEntries
                        + " entries; open it with a higher limit");
            }
            KvKey key = keyOf(name);
            char type = h.type();
            boolean directory = type == '5' || ((type == '0' || type == 0) && name.endsWith("/"));
            if (key == null) {
                skipped++;
                return;
            }
            if (key.isRoot()) {
                if (directory) {
                    root.mtime = mtime;
                    root.explicitTime = true;
                } else {
                    skipped++;
                }
                return;
            }
            Node node;
            if (directory) {
                node = null;
            } else if (type == '0' || type == 0 || type == '7') {
                node = new FileEntry(data, size, mtime);
            } else if (type == '1') {
                KvKey target = keyOf(link);
                Node t = target == null ? null : TarKv.find(root, target);
                if (!(t instanceof FileEntry f)) {
                    skipped++;
                    return;
                }
                node = new FileEntry(f.offset(), f.size(), mtime);
            } else {
                skipped++; // symbolic links, devices, FIFOs, sparse files, volume labels
                return;
            }
            Dir d = root;
            for (String s : key.segments().subList(0, key.segments().size() - 1)) {
                if (!d.explicitTime) {
                    d.mtime = Math.max(d.mtime, mtime);
                }
                Node child = d.children.get(s);
                if (child == null) {
                    Dir made = new Dir(mtime);
                    d.children.put(s, made);
                    d = made;
                } else if (child instanceof Dir existing) {
                    d = existing;
                } else {
                    skipped++; // a file is in the way, as when tar would fail to extract it
                    return;
                }
            }
            if (!d.explicitTime) {
                d.mtime = Math.max(d.mtime, mtime);
            }
            Node existing = d.children.get(key.name());
            if (directory) {
                if (existing instanceof Dir dir) {
                    dir.mtime = mtime;
                    dir.explicitTime = true;
                } else if (existing == null) {
                    Dir made = new Dir(mtime);
                    made.explicitTime = true;
                    d.children.put(key.name(), made);
                } else {
                    skipped++;
                }
            } else if (existing instanceof Dir dir && !dir.children.isEmpty()) {
                skipped++; // a file cannot replace a directory holding entries
            } else {
                d.children.put(key.name(), node);
            }
        }
    }

    private Node find(KvKey key) {
        return find(root, key);
    }

    private static Node find(Dir root, KvKey key) {
        Node n = root;
        for (String s : key.segments()) {
            if (!(n instanceof Dir d)) {
                return null;
            }
            n = d.children.get(s);
        }
        return n;
    }

    private FileEntry file(KvKey key) throws KvException {
        Node n = find(key);
        if (n == null) {
            throw KvException.notFound(key);
        }
        if (n instanceof FileEntry f) {
            return f;
        }
        throw new KvException(Reason.VALUE_EXPECTED, key, "is a directory of the archive");
    }

    @Override
    public Optional<Kind> exists(KvKey key) {
        Node n = find(key);
        return n == null ? Optional.empty() : Optional.of(n instanceof Dir ? Kind.DICTIONARY : Kind.VALUE);
    }

    @Override
    public byte[] get(KvKey key) throws KvException {
        FileEntry f = file(key);
        if (f.size() > Integer.MAX_VALUE - 8) {
            throw new KvException(Reason.NO_SPACE, key, "a value of " + f.size() + " bytes does not fit in an array;"
                    + " read it with getPartial");
        }
        return read(key, f.offset(), (int) f.size());
    }

    @Override
    public byte[] getPartial(KvKey key, long offset, int length) throws KvException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be non-negative");
        }
        FileEntry f = file(key);
        if (offset >= f.size()) {
            return new byte[0];
        }
        return read(key, f.offset() + offset, (int) Math.min(length, f.size() - offset));
    }

    private byte[] read(KvKey key, long at, int length) throws KvException {
        try {
            return ByteIo.read(device, at, length);
        } catch (IOException e) {
            throw new KvException(Reason.IO, key, "reading the archive failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long size(KvKey key) throws KvException {
        return file(key).size();
    }

    @Override
    public List<Entry> list(KvKey key) throws KvException {
        Node n = find(key);
        if (n == null) {
            throw KvException.notFound(key);
        }
        if (!(n instanceof Dir d)) {
            throw new KvException(Reason.DICTIONARY_EXPECTED, key, "is a file of the archive");
        }
        List<Entry> out = new ArrayList<>();
        d.children.forEach((name, child) -> out.add(new Entry(name, child instanceof Dir ? Kind.DICTIONARY : Kind.VALUE)));
        out.sort(java.util.Comparator.comparing(Entry::name));
        return out;
    }

    @Override
    public Instant lastModified(KvKey key) throws KvException {
        Node n = find(key);
        if (n == null) {
            throw KvException.notFound(key);
        }
        return Instant.ofEpochSecond(n instanceof Dir d ? d.mtime : ((FileEntry) n).mtime());
    }

    @Override
    public String toString() {
        return "TarKv[" + device + "]";
    }
}
