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
 *
 * <p>For signed zones every answer has a second form for queries with the DO bit (RFC 4035 §3.1):
 * the RRSIGs of each RRset, and the NSEC or NSEC3 records (with their RRSIGs) that prove what
 * does not exist. The proofs that depend on the query name itself (the name a wildcard stood in
 * for, the name that does not exist) are chosen per query by the responder from {@link Proofs}.
 */
final class Compiler {
    /** Most CNAMEs followed inside a zone before giving the chain as it is. */
    static final int MAX_CHAIN = 12;
    private static final int AA = 0x0400;

    private Compiler() {}

    /** The records of one zone by owner and type, with its empty non-terminals and cuts. */
    static final class Index {
        final Zone zone;
        final Name apex;
        final Map<Name, Map<Integer, List<Record>>> data = new LinkedHashMap<>();
        /** RRSIGs by owner and type covered. */
        final Map<Name, Map<Integer, List<Record>>> sigs = new HashMap<>();
        final Set<Name> names = new LinkedHashSet<>();
        final Set<Name> cuts = new HashSet<>();
        final Record negativeSoa;
        final Proofs proofs;
        /** Every answer of the zone is written here in turn (a compile writes hundreds of thousands). */
        final DnsWriter writer = DnsWriter.tracking(65535);

        Index(Zone zone) {
            this.zone = zone;
            this.apex = zone.name();
            for (Record r : zone.records()) {
                data.computeIfAbsent(r.owner(), o -> new TreeMap<>()).computeIfAbsent(r.type(), t -> new ArrayList<>()).add(r);
                if (r.type() == RrType.RRSIG) {
                    sigs.computeIfAbsent(r.owner(), o -> new HashMap<>())
                            .computeIfAbsent((int) r.rdata().numberField(0), t -> new ArrayList<>()).add(r);
                }
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
            proofs = Proofs.of(apex, data, sigs);
        }

        boolean signed() {
            return !sigs.isEmpty();
        }

        List<Record> rrset(Name n, int type) {
            Map<Integer, List<Record>> m = data.get(n);
            return m == null ? null : m.get(type);
        }

        List<Record> sigsFor(Name owner, int type) {
            Map<Integer, List<Record>> m = sigs.get(owner);
            List<Record> l = m == null ? null : m.get(type);
            return l == null ? List.of() : l;
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

        /** The name one label longer than the closest encloser {@code ce}, on the way to {@code n}. */
        static Name nextCloser(Name n, Name ce) {
            return n.suffix(ce.labelCount() + 1);
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
        NameTable.Builder table = new NameTable.Builder(Math.max(1, total));
        List<CompiledZone> compiled = new ArrayList<>();
        for (Index ix : indexes) {
            int zoneIndex = compiled.size();
            compiled.add(new CompiledZone(ix.zone, ix.proofs));
            Map<Name, Node> nodes = new LinkedHashMap<>();
            for (Name n : ix.names) {
                if (belongsToDeeperZone(n, ix.apex, apexes)) {
                    continue; // a zone we also serve, cut below this one, answers for it
                }
                nodes.put(n, new Node(n, zoneIndex));
            }
            for (Node node : nodes.values()) {
                build(ix, node, nodes);
                table.put(node.name.toLowerCase().toWire(), node);
            }
        }
        return new Authority(table.build(), compiled, maxUdpPayload);
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
                        new Answer[] {ds != null ? positive(ix, n, RrType.DS, ds) : nodata(ix, n)});
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
            node.otherwise = nodata(ix, n);
            if (n.isWildcard()) {
                node.literalOtherwise = nodataLiteral(ix, n);
            }
            node.any = a.length > 0 ? a[0] : node.otherwise;
        }
        List<Record> dname = ix.rrset(n, RrType.DNAME);
        if (dname != null) {
            node.dname = dname(ix, n, dname);
        }
        Name star = n.child("*");
        if (ix.exists(star) && ix.cut(star) == null) {
            node.wildcard = nodes.get(star);
        }
        if (node.wildcard == null) {
            node.below = nxdomain(ix, n);
        }
    }

    // ---- answer builders ----

