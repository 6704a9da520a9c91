package io.miragej.dns.server;

import io.miragej.dns.Message;
import io.miragej.dns.Edns;
import io.miragej.dns.Name;
import io.miragej.dns.RrType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A zone generated from a seed with every kind of name the server must handle (plain names, CNAME
 * chains inside and out of the zone and dangling ones, wildcards at several depths, delegations
 * with and without glue, empty non-terminals, RRsets too big for 512 bytes), and the queries that
 * exercise them, in mixed case and with several EDNS sizes.
 */
final class ZoneGenerator {
    final String apex;
    final String text;
    final List<String> existing = new ArrayList<>();
    final List<String> wildcardParents = new ArrayList<>();
    final List<String> delegations = new ArrayList<>();
    final List<String> cnames = new ArrayList<>();
    final List<String> ents = new ArrayList<>();
    final List<String> dnames = new ArrayList<>();
    private final Random random;

    ZoneGenerator(long seed, String apex, int hosts) {
        this.random = new Random(seed);
        this.apex = apex;
        StringBuilder z = new StringBuilder();
        z.append("$ORIGIN ").append(apex).append("\n$TTL 3600\n");
        z.append("@ SOA ns1 hostmaster 2024 7200 3600 1209600 300\n  NS ns1\n  NS ns2.elsewhere.example.\n");
        z.append("  MX 10 mail\n  A 192.0.2.1\n  TXT \"apex\"\nns1 A 192.0.2.53\nns1 AAAA 2001:db8::53\n");
        z.append("mail A 192.0.2.25\nmail AAAA 2001:db8::25\n");
        existing.add("ns1");
        existing.add("mail");
        existing.add("@");
        for (int i = 0; i < hosts; i++) {
            String h = "h" + i;
            existing.add(h);
            z.append(h).append(" A 192.0.2.").append(i % 250 + 1).append('\n');
            if (random.nextInt(3) == 0) {
                z.append(h).append(" AAAA 2001:db8::").append(Integer.toHexString(i + 1)).append('\n');
            }
            if (random.nextInt(4) == 0) {
                z.append(h).append(" MX ").append(random.nextInt(50)).append(" mail\n");
            }
            if (random.nextInt(5) == 0) {
                z.append(h).append(" TXT \"text ").append(i).append("\"\n");
            }
            if (random.nextInt(8) == 0) {
                z.append("_svc._tcp.").append(h).append(" SRV 0 1 443 ").append(h).append('\n');
                existing.add("_svc._tcp." + h);
                ents.add("_tcp." + h);
            }
        }
        // CNAME chains: in-zone (2 and 3 links), out of zone, dangling, into a wildcard.
        z.append("c1 CNAME h1\nc2 CNAME c1\nc3 CNAME c2\ncout CNAME www.elsewhere.example.\n");
        z.append("cdangling CNAME missing\ncwild CNAME anything.w1\ncmx CNAME @\n");
        cnames.addAll(List.of("c1", "c2", "c3", "cout", "cdangling", "cwild", "cmx"));
        // Wildcards at two depths, one with a CNAME, one beside an existing name.
        z.append("*.w1 A 192.0.2.101\n*.w1 MX 5 mail\n*.w1 TXT \"wild one\"\n");
        z.append("*.x.w2 AAAA 2001:db8::102\nreal.x.w2 A 192.0.2.103\n");
        z.append("*.w3 CNAME h2\n");
        z.append("sub.w1 TXT \"exists below a wildcard parent\"\n");
        wildcardParents.addAll(List.of("w1", "x.w2", "w3"));
        existing.addAll(List.of("*.w1", "real.x.w2", "sub.w1", "*.w3", "*.x.w2"));
        ents.addAll(List.of("w1", "w2", "x.w2", "w3"));
        // Delegations: with in-domain glue, with out-of-zone servers only, with sibling glue.
        z.append("d1 NS ns.d1\nd1 NS ns1\nns.d1 A 192.0.2.201\nns.d1 AAAA 2001:db8::201\n");
        z.append("d2 NS ns.elsewhere.example.\n");
        z.append("d3 NS ns.d1\nd3 DS 12345 13 2 ").append("ab".repeat(32)).append('\n');
        delegations.addAll(List.of("d1", "d2", "d3"));
        // DNAME to another zone and into this one (RFC 6672).
        // DNAMEs to a name below which a wildcard answers, and to a name with real children.
        z.append("dn DNAME elsewhere.example.\ndnin DNAME h3\ndnw DNAME w1\ndnx DNAME x.w2\n");
        existing.addAll(List.of("dn", "dnin", "dnw", "dnx"));
        dnames.addAll(List.of("dn", "dnin", "dnw", "dnx"));
        // Empty non-terminals.
        z.append("a.b.c TXT \"deep\"\n");
        existing.add("a.b.c");
        ents.addAll(List.of("b.c", "c"));
        // Big RRsets for truncation: 6 TXT of 200 bytes (~1.2 kB), and one of ~500 bytes.
        for (int i = 0; i < 6; i++) {
            z.append("big TXT \"").append(Character.toString('a' + i).repeat(200)).append("\"\n");
        }
        for (int i = 0; i < 2; i++) {
            z.append("medium TXT \"").append(Character.toString('m' + i).repeat(200)).append("\"\n");
        }
        existing.addAll(List.of("big", "medium"));
        this.text = z.toString();
    }

