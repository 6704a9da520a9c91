package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Edns;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.zone.ZoneFile;
import io.miragej.net.Endpoint;
import io.miragej.stats.Counters;
import io.miragej.testkit.Interop;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Signed zones (NSEC and NSEC3, made by dnssec-signzone) served by MirageJ and Knot; every query
 * asked with and without the DO bit; every section compared. With DO, the records of a section
 * are compared as a set: Knot puts all RRSIGs after all RRsets of a section, MirageJ does too in
 * the answer and authority sections but keeps each additional RRset next to its RRSIG.
 */
class DnssecDifferentialTest {
    static final String[] NAMES = {"example.com.", "host", "www", "web", "mail", "ns1", "srv", "ext", "dangling",
        "loop1", "towild", "x.wild", "Deep.Er.wild", "*.wild", "wild", "b.c", "c", "a.b.c", "sub", "www.sub",
        "ns.sub", "nope", "zzz", "aaa", "nope.b.c", "big", "x.host", "mail.x"};
    static final int[] TYPES = {RrType.A, RrType.AAAA, RrType.TXT, RrType.MX, RrType.NS, RrType.SOA, RrType.DS,
        RrType.CNAME, RrType.SRV, RrType.DNSKEY, RrType.NSEC};
    // QTYPE RRSIG is left out: Knot answers it with the RRSIG of one RRset, MirageJ (like BIND)
    // with every RRSIG at the name; both are allowed.

    static Name name(String rel) {
        return Name.of(rel.endsWith(".") ? rel : rel + ".example.com.");
    }

    static List<Record> sorted(List<Record> rs) {
        List<Record> l = new ArrayList<>(rs);
        l.sort(Comparator.comparing(Record::toString, String.CASE_INSENSITIVE_ORDER));
        return l;
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com.nsec.signed", "example.com.nsec3.signed"})
    void sameAnswersAsKnotForSignedZones(String file, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Interop.requireCommands("knot", "knotd");
        Path zone = Path.of("src/test/resources/zones", file).toAbsolutePath();
        List<String> queried = List.of(NAMES);
        compareWithKnot(zone, dir, queried, n -> !(n.endsWith(".wild") && !n.startsWith("*")));
    }

    /**
     * DNAMEs in signed zones (RFC 6672 §5.3.1): the DNAME with its RRSIGs, the unsigned CNAME made
     * from it, then what the new name has, signed, with its proofs, when this zone holds it. The
     * zone is signed here by dnssec-signzone with new keys, with NSEC and with NSEC3.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void dnamesInSignedZonesAsKnot(boolean nsec3, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Interop.requireCommands("knot", "knotd");
        Interop.requireCommands("bind9-utils", "dnssec-signzone");
        Path unsigned = dir.resolve("example.com.zone");
        java.nio.file.Files.writeString(unsigned, """
                $ORIGIN example.com.
                $TTL 3600
                @ SOA ns1 hostmaster 1 7200 3600 1209600 300
                @ NS ns1
                ns1 A 192.0.2.53
                host A 192.0.2.80
                host TXT "here"
                x.host AAAA 2001:db8::80
                *.wild A 192.0.2.9
                mx MX 10 host
                toh DNAME host
                tow DNAME wild
                tomx DNAME mx
                out DNAME example.net.
                """);
        Proc.ok(Duration.ofSeconds(30), "dnssec-keygen", "-q", "-K", dir.toString(), "-a", "ECDSAP256SHA256",
                "-f", "KSK", "example.com");
        Proc.ok(Duration.ofSeconds(30), "dnssec-keygen", "-q", "-K", dir.toString(), "-a", "ECDSAP256SHA256",
                "example.com");
        Path signed = dir.resolve("example.com.signed");
        List<String> sign = new ArrayList<>(List.of("dnssec-signzone", "-q", "-K", dir.toString(), "-d", dir.toString(), "-S", "-o",
                "example.com.", "-f", signed.toString()));
        if (nsec3) {
            sign.addAll(List.of("-3", "-", "-H", "0"));
        }
        sign.add(unsigned.toString());
        Proc.ok(Duration.ofSeconds(60), sign.toArray(new String[0]));
        List<String> queried = new ArrayList<>();
        for (String d : List.of("toh", "tow", "tomx", "out")) {
            for (String below : List.of("", "x.", "a.b.", "Host.", "nope.")) {
                queried.add(below + d);
            }
        }
        compareWithKnot(signed, dir, queried, n -> true);
    }

    private static void compareWithKnot(Path zone, Path dir, List<String> names,
            java.util.function.Predicate<String> askNsec) throws Exception {
        int knotPort = DifferentialTest.freePort();
        Counters counters = new Counters();
        AuthoritativeServer server = new AuthoritativeServer(counters);
        server.load(List.of(ZoneFile.load(zone)));
        try (SocketStack stack = new SocketStack(counters, 100); HostTime time = new HostTime();
                Proc.Daemon knot = DifferentialTest.startKnot(dir, "example.com", zone, knotPort);
                DnsService service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time,
                        System::nanoTime, counters, DnsService.Options.defaults())) {
            DifferentialTest.awaitServing(knotPort, "example.com.", knot);
            int ours = service.local().port();
            List<String> failures = new ArrayList<>();
            int id = 1;
            int compared = 0;
            for (String n : names) {
                for (int t : TYPES) {
                    if (t == RrType.NSEC && !askNsec.test(n)) {
                        continue; // NSEC at a name a wildcard stands for: Knot gives no proof, MirageJ does
                    }
                    for (boolean dnssecOk : new boolean[] {false, true}) {
                        Message q = Message.query(id++, name(n), t).withEdns(Edns.of(4096, dnssecOk));
                        Message a = DifferentialTest.ask(ours, q);
                        Message k = DifferentialTest.ask(knotPort, q);
                        compared++;
                        String d = dnssecOk ? compareAsSets(a, k) : DifferentialTest.compare(q, a, k, false);
                        if (d != null) {
                            failures.add(name(n) + " " + RrType.toString(t) + (dnssecOk ? " +DO" : "") + ": " + d);
                        }
                    }
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " differences in " + compared + " queries:\n"
                    + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
        }
    }

    static String compareAsSets(Message ours, Message theirs) {
        List<String> d = new ArrayList<>();
        if (ours.rcode() != theirs.rcode()) {
            d.add("rcode " + ours.rcode() + " vs " + theirs.rcode());
        }
        if (ours.aa() != theirs.aa() || ours.tc() != theirs.tc()) {
            d.add("flags aa/tc " + ours.aa() + "/" + ours.tc() + " vs " + theirs.aa() + "/" + theirs.tc());
        }
        if (ours.edns() == null || theirs.edns() == null || ours.edns().dnssecOk() != theirs.edns().dnssecOk()) {
            d.add("EDNS/DO");
        }
        String[] names = {"answer", "authority", "additional"};
        List<List<Record>> a = List.of(ours.answers(), ours.authority(), ours.additional());
        List<List<Record>> b = List.of(theirs.answers(), theirs.authority(), theirs.additional());
        for (int i = 0; i < 3; i++) {
            if (!sorted(a.get(i)).equals(sorted(b.get(i)))) {
                d.add(names[i] + ":\n    ours:   " + a.get(i) + "\n    theirs: " + b.get(i));
            }
        }
        return d.isEmpty() ? null : String.join("; ", d);
    }
}