    /** How the responder completes a DO answer with a proof about the query name itself. */
    static final int DYNAMIC_NONE = 0;
    /** NSEC zones: add the NSEC covering the query name. */
    static final int DYNAMIC_NSEC = 1;
    /** NSEC3 zones: add the NSEC3 covering the hash of the next closer name. */
    static final int DYNAMIC_NSEC3 = 2;

    /**
     * Collects the RRsets of one response, then writes them after a question made of
     * {@code template}, recording pointer positions: once plain, and once with RRSIGs and proofs
     * for the DO bit when the zone is signed.
     */
    private static final class Builder {
        record Entry(List<Record> rs, Name owner, boolean required) {}

        record RrsetKey(Name owner, int type) {}

        final Index ix;
        final Name template;
        final boolean ownerIsQuestion;
        final List<Entry> answer = new ArrayList<>();
        final List<Entry> authority = new ArrayList<>();
        final List<Entry> proofs = new ArrayList<>();
        final Set<Integer> proofIndexes = new LinkedHashSet<>();
        final List<Entry> additional = new ArrayList<>();
        /** Owner (any case: names compare without it) and type of the additional RRsets written. */
        final Set<RrsetKey> written = new HashSet<>();
        int dynamic = DYNAMIC_NONE;

        /**
         * @param ownerIsQuestion records owned by {@code template} are the query name itself (an
         *     exact or wildcard match) and point at offset 12 whatever the query's length
         */
        Builder(Index ix, Name template, boolean ownerIsQuestion) {
            this.ix = ix;
            this.template = template;
            this.ownerIsQuestion = ownerIsQuestion;
        }

        void answer(List<Record> rs, Name owner) {
            answer.add(new Entry(rs, owner, true));
        }

        void authority(List<Record> rs) {
            authority.add(new Entry(rs, rs.getFirst().owner(), true));
        }

        /** An authority RRset sent only with the DO bit (DS at a signed delegation), with its RRSIGs. */
        void authorityDnssecOnly(List<Record> rs) {
            proofs.add(new Entry(rs, rs.getFirst().owner(), true));
        }

        /** A chain entry proving non-existence, written only in the DO form, once. */
        void proof(int index) {
            Proofs p = ix.proofs;
            if (p != null && index >= 0 && proofIndexes.add(index)) {
                List<Record> rs = p.sets.get(index);
                proofs.add(new Entry(rs, rs.getFirst().owner(), true));
            }
        }

        private boolean fresh(List<Record> rs) {
            return rs != null && written.add(new RrsetKey(rs.getFirst().owner(), rs.getFirst().type()));
        }

        /** An additional RRset the response cannot go without (in-domain glue, RFC 9471). */
        void additionalRequired(List<Record> rs) {
            if (fresh(rs)) {
                if (additional.stream().anyMatch(e -> !e.required())) {
                    throw new IllegalStateException("required additional data after optional data");
                }
                additional.add(new Entry(rs, rs.getFirst().owner(), true));
            }
        }

        /** An additional RRset that is left out, whole, when it does not fit. Once per owner and type. */
        void additionalOptional(List<Record> rs) {
            if (fresh(rs)) {
                additional.add(new Entry(rs, rs.getFirst().owner(), false));
            }
        }

        // ---- proofs of non-existence, by the kind of answer (RFC 4035 §3.1.3, RFC 5155 §7.2) ----

        /** NODATA at {@code n}, a name that exists. */
        void proveNoData(Name n) {
            Proofs p = ix.proofs;
            if (p == null) {
                return;
            }
            if (p.nsec3) {
                proof(p.nsec3Matching(n));
            } else {
                int m = p.nsecMatching(n);
                proof(m >= 0 ? m : p.nsecCovering(n)); // an empty non-terminal has no NSEC of its own
            }
        }

        /** {@code n} does not exist: the name and the wildcard at its closest encloser are both covered. */
        void proveNxdomain(Name n) {
            Proofs p = ix.proofs;
            if (p == null) {
                return;
            }
            Name ce = ix.closestEncloser(n);
            if (p.nsec3) {
                proof(p.nsec3Matching(ce));
                proof(p.nsec3Covering(Index.nextCloser(n, ce)));
                proof(p.nsec3Covering(ce.child("*")));
            } else {
                proof(p.nsecCovering(n));
                proof(p.nsecCovering(ce.child("*")));
            }
        }