    String fqdn(String rel) {
        return rel.equals("@") ? apex : rel + "." + apex;
    }

    private String mixCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return b.toString();
    }

    /** The queries: each kind of name with several types, some in mixed case, some with EDNS. */
    List<Message> queries(int count) {
        List<String> names = new ArrayList<>();
        for (String e : existing) {
            names.add(fqdn(e));
        }
        for (String c : cnames) {
            names.add(fqdn(c));
        }
        for (String w : wildcardParents) {
            names.add(fqdn("q" + random.nextInt(100) + "." + w));
            names.add(fqdn("deep.er." + w));
        }
        for (String d : delegations) {
            names.add(fqdn(d));
            names.add(fqdn("www." + d));
            names.add(fqdn("ns." + d));
        }
        for (String e : ents) {
            names.add(fqdn(e));
        }
        for (String d : dnames) {
            names.add(fqdn("x." + d));
            names.add(fqdn("a.b." + d));
            names.add(fqdn("real." + d));
        }
        for (int i = 0; i < 10; i++) {
            names.add(fqdn("nx" + i));
            names.add(fqdn("nx.h" + i));
        }
        names.add("outside.example.org.");
        int[] types = {RrType.A, RrType.AAAA, RrType.MX, RrType.TXT, RrType.NS, RrType.SOA, RrType.CNAME,
            RrType.SRV, RrType.DS, RrType.PTR};
        List<Message> out = new ArrayList<>();
        int id = 1;
        for (String n : names) {
            for (int t : new int[] {RrType.A, RrType.TXT}) {
                out.add(Message.query(id++, Name.of(n), t));
            }
        }
        while (out.size() < count) {
            String n = names.get(random.nextInt(names.size()));
            if (random.nextInt(3) == 0) {
                n = mixCase(n);
            }
            Message q = Message.query(id++ & 0xffff, Name.of(n), types[random.nextInt(types.length)]);
            switch (random.nextInt(4)) {
                case 0 -> q = q.withEdns(Edns.of(512, false));
                case 1 -> q = q.withEdns(Edns.of(1232, random.nextBoolean()));
                case 2 -> q = q.withEdns(Edns.of(4096, false));
                default -> { }
            }
            out.add(q);
        }
        // Truncation cases, explicitly.
        for (String n : new String[] {"big", "medium"}) {
            out.add(Message.query(id++, Name.of(fqdn(n)), RrType.TXT));
            out.add(Message.query(id++, Name.of(fqdn(n)), RrType.TXT).withEdns(Edns.of(512, false)));
            out.add(Message.query(id++, Name.of(fqdn(n)), RrType.TXT).withEdns(Edns.of(1232, false)));
            out.add(Message.query(id++, Name.of(fqdn(n)), RrType.TXT).withEdns(Edns.of(4096, false)));
        }
        return out;
    }
}
