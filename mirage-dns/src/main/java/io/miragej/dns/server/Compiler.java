package io.miragej.dns.server;

import io.miragej.dns.DnsWriter;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.zone.Zone;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns zones into the server's lookup table: a node per name (empty non-terminals included) with
 * every answer prepared as bytes, following RFC 1034 §4.3.2 (exact matches, CNAME chains inside
 * the zone, referrals at delegations with their glue, NXDOMAIN and NODATA with the SOA), RFC 4592
 * (wildcards), RFC 2308 §3 (the negative TTL is the smaller of the SOA's TTL and MINIMUM) and RFC
 * 8482 (ANY answered with one RRset).
 */
final class Compiler {
    /** Most CNAMEs followed inside a zone before giving the chain as it is. */
    static final int MAX_CHAIN = 12;
    private static final int AA = 0x0400;

    private Compiler() {}

    /** The records of one zone by owner and type, with its empty non-terminals and cuts. */
    private static final class Index {
        final Zone zone;
        final Name apex;
        final Map<Name, Map<Integer, List<Record>>> data = new LinkedHashMap<>();
        final Set<Name> names = new LinkedHashSet<>();
        final Set<Name> cuts = new HashSet<>();
        final Record negativeSoa;

        Index(Zone zone) {
            this.zone = zone;
            this.apex = zone.name();
            for (Record r : zone.records()) {
                data.computeIfAbsent(r.owner(), o -> new TreeMap<>()).computeIfAbsent(r.type(), t -> new ArrayList<>()).add(r);
            }
            names.add(apex);
            for (Name n : data.keySet()) {
                for (Name a = n; !a.equals(apex); a = a.parent()) {
                    names.add(a);
                }
                if (!n.equals(apex) && data.get(n).containsKey(RrType.NS)) {
                    cuts.add(n);
                }
            }
            Record soa = zone.soa();
            long minimum = soa.rdata().numberField(6);
            negativeSoa = soa.withTtl(Math.min(soa.ttl(), minimum));
        }

        List<Record> rrset(Name n, int type) {
            Map<Integer, List<Record>> m = data.get(n);
            return m == null ? null : m.get(type);
        }

        Map<Integer, List<Record>> types(Name n) {
            Map<Integer, List<Record>> m = data.get(n);
            return m == null ? Map.of() : m;
        }

        boolean exists(Name n) {
            return names.contains(n);
        }

        /** The highest delegation at or above {@code n} (below the apex), or null. */
        Name cut(Name n) {
            if (cuts.isEmpty() || !n.isSubdomainOf(apex)) {
                return null;
            }
            Name found = null;
            for (Name a = n; !a.equals(apex); a = a.parent()) {
                if (cuts.contains(a)) {
                    found = a;
                }
            }
            return found;
        }

        /** The longest existing ancestor-or-self of {@code n} (at least the apex). */
        Name closestEncloser(Name n) {
            Name a = n;
            while (!names.contains(a)) {
                a = a.parent();
            }
            return a;
        }
    }

    /**
     * Identical answers (the NODATA and NXDOMAIN of names of one length, referrals below one cut)
     * are kept once: a 10,000-name zone then holds about one answer per name.
     */
    private static final ThreadLocal<Map<Answer, Answer>> INTERN = ThreadLocal.withInitial(HashMap::new);

    static Answer intern(Answer a) {
        return INTERN.get().computeIfAbsent(a, x -> x);
    }

    static Authority compile(List<Zone> zones, int maxUdpPayload) {
        try {
            return compileZones(zones, maxUdpPayload);
        } finally {
            INTERN.remove();
        }
    }

    private static Authority compileZones(List<Zone> zones, int maxUdpPayload) {
        List<Index> indexes = new ArrayList<>();
        Set<Name> apexes = new HashSet<>();
        for (Zone z : zones) {
            if (!apexes.add(z.name())) {
                throw new IllegalArgumentException("two zones are named " + z.name() + "; load each zone once");
            }
            indexes.add(new Index(z));
        }
        int total = 0;
        for (Index ix : indexes) {
            total += ix.names.size();
        }
        NameTable table = new NameTable(Math.max(1, total));
        List<CompiledZone> compiled = new ArrayList<>();
        for (Index ix : indexes) {
            CompiledZone cz = new CompiledZone(ix.zone);
            compiled.add(cz);
            Map<Name, Node> nodes = new HashMap<>();
            for (Name n : ix.names) {
                if (belongsToDeeperZone(n, ix.apex, apexes)) {
                    continue; // a zone we also serve, cut below this one, answers for it
                }
                Node node = new Node(n, cz);
                nodes.put(n, node);
            }
            cz.apex = nodes.get(ix.apex);
            for (Node node : nodes.values()) {
                build(ix, node, nodes);
                table.put(node.name.toLowerCase().toWire(), node);
            }
        }
        return new Authority(table, compiled, maxUdpPayload);
    }

    private static boolean belongsToDeeperZone(Name n, Name apex, Set<Name> apexes) {
        for (Name a = n; !a.equals(apex); a = a.parent()) {
            if (apexes.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static void build(Index ix, Node node, Map<Name, Node> nodes) {
        Name n = node.name;
        Name cut = ix.cut(n);
        if (cut != null) {
            Answer referral = referral(ix, cut, n);
            node.otherwise = referral;
            node.below = referral;
            if (n.equals(cut)) {
                // DS lives on the parent side of the cut (RFC 4035 §3.1.4.1).
                List<Record> ds = ix.rrset(n, RrType.DS);
                node.setTyped(new int[] {RrType.DS},
                        new Answer[] {ds != null ? positive(ix, n, RrType.DS, ds) : negative(ix, n, true, Rcode.NOERROR)});
            }
            return;
        }
        Map<Integer, List<Record>> types = ix.types(n);
        if (types.containsKey(RrType.CNAME)) {
            buildCname(ix, node);
        } else {
            int[] t = new int[types.size()];
            Answer[] a = new Answer[types.size()];
            int i = 0;
            for (var e : types.entrySet()) {
                t[i] = e.getKey();
                a[i] = positive(ix, n, e.getKey(), e.getValue());
                i++;
            }
            node.setTyped(t, a);
            node.otherwise = negative(ix, n, true, Rcode.NOERROR);
            node.any = a.length > 0 ? a[0] : node.otherwise;
        }
        List<Record> dname = ix.rrset(n, RrType.DNAME);
        if (dname != null) {
            node.dname = dname(n, dname.getFirst());
        }
        Name star = n.child("*");
        if (ix.exists(star) && ix.cut(star) == null) {
            node.wildcard = nodes.get(star);
        }
        if (node.wildcard == null) {
            node.below = negative(ix, n, false, Rcode.NXDOMAIN);
        }
    }

    // ---- answer builders ----

    /** Writes answers after a question made of {@code template}, recording pointer positions. */
    private static final class Builder {
        final DnsWriter w = DnsWriter.tracking(65535);
        final Name template;
        final boolean ownerIsQuestion;
        final int start;
        int answers;
        int authority;
        int requiredAdditional;
        int requiredEnd = -1;
        final List<Integer> optionalEnd = new ArrayList<>();
        final List<Integer> optionalCount = new ArrayList<>();
        int additional;
        final Set<String> written = new HashSet<>();

        /**
         * @param ownerIsQuestion records owned by {@code template} are the query name itself (an
         *     exact or wildcard match) and point at offset 12 whatever the query's length
         */
        Builder(Name template, boolean ownerIsQuestion) {
            this.template = template;
            this.ownerIsQuestion = ownerIsQuestion;
            w.u16(0).u16(0).u16(0).u16(0).u16(0).u16(0);
            w.bytes(template.toWire());
            // A wildcard's own name never appears in the response, only its suffixes do.
            w.addTarget(template, 12, template.isWildcard() ? 1 : 0);
            w.u16(0).u16(0);
            start = w.position();
        }

        void rrset(List<Record> rs, Name owner) {
            for (Record r : rs) {
                if (ownerIsQuestion && owner.equals(template)) {
                    w.pointer(12, false);
                } else {
                    w.name(owner, true);
                }
                w.u16(r.type()).u16(r.rrClass()).u32(r.ttl());
                int at = w.position();
                w.u16(0);
                r.rdata().write(w);
                w.setU16(at, w.position() - at - 2);
            }
        }

        void answer(List<Record> rs, Name owner) {
            rrset(rs, owner);
            answers += rs.size();
        }

        void authority(List<Record> rs) {
            rrset(rs, rs.getFirst().owner());
            authority += rs.size();
        }

        private boolean fresh(List<Record> rs) {
            return rs != null && written.add(rs.getFirst().owner().toLowerCase() + "/" + rs.getFirst().type());
        }

        /** An additional RRset the response cannot go without (in-domain glue, RFC 9471). */
        void additionalRequired(List<Record> rs) {
            if (!fresh(rs)) {
                return;
            }
            if (!optionalEnd.isEmpty()) {
                throw new IllegalStateException("required additional data after optional data");
            }
            rrset(rs, rs.getFirst().owner());
            additional += rs.size();
            requiredAdditional = additional;
        }

        /** An additional RRset that is left out, whole, when it does not fit. Once per owner and type. */
        void additionalOptional(List<Record> rs) {
            if (!fresh(rs)) {
                return;
            }
            if (requiredEnd < 0) {
                requiredEnd = w.position() - start;
            }
            rrset(rs, rs.getFirst().owner());
            additional += rs.size();
            optionalEnd.add(w.position() - start);
            optionalCount.add(additional);
        }

        Answer build(int flags) {
            int end = w.position() - start;
            int req = requiredEnd >= 0 ? requiredEnd : end;
            byte[] bytes = w.copyFrom(start);
            int[] ptr = w.relocatablePointers();
            int[] rel = new int[ptr.length];
            for (int i = 0; i < ptr.length; i++) {
                rel[i] = ptr[i] - start;
            }
            return intern(new Answer(bytes, rel, template.wireLength(), flags, answers, authority, req,
                    requiredAdditional, optionalEnd.stream().mapToInt(Integer::intValue).toArray(),
                    optionalCount.stream().mapToInt(Integer::intValue).toArray()));
        }
    }

    /** An RRset of the node, with the addresses of the names it points at as additional data. */
    private static Answer positive(Index ix, Name n, int type, List<Record> rs) {
        Builder b = new Builder(n, true);
        b.answer(rs, n);
        addTargets(ix, b, rs);
        return b.build(AA);
    }

    /** Adds A and AAAA of the names NS, MX and SRV records point at, when this zone holds them. */
    private static void addTargets(Index ix, Builder b, List<Record> rs) {
        int type = rs.getFirst().type();
        if (type != RrType.NS && type != RrType.MX && type != RrType.SRV) {
            return;
        }
        for (Record r : rs) {
            Name t = r.rdata().target();
            if (t == null || !t.isSubdomainOf(ix.apex) || ix.cut(t) != null) {
                continue;
            }
            b.additionalOptional(ix.rrset(t, RrType.A));
            b.additionalOptional(ix.rrset(t, RrType.AAAA));
        }
    }

    /** The SOA in the authority section: NODATA (exact) or NXDOMAIN (below {@code n}). */
    private static Answer negative(Index ix, Name n, boolean exact, int rcode) {
        Builder b = new Builder(n, exact);
        b.authority(List.of(ix.negativeSoa));
        return b.build(AA | rcode);
    }

    /** A referral to the delegation at {@code cut} for a query at or below {@code n}. */
    private static Answer referral(Index ix, Name cut, Name n) {
        Builder b = new Builder(n, false);
        List<Record> ns = ix.rrset(cut, RrType.NS);
        b.authority(ns);
        // Glue inside the delegated zone first and required (RFC 9471), then other addresses.
        for (int pass = 0; pass < 2; pass++) {
            for (Record r : ns) {
                Name t = r.rdata().target();
                boolean inDomain = t.isSubdomainOf(cut);
                if ((pass == 0) != inDomain || !t.isSubdomainOf(ix.apex)) {
                    continue;
                }
                if (inDomain) {
                    b.additionalRequired(ix.rrset(t, RrType.A));
                    b.additionalRequired(ix.rrset(t, RrType.AAAA));
                } else {
                    b.additionalOptional(ix.rrset(t, RrType.A));
                    b.additionalOptional(ix.rrset(t, RrType.AAAA));
                }
            }
        }
        return b.build(0);
    }

    /** Answers at a CNAME: the chain followed inside the zone, then what its end has (RFC 1034 §4.3.2 step 3a). */
    private static void buildCname(Index ix, Node node) {
        Name n = node.name;
        // Walk the chain: owners and their CNAME RRsets.
        List<Name> owners = new ArrayList<>();
        List<List<Record>> links = new ArrayList<>();
        owners.add(n);
        links.add(ix.rrset(n, RrType.CNAME));
        Set<Name> seen = new HashSet<>(owners);
        Name end = null; // the final name, when it is in this zone and holds no CNAME
        Map<Integer, List<Record>> endTypes = null;
        boolean nxdomain = false;
        while (links.size() <= MAX_CHAIN) {
            Name target = links.getLast().getFirst().rdata().target();
            if (!target.isSubdomainOf(ix.apex) || ix.cut(target) != null || !seen.add(target)) {
                break; // outside the zone, delegated, or a loop: the resolver goes on from here
            }
            Map<Integer, List<Record>> types;
            if (ix.exists(target)) {
                types = ix.types(target);
            } else {
                Name star = ix.closestEncloser(target).child("*");
                if (ix.exists(star) && ix.cut(star) == null) {
                    types = ix.types(star); // synthesized with the target as owner (RFC 4592 §3.3.1)
                } else {
                    nxdomain = true; // RFC 6604: the RCODE speaks for the last name
                    break;
                }
            }
            if (types.containsKey(RrType.CNAME)) {
                owners.add(target);
                links.add(types.get(RrType.CNAME));
                continue;
            }
            end = target;
            endTypes = types;
            break;
        }
        List<Integer> typeList = new ArrayList<>();
        List<Answer> answers = new ArrayList<>();
        // QTYPE CNAME (and ANY): the CNAME alone.
        Builder only = new Builder(n, true);
        only.answer(links.getFirst(), n);
        Answer cnameOnly = only.build(AA);
        typeList.add(RrType.CNAME);
        answers.add(cnameOnly);
        if (endTypes != null) {
            for (var e : endTypes.entrySet()) {
                if (e.getKey() == RrType.CNAME) {
                    continue;
                }
                Builder b = chain(n, owners, links);
                List<Record> rs = e.getValue();
                b.answer(rs, end);
                addTargets(ix, b, rs);
                typeList.add(e.getKey());
                answers.add(b.build(AA));
            }
        }
        Builder other = chain(n, owners, links);
        int rcode = Rcode.NOERROR;
        if (endTypes != null || nxdomain) {
            other.authority(List.of(ix.negativeSoa));
            rcode = nxdomain ? Rcode.NXDOMAIN : Rcode.NOERROR;
        }
        node.otherwise = other.build(AA | rcode);
        node.any = cnameOnly;
        int[] t = typeList.stream().mapToInt(Integer::intValue).toArray();
        Answer[] a = answers.toArray(new Answer[0]);
        // keep types ascending for readability of dumps; lookup is linear anyway
        Integer[] order = new Integer[t.length];
        for (int i = 0; i < t.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Integer.compare(t[x], t[y]));
        int[] types = new int[t.length];
        Answer[] typed = new Answer[t.length];
        for (int i = 0; i < t.length; i++) {
            types[i] = t[order[i]];
            typed[i] = a[order[i]];
        }
        node.setTyped(types, typed);
    }

    /** The DNAME RR anchored at its owner, for names below it (RFC 6672 §3.1). */
    private static Node.Dname dname(Name owner, Record dname) {
        Builder b = new Builder(owner, false);
        b.answer(List.of(dname), owner);
        Answer a = b.build(AA);
        Name target = dname.rdata().target();
        // The target is the DNAME's whole RDATA, written in full at the end of the record.
        int offset = a.bytes.length - target.wireLength();
        return new Node.Dname(a, offset, target.wireLength(), dname.ttl());
    }

    private static Builder chain(Name n, List<Name> owners, List<List<Record>> links) {
        Builder b = new Builder(n, true);
        for (int i = 0; i < links.size(); i++) {
            b.answer(links.get(i), owners.get(i));
        }
        return b;
    }
}
