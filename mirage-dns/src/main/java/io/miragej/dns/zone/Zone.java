package io.miragej.dns.zone;

import io.miragej.dns.Name;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records of one zone, checked: exactly one SOA, at the apex; NS records at the apex; every
 * owner inside the zone; a CNAME alone at its name (RFC 2181 §10.1, RFC 1034 §3.6.2; DNSSEC
 * records excepted, RFC 4035 §2.5); nothing below a DNAME (RFC 6672 §2.4); below a delegation
 * only glue addresses, and glue for every name server inside the delegated zone. Duplicate records
 * are dropped; records of one RRset take the TTL of the first (RFC 2181 §5.2), with a warning.
 * Immutable.
 */
public final class Zone {
    private final Name apex;
    private final List<Record> records;
    private final Record soa;
    private final List<String> warnings;

    private Zone(Name apex, List<Record> records, Record soa, List<String> warnings) {
        this.apex = apex;
        this.records = records;
        this.soa = soa;
        this.warnings = warnings;
    }

    /** Checks {@code records} and makes a zone named by its SOA's owner. */
    public static Zone of(List<Record> records) throws ZoneException {
        return of(records, null, null);
    }

    /**
     * Checks {@code records} and makes a zone named by its SOA's owner; {@code locations} (in the
     * same order, or null) says where each record came from, for error messages.
     */
    static Zone of(List<Record> records, List<Location> locations, String source) throws ZoneException {
        Checker c = new Checker(records, locations, source);
        return c.check();
    }

    /** Where a record was read: file and line. */
    record Location(String file, int line) {}

    public Name name() {
        return apex;
    }

    /** The SOA record. */
    public Record soa() {
        return soa;
    }

    /** The SOA serial. */
    public long serial() {
        return soa.rdata().numberField(2);
    }

    /**
     * Every record, SOA first, then in canonical order of owner and type (RFC 4034 §6.1). The
     * zone keeps them packed in wire form: each {@code get} decodes a new, equal record.
     */
    public List<Record> records() {
        return records;
    }