        /** {@code n} was answered from the wildcard {@code star}: no closer name exists. */
        void proveWildcardAnswer(Name n, Name star) {
            Proofs p = ix.proofs;
            if (p == null) {
                return;
            }
            if (p.nsec3) {
                proof(p.nsec3Covering(Index.nextCloser(n, star.parent())));
            } else {
                proof(p.nsecCovering(n));
            }
        }

        /** An unsigned delegation at {@code cut}: no DS there. */
        void proveNoDs(Name cut) {
            Proofs p = ix.proofs;
            if (p != null) {
                proof(p.nsec3 ? p.nsec3Matching(cut) : p.nsecMatching(cut));
            }
        }

        Answer build(int flags) {
            Answer signed = ix.signed() ? write(true, flags, null) : null;
            return write(false, flags, signed);
        }

        private Answer write(boolean dnssec, int flags, Answer signed) {
            DnsWriter w = ix.writer;
            w.reset();
            w.u16(0).u16(0).u16(0).u16(0).u16(0).u16(0);
            w.bytes(template.toWire());
            // A wildcard's own name never appears in the response as the query name, only its
            // suffixes do.
            w.addTarget(template, 12, template.isWildcard() ? 1 : 0);
            w.u16(0).u16(0);
            int start = w.position();
            int answers = 0;
            int auth = 0;
            for (Entry e : answer) {
                answers += rrset(w, e.rs(), e.owner(), false);
            }
            if (dnssec) {
                for (Entry e : answer) {
                    answers += sigs(w, e, false);
                }
            }
            for (Entry e : authority) {
                auth += rrset(w, e.rs(), e.owner(), true);
            }
            if (dnssec) {
                for (Entry e : proofs) {
                    auth += rrset(w, e.rs(), e.owner(), true);
                }
                for (Entry e : authority) {
                    auth += sigs(w, e, true);
                }
                for (Entry e : proofs) {
                    auth += sigs(w, e, true);
                }
            }
            int authorityEnd = w.position() - start;
            int additionalCount = 0;
            int requiredAdditional = 0;
            int requiredEnd = -1;
            List<Integer> optionalEnd = new ArrayList<>();
            List<Integer> optionalCount = new ArrayList<>();
            for (Entry e : additional) {
                if (!e.required() && requiredEnd < 0) {
                    requiredEnd = w.position() - start;
                }
                additionalCount += rrset(w, e.rs(), e.owner(), true);
                if (dnssec) {
                    additionalCount += sigs(w, e, true);
                }
                if (e.required()) {
                    requiredAdditional = additionalCount;
                } else {
                    optionalEnd.add(w.position() - start);
                    optionalCount.add(additionalCount);
                }
            }
            int end = w.position() - start;
            byte[] bytes = w.copyFrom(start);
            int[] ptr = w.relocatablePointers();
            int[] rel = new int[ptr.length];
            for (int i = 0; i < ptr.length; i++) {
                rel[i] = ptr[i] - start;
            }
            int[] fixed = w.fixedPointers();
            for (int i = 0; i < fixed.length; i++) {
                fixed[i] -= start;
            }
            int[] staticProofs = proofIndexes.stream().mapToInt(Integer::intValue).toArray();
            return intern(new Answer(bytes, rel, fixed, template.wireLength(), flags, answers, auth,
                    requiredEnd >= 0 ? requiredEnd : end, requiredAdditional,
                    optionalEnd.stream().mapToInt(Integer::intValue).toArray(),
                    optionalCount.stream().mapToInt(Integer::intValue).toArray(),
                    authorityEnd, dnssec ? dynamic : DYNAMIC_NONE, dnssec ? staticProofs : Answer.NONE, signed));
        }

        /**
         * Writes an RRset; {@code literal} owners are written as they are (proofs, authority and
         * additional data), others may stand for the query name.
         */
        private int rrset(DnsWriter w, List<Record> rs, Name owner, boolean literal) {
            for (Record r : rs) {
                writeRecord(w, r, owner, r.ttl(), literal);
            }
            return rs.size();
        }

