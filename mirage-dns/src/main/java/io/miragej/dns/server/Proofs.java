package io.miragej.dns.server;

import io.miragej.dns.DnsWriter;
import io.miragej.dns.Name;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The denial-of-existence chain of a signed zone: its NSEC records in canonical order (RFC 4034
 * §4), or its NSEC3 records in hash order (RFC 5155), each with its RRSIGs prebuilt as bytes that
 * hold no compression pointer, so the packet path can put them anywhere in a response. Lookups
 * by {@link Name} serve the compiler; the array lookups serve the packet path without allocating.
 */
final class Proofs {
    final boolean nsec3;
    /** NSEC: owners lower-cased in wire form, canonical order, with their label offsets. */
    private final byte[][] owners;
    private final int[][] ownerLabels;
    /** NSEC3: the hashed owner names (the raw hash bytes), ascending as unsigned bytes. */
    private final byte[][] hashes;
    private final byte[] salt;
    private final int iterations;
    /** Per chain entry: its NSEC or NSEC3 RRset, and the RRset with its RRSIGs as bytes. */
    final List<List<Record>> sets;
    final byte[][] blobs;
    final int[] blobCounts;

    private Proofs(boolean nsec3, byte[][] owners, int[][] ownerLabels, byte[][] hashes, byte[] salt,
            int iterations, List<List<Record>> sets, List<List<Record>> sigs) {
        this.nsec3 = nsec3;
        this.owners = owners;
        this.ownerLabels = ownerLabels;
        this.hashes = hashes;
        this.salt = salt;
        this.iterations = iterations;
        this.sets = sets;
        this.blobs = new byte[sets.size()][];
        this.blobCounts = new int[sets.size()];
        for (int i = 0; i < sets.size(); i++) {
            DnsWriter w = new DnsWriter(65535);
            int count = 0;
            for (List<Record> part : List.of(sets.get(i), sigs.get(i))) {
                for (Record r : part) {
                    w.name(r.owner(), false);
                    w.u16(r.type()).u16(r.rrClass()).u32(r.ttl());
                    int at = w.position();
                    w.u16(0);
                    r.rdata().write(w); // NSEC, NSEC3 and RRSIG names are never compressed
                    w.setU16(at, w.position() - at - 2);
                    count++;
                }
            }
            blobs[i] = w.toByteArray();
            blobCounts[i] = count;
        }
    }