    /** Things that were fixed up on load (RRset TTLs made equal, duplicates dropped). */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return "zone " + apex + " serial " + serial() + " (" + records.size() + " records)";
    }

    private static final class Checker {
        private final List<Record> input;
        private final List<Location> locations;
        private final String source;
        private final List<String> warnings = new ArrayList<>();

        Checker(List<Record> input, List<Location> locations, String source) {
            this.input = input;
            this.locations = locations;
            this.source = source;
        }

        private ZoneException error(int index, String message) {
            if (locations != null && index >= 0) {
                Location l = locations.get(index);
                return new ZoneException(l.file(), l.line(), message);
            }
            return new ZoneException(source, 0, message);
        }

        private String where(int index) {
            if (locations != null) {
                Location l = locations.get(index);
                return "line " + l.line() + (l.file().equals(locations.getFirst().file()) ? "" : " of " + l.file());
            }
            return "record " + input.get(index);
        }

        Zone check() throws ZoneException {
            int soaAt = -1;
            for (int i = 0; i < input.size(); i++) {
                if (input.get(i).type() == RrType.SOA) {
                    if (soaAt >= 0) {
                        throw error(i, "a second SOA record (the first is at " + where(soaAt)
                                + "); a zone has exactly one, at its apex");
                    }
                    soaAt = i;
                }
            }
            if (soaAt < 0) {
                throw error(-1, "no SOA record: a zone starts with one, like '@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300'");
            }
            Name apex = input.get(soaAt).owner();
            // Group by owner, drop duplicates, make RRset TTLs equal.
            Map<Name, Map<Integer, List<Integer>>> byOwner = new HashMap<>();
            Set<String> seen = new HashSet<>();
            List<Record> kept = new ArrayList<>();
            List<Integer> keptIndex = new ArrayList<>();
            Map<String, Long> rrsetTtl = new HashMap<>();
            for (int i = 0; i < input.size(); i++) {
                Record r = input.get(i);
                if (!r.owner().isSubdomainOf(apex)) {
                    throw error(i, r.owner() + " is outside the zone " + apex + " (its SOA is at "
                            + where(soaAt) + "); check $ORIGIN and names without a trailing dot");
                }
                if (r.type() == RrType.SOA && !r.owner().equals(apex)) {
                    throw error(i, "the SOA must be at the apex");
                }
                String key = r.owner().toLowerCase() + "/" + r.type() + "/" + r.rrClass() + "/"
                        + java.util.HexFormat.of().formatHex(r.rdata().canonical());
                if (!seen.add(key)) {
                    warnings.add("duplicate record dropped at " + where(i) + ": " + r);
                    continue;
                }
                // RRSIGs at one name sign different RRsets and carry their TTLs (RFC 4034 §3).
                String setKey = r.owner().toLowerCase() + "/" + r.type() + "/" + r.rrClass()
                        + (r.type() == RrType.RRSIG ? "/" + r.rdata().numberField(0) : "");
                Long ttl = rrsetTtl.putIfAbsent(setKey, r.ttl());
                if (ttl != null && ttl != r.ttl()) {
                    warnings.add("TTL " + r.ttl() + " at " + where(i) + " differs from its RRset's " + ttl
                            + "; using " + ttl + " (RFC 2181 §5.2)");
                    r = r.withTtl(ttl);
                }
                byOwner.computeIfAbsent(r.owner(), o -> new HashMap<>())
                        .computeIfAbsent(r.type(), t -> new ArrayList<>()).add(kept.size());
                kept.add(r);
                keptIndex.add(i);
            }
            Map<Integer, List<Integer>> atApex = byOwner.get(apex);
            if (atApex == null || !atApex.containsKey(RrType.NS)) {
                throw error(soaAt, "no NS records at the apex " + apex
                        + ": add the zone's name servers, like '@ IN NS ns1." + apex + "'");
            }
            // Delegations: NS records below the apex.
            Set<Name> cuts = new LinkedHashSet<>();
            for (var e : byOwner.entrySet()) {
                if (!e.getKey().equals(apex) && e.getValue().containsKey(RrType.NS)) {
                    cuts.add(e.getKey());
                }
            }
            Set<Name> dnames = new HashSet<>();
            for (var e : byOwner.entrySet()) {
                if (e.getValue().containsKey(RrType.DNAME)) {
                    dnames.add(e.getKey());
                }
            }
            for (var e : byOwner.entrySet()) {
                Name owner = e.getKey();
                Map<Integer, List<Integer>> types = e.getValue();
                if (types.containsKey(RrType.CNAME)) {
                    List<Integer> cn = types.get(RrType.CNAME);
                    int first = keptIndex.get(cn.getFirst());
                    if (cn.size() > 1) {
                        throw error(keptIndex.get(cn.get(1)), owner + " has two CNAME records (the first at "
                                + where(first) + "); a name has at most one");
                    }
                    for (var t : types.entrySet()) {
                        int type = t.getKey();
                        if (type != RrType.CNAME && type != RrType.RRSIG && type != RrType.NSEC
                                && type != RrType.NSEC3) {
                            throw error(keptIndex.get(t.getValue().getFirst()), owner + " has a CNAME (at "
                                    + where(first) + ") and a " + RrType.toString(type)
                                    + " record: a CNAME must be alone at its name; rename one of them");
                        }
                    }
                    if (owner.equals(apex)) {
                        throw error(first, "a CNAME at the zone apex cannot stand beside the SOA and NS records");
                    }
                }
                if (types.containsKey(RrType.DNAME) && types.get(RrType.DNAME).size() > 1) {
                    throw error(keptIndex.get(types.get(RrType.DNAME).get(1)), owner + " has two DNAME records");
                }
                for (Name d : dnames) {
                    if (!owner.equals(d) && owner.isSubdomainOf(d)) {
                        throw error(keptIndex.get(types.values().iterator().next().getFirst()), owner
                                + " is below the DNAME at " + d + ": names below a DNAME are never served"
                                + " (RFC 6672 §2.4); delete them or the DNAME");
                    }
                }
                Name cut = enclosingCut(owner, cuts, apex);
                if (cut != null) {
                    boolean atCut = owner.equals(cut);
                    for (var t : types.entrySet()) {
                        int type = t.getKey();
                        boolean ok = type == RrType.A || type == RrType.AAAA
                                || (atCut && (type == RrType.NS || type == RrType.DS || type == RrType.RRSIG
                                        || type == RrType.NSEC));
                        if (!ok) {
                            int at = keptIndex.get(t.getValue().getFirst());
                            int cutAt = keptIndex.get(byOwner.get(cut).get(RrType.NS).getFirst());
                            throw error(at, owner + " " + RrType.toString(type) + " is "
                                    + (atCut ? "at" : "below") + " the delegation to " + cut + " (NS at "
                                    + where(cutAt) + "), where only glue addresses (A, AAAA)"
                                    + (atCut ? ", NS and DS" : "") + " belong; move it to the child zone");
                        }
                    }
                }
            }
            // Glue: a name server inside the delegated zone needs an address in this one.
            for (Name cut : cuts) {
                for (int k : byOwner.get(cut).get(RrType.NS)) {
                    Name target = kept.get(k).rdata().target();
                    if (target.isSubdomainOf(cut)) {
                        Map<Integer, List<Integer>> t = byOwner.get(target);
                        if (t == null || (!t.containsKey(RrType.A) && !t.containsKey(RrType.AAAA))) {
                            throw error(keptIndex.get(k), "the delegation of " + cut + " names the server "
                                    + target + ", which lies inside it, but there is no glue: add an A or"
                                    + " AAAA record for " + target);
                        }
                    }
                }
            }
            Record soa = kept.get(byOwner.get(apex).get(RrType.SOA).getFirst());
            List<Record> ordered = new ArrayList<>(kept);
            ordered.remove(soa);
            ordered.sort(Comparator.comparing(Record::owner).thenComparingInt(Record::type));
            ordered.addFirst(soa);
            return new Zone(apex, new PackedRecords(apex, ordered), soa, List.copyOf(warnings));
        }

        private static Name enclosingCut(Name owner, Set<Name> cuts, Name apex) {
            if (cuts.isEmpty()) {
                return null;
            }
            Name n = owner;
            Name found = null;
            while (!n.equals(apex)) {
                if (cuts.contains(n)) {
                    found = n; // keep going: the highest cut wins
                }
                n = n.parent();
            }
            return found;
        }
    }
}