        /** The RRSIGs of an entry's RRset, with the entry's owner and the RRset's TTL as written. */
        private int sigs(DnsWriter w, Entry e, boolean literal) {
            Record first = e.rs().getFirst();
            List<Record> sigs = ix.sigsFor(first.owner(), first.type());
            for (Record s : sigs) {
                writeRecord(w, s, e.owner(), first.ttl(), literal);
            }
            return sigs.size();
        }

        private void writeRecord(DnsWriter w, Record r, Name owner, long ttl, boolean literal) {
            if (!literal && ownerIsQuestion && owner.equals(template)) {
                w.pointer(12, false);
            } else {
                w.name(owner, true);
            }
            w.u16(r.type()).u16(r.rrClass()).u32(ttl);
            int at = w.position();
            w.u16(0);
            r.rdata().write(w);
            w.setU16(at, w.position() - at - 2);
        }
    }

    /** An RRset of the node, with the addresses of the names it points at as additional data. */
    private static Answer positive(Index ix, Name n, int type, List<Record> rs) {
        Builder b = new Builder(ix, n, true);
        b.answer(rs, n);
        addTargets(ix, b, rs);
        if (n.isWildcard()) {
            b.dynamic = dynamicKind(ix);
        }
        return b.build(AA);
    }

    private static int dynamicKind(Index ix) {
        return ix.proofs == null ? DYNAMIC_NONE : ix.proofs.nsec3 ? DYNAMIC_NSEC3 : DYNAMIC_NSEC;
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

    /** NODATA at {@code n} (for a wildcard node: at the names it stands for). */
    private static Answer nodata(Index ix, Name n) {
        Builder b = new Builder(ix, n, true);
        b.authority(List.of(ix.negativeSoa));
        b.proveNoData(n);
        if (n.isWildcard()) {
            // RFC 5155 §7.2.5: the closest encloser too; the next closer name is covered per query.
            if (ix.proofs != null && ix.proofs.nsec3) {
                b.proof(ix.proofs.nsec3Matching(n.parent()));
            }
            b.dynamic = dynamicKind(ix);
        }
        return b.build(AA);
    }

    /** NODATA for a query naming a wildcard itself ({@code *.example.com}): no synthesis to prove. */
    private static Answer nodataLiteral(Index ix, Name star) {
        Builder b = new Builder(ix, star, true);
        b.authority(List.of(ix.negativeSoa));
        b.proveNoData(star);
        return b.build(AA);
    }

    /** NXDOMAIN for names below {@code ce} that do not exist. */
    private static Answer nxdomain(Index ix, Name ce) {
        Builder b = new Builder(ix, ce, false);
        b.authority(List.of(ix.negativeSoa));
        Proofs p = ix.proofs;
        if (p != null) {
            if (p.nsec3) {
                b.proof(p.nsec3Matching(ce));
                b.proof(p.nsec3Covering(ce.child("*")));
            } else {
                b.proof(p.nsecCovering(ce.child("*")));
            }
            b.dynamic = dynamicKind(ix);
        }
        return b.build(AA | Rcode.NXDOMAIN);
    }

    /** A referral to the delegation at {@code cut} for a query at or below {@code n}. */
    private static Answer referral(Index ix, Name cut, Name n) {
        Builder b = new Builder(ix, n, false);
        List<Record> ns = ix.rrset(cut, RrType.NS);
        b.authority(ns);
        List<Record> ds = ix.rrset(cut, RrType.DS);
        if (ix.signed()) {
            if (ds != null) {
                b.authorityDnssecOnly(ds); // as Knot and NSD do: DS with the DO bit only
            } else {
                b.proveNoDs(cut);
            }
        }
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
        List<Name> owners = new ArrayList<>();
        List<List<Record>> links = new ArrayList<>();
        owners.add(n);
        links.add(ix.rrset(n, RrType.CNAME));
        Set<Name> seen = new HashSet<>(owners);
        Name end = null; // the final name, when it is in this zone and holds no CNAME
        Map<Integer, List<Record>> endTypes = null;
        Name endWildcard = null; // the wildcard the end was synthesized from
        Name nxName = null;
        List<Name[]> wildcardLinks = new ArrayList<>(); // {target, wildcard} for synthesized links
        while (links.size() <= MAX_CHAIN) {
            Name target = links.getLast().getFirst().rdata().target();
            if (!target.isSubdomainOf(ix.apex) || ix.cut(target) != null || !seen.add(target)) {
                break; // outside the zone, delegated, or a loop: the resolver goes on from here
            }
            Map<Integer, List<Record>> types;
            Name star = null;
            if (ix.exists(target)) {
                types = ix.types(target);
            } else {
                star = ix.closestEncloser(target).child("*");
                if (ix.exists(star) && ix.cut(star) == null) {
                    types = ix.types(star); // synthesized with the target as owner (RFC 4592 §3.3.1)
                } else {
                    nxName = target; // RFC 6604: the RCODE speaks for the last name
                    break;
                }
            }
            if (types.containsKey(RrType.CNAME)) {
                owners.add(target);
                links.add(types.get(RrType.CNAME));
                if (star != null) {
                    wildcardLinks.add(new Name[] {target, star});
                }
                continue;
            }
            end = target;
            endTypes = types;
            endWildcard = star;
            break;
        }
        List<Integer> typeList = new ArrayList<>();
        List<Answer> answers = new ArrayList<>();
        boolean wildcardNode = n.isWildcard();
        // QTYPE CNAME (and ANY): the CNAME alone.
        Builder only = new Builder(ix, n, true);
        only.answer(links.getFirst(), n);
        if (wildcardNode) {
            only.dynamic = dynamicKind(ix);
        }
        Answer cnameOnly = only.build(AA);
        typeList.add(RrType.CNAME);
        answers.add(cnameOnly);
        // The types that may stand beside a CNAME (RFC 4035 §2.5) are answered at the name
        // itself, never by following the chain.
        for (int own : new int[] {RrType.RRSIG, RrType.NSEC}) {
            List<Record> rs = ix.rrset(n, own);
            typeList.add(own);
            answers.add(rs != null ? positive(ix, n, own, rs) : nodata(ix, n));
        }
        if (endTypes != null) {
            for (var e : endTypes.entrySet()) {
                if (e.getKey() == RrType.CNAME || e.getKey() == RrType.RRSIG || e.getKey() == RrType.NSEC) {
                    continue;
                }
                Builder b = chain(ix, n, owners, links, wildcardLinks);
                List<Record> rs = e.getValue();
                b.answer(rs, end);
                addTargets(ix, b, rs);
                if (endWildcard != null) {
                    b.proveWildcardAnswer(end, endWildcard);
                }
                typeList.add(e.getKey());
                answers.add(b.build(AA));
            }
        }
        Builder other = chain(ix, n, owners, links, wildcardLinks);
        int rcode = Rcode.NOERROR;
        if (endTypes != null || nxName != null) {
            other.authority(List.of(ix.negativeSoa));
            if (nxName != null) {
                rcode = Rcode.NXDOMAIN;
                other.proveNxdomain(nxName);
            } else if (endWildcard != null) {
                other.proveWildcardAnswer(end, endWildcard);
                other.proveNoData(endWildcard);
            } else {
                other.proveNoData(end);
            }
        }
        node.otherwise = other.build(AA | rcode);
        node.any = cnameOnly;
        int[] t = typeList.stream().mapToInt(Integer::intValue).toArray();
        Answer[] a = answers.toArray(new Answer[0]);
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
    private static Node.Dname dname(Index ix, Name owner, List<Record> dname) {
        Builder b = new Builder(ix, owner, false);
        b.answer(dname, owner);
        Answer a = b.build(AA);
        Name target = dname.getFirst().rdata().target();
        // The target is the DNAME's whole RDATA, written in full at the end of the record.
        int offset = a.answerCount == 1 ? a.bytes.length - target.wireLength() : -1;
        return new Node.Dname(a, offset, target.wireLength(), dname.getFirst().ttl());
    }

    private static Builder chain(Index ix, Name n, List<Name> owners, List<List<Record>> links,
            List<Name[]> wildcardLinks) {
        Builder b = new Builder(ix, n, true);
        for (int i = 0; i < links.size(); i++) {
            b.answer(links.get(i), owners.get(i));
        }
        for (Name[] w : wildcardLinks) {
            b.proveWildcardAnswer(w[0], w[1]);
        }
        if (n.isWildcard()) {
            b.dynamic = dynamicKind(ix);
        }
        return b;
    }
}