    /**
     * The chain of a zone given its records by owner and type and its RRSIGs by owner and type
     * covered; null when the zone has neither NSEC nor NSEC3 records.
     */
    static Proofs of(Name apex, Map<Name, ? extends Map<Integer, List<Record>>> data,
            Map<Name, Map<Integer, List<Record>>> sigs) {
        Map<Integer, List<Record>> atApex = data.get(apex);
        List<Record> param = atApex == null ? null : atApex.get(RrType.NSEC3PARAM);
        List<Name> nsecOwners = new ArrayList<>();
        List<Name> nsec3Owners = new ArrayList<>();
        for (var e : data.entrySet()) {
            if (e.getValue().containsKey(RrType.NSEC)) {
                nsecOwners.add(e.getKey());
            }
            if (e.getValue().containsKey(RrType.NSEC3)) {
                nsec3Owners.add(e.getKey());
            }
        }
        if (param != null && !nsec3Owners.isEmpty()) {
            byte[] p = param.getFirst().rdata().toWire();
            int iterations = ((p[2] & 0xff) << 8) | (p[3] & 0xff);
            byte[] salt = Arrays.copyOfRange(p, 5, 5 + (p[4] & 0xff));
            List<Object[]> entries = new ArrayList<>();
            for (Name o : nsec3Owners) {
                byte[] hash;
                try {
                    // The first label is the hash in base32hex; an NSEC3 RDATA parses it for us.
                    hash = io.miragej.dns.Rdata.parse(RrType.NSEC3, "1 0 0 - "
                            + new String(o.label(0), java.nio.charset.StandardCharsets.ISO_8859_1), Name.ROOT)
                            .toWire();
                } catch (IllegalArgumentException notBase32) {
                    continue; // an owner that is not a hash cannot be matched
                }
                entries.add(new Object[] {Arrays.copyOfRange(hash, 6, hash.length), o});
            }
            entries.sort((x, y) -> Arrays.compareUnsigned((byte[]) x[0], (byte[]) y[0]));
            byte[][] hashes = new byte[entries.size()][];
            List<List<Record>> sets = new ArrayList<>();
            List<List<Record>> sigSets = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                hashes[i] = (byte[]) entries.get(i)[0];
                Name o = (Name) entries.get(i)[1];
                sets.add(data.get(o).get(RrType.NSEC3));
                sigSets.add(sigsOf(sigs, o, RrType.NSEC3));
            }
            return new Proofs(true, null, null, hashes, salt, iterations, sets, sigSets);
        }
        if (nsecOwners.isEmpty()) {
            return null;
        }
        nsecOwners.sort(Comparator.naturalOrder());
        byte[][] owners = new byte[nsecOwners.size()][];
        int[][] labels = new int[nsecOwners.size()][];
        List<List<Record>> sets = new ArrayList<>();
        List<List<Record>> sigSets = new ArrayList<>();
        for (int i = 0; i < owners.length; i++) {
            Name o = nsecOwners.get(i);
            owners[i] = o.toLowerCase().toWire();
            int[] off = new int[128];
            int n = NameTable.labelOffsets(owners[i], owners[i].length, off);
            labels[i] = Arrays.copyOf(off, n);
            sets.add(data.get(o).get(RrType.NSEC));
            sigSets.add(sigsOf(sigs, o, RrType.NSEC));
        }
        return new Proofs(false, owners, labels, null, null, 0, sets, sigSets);
    }

    private static List<Record> sigsOf(Map<Name, Map<Integer, List<Record>>> sigs, Name owner, int type) {
        Map<Integer, List<Record>> m = sigs.get(owner);
        List<Record> l = m == null ? null : m.get(type);
        return l == null ? List.of() : l;
    }

    int size() {
        return sets.size();
    }

    // ---- NSEC ----

    /** The NSEC whose owner is {@code n}, or -1. */
    int nsecMatching(Name n) {
        int i = nsecCovering(n);
        return i >= 0 && Arrays.equals(owners[i], n.toLowerCase().toWire()) ? i : -1;
    }

    /** The NSEC with the greatest owner not after {@code n} in canonical order: it covers or matches {@code n}. */
    int nsecCovering(Name n) {
        byte[] w = n.toLowerCase().toWire();
        int[] off = new int[128];
        int labels = NameTable.labelOffsets(w, w.length, off);
        return nsecCovering(w, off, 0, labels);
    }

    /**
     * The same for a lower-cased wire name in {@code lc} whose labels {@code [first, labels)}
     * start at {@code offsets[first..]}; allocates nothing.
     */
    int nsecCovering(byte[] lc, int[] offsets, int first, int labels) {
        int lo = 0;
        int hi = owners.length - 1;
        int found = owners.length - 1; // before the first owner: the last NSEC wraps around
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(owners[mid], ownerLabels[mid], 0, ownerLabels[mid].length, lc, offsets, first, labels);
            if (c <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Canonical order (RFC 4034 §6.1) of two lower-cased wire names given by their label offsets. */
    static int compare(byte[] a, int[] aOff, int aFirst, int aLabels, byte[] b, int[] bOff, int bFirst, int bLabels) {
        int i = aLabels - 1;
        int j = bLabels - 1;
        while (i >= aFirst && j >= bFirst) {
            int pa = aOff[i];
            int pb = bOff[j];
            int la = a[pa] & 0xff;
            int lb = b[pb] & 0xff;
            int c = Arrays.compareUnsigned(a, pa + 1, pa + 1 + la, b, pb + 1, pb + 1 + lb);
            if (c != 0) {
                return c;
            }
            i--;
            j--;
        }
        return Integer.compare(aLabels - aFirst, bLabels - bFirst);
    }

    // ---- NSEC3 ----

    /** The NSEC3 record matching {@code n}'s hash, or -1. */
    int nsec3Matching(Name n) {
        byte[] h = hash(n);
        int i = nsec3Covering(h);
        return i >= 0 && Arrays.equals(hashes[i], h) ? i : -1;
    }

    /** The NSEC3 record covering (or matching) {@code n}'s hash. */
    int nsec3Covering(Name n) {
        return nsec3Covering(hash(n));
    }

    /** The NSEC3 with the greatest hash not above {@code h}; the last one wraps around. */
    int nsec3Covering(byte[] h) {
        int lo = 0;
        int hi = hashes.length - 1;
        int found = hashes.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Arrays.compareUnsigned(hashes[mid], h) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private byte[] hash(Name n) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            byte[] w = n.toLowerCase().toWire();
            byte[] out = new byte[20];
            if (!hash(md, w, 0, w.length, out)) {
                throw new IllegalStateException("SHA-1 failed");
            }
            return out;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JDK", e);
        }
    }

    /**
     * The NSEC3 hash (RFC 5155 §5) of the lower-cased wire name {@code lc[from, from+len)} into
     * {@code out} (20 bytes), with {@code md} a SHA-1 digest the caller keeps; allocates nothing.
     */
    boolean hash(MessageDigest md, byte[] lc, int from, int len, byte[] out) {
        try {
            md.update(lc, from, len);
            md.update(salt);
            md.digest(out, 0, 20);
            for (int i = 0; i < iterations; i++) {
                md.update(out, 0, 20);
                md.update(salt);
                md.digest(out, 0, 20);
            }
            return true;
        } catch (DigestException e) {
            md.reset();
            return false;
        }
    }
}
