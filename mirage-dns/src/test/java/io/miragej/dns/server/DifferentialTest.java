package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

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
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same generated zone served by MirageJ, Knot and NSD; the same queries to each; every section
 * of the responses compared. Knot is the reference for every section. NSD is compared too, after
 * removing what it adds by design (the zone's NS set in the authority section of positive answers
 * and the addresses of those servers).
 */
class DifferentialTest {
    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0); DatagramSocket d = new DatagramSocket(s.getLocalPort())) {
            return s.getLocalPort();
        }
    }

    static Message ask(int port, Message q) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            byte[] b = q.encode();
            for (int attempt = 0; attempt < 3; attempt++) {
                s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
                byte[] buf = new byte[65535];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                return Message.decode(Arrays.copyOf(buf, p.getLength()));
            }
            throw new AssertionError("no answer from port " + port + " to " + q.question());
        }
    }

    static Proc.Daemon startKnot(Path dir, String apex, Path zoneFile, int port) throws Exception {
        Path run = Files.createDirectories(dir.resolve("knot"));
        Path conf = run.resolve("knot.conf");
        Files.writeString(conf, """
                server:
                  listen: 127.0.0.1@%d
                  rundir: %s
                database:
                  storage: %s
                zone:
                  - domain: %s
                    file: %s
                    journal-content: none
                    semantic-checks: off
                log:
                  - target: stderr
                    any: info
                """.formatted(port, run, run, apex, zoneFile));
        return new Proc.Daemon(run.resolve("knot.log"), List.of("knotd", "-c", conf.toString()));
    }

    static Proc.Daemon startNsd(Path dir, String apex, Path zoneFile, int port, String extraZoneConfig)
            throws Exception {
        Path run = Files.createDirectories(dir.resolve("nsd"));
        Path conf = run.resolve("nsd.conf");
        Files.writeString(conf, """
                server:
                  ip-address: 127.0.0.1
                  port: %d
                  server-count: 1
                  username: ""
                  chroot: ""
                  database: ""
                  zonesdir: "%s"
                  pidfile: "%s/nsd.pid"
                  xfrdfile: "%s/xfrd.state"
                  zonelistfile: "%s/zone.list"
                  logfile: "%s/nsd.log"
                  rrl-ratelimit: 0
                  verbosity: 2
                remote-control:
                  control-enable: no
                zone:
                  name: %s
                  zonefile: %s
                %s
                """.formatted(port, run, run, run, run, run, apex, zoneFile, extraZoneConfig));
        return new Proc.Daemon(run.resolve("nsd.out"), List.of("nsd", "-d", "-c", conf.toString()));
    }

    /**
     * BIND 9 in the foreground ({@code named -g}) on 127.0.0.1:{@code port} serving {@code zoneFile}
     * as a primary, with {@code extraConfig} (keys, ACLs) at the top level and {@code
     * extraOptions} inside {@code options}; no rndc, no recursion.
     */
    static Proc.Daemon startBind(Path dir, String apex, Path zoneFile, int port, String extraConfig,
            String extraOptions) throws Exception {
        Path run = Files.createDirectories(dir.resolve("bind"));
        Path conf = run.resolve("named.conf");
        Files.writeString(conf, """
                %s
                controls { };
                options {
                  directory "%s";
                  listen-on port %d { 127.0.0.1; };
                  listen-on-v6 { none; };
                  pid-file "%s/named.pid";
                  session-keyfile "%s/session.key";
                  managed-keys-directory "%s";
                  recursion no;
                  dnssec-validation no;
                  %s
                };
                zone "%s" { type primary; file "%s"; };
                """.formatted(extraConfig, run, port, run, run, run, extraOptions, apex, zoneFile));
        return new Proc.Daemon(run.resolve("named.log"), List.of("named", "-g", "-c", conf.toString()));
    }

    /** Waits until the server at {@code port} answers the SOA query for {@code apex}. */
    static void awaitServing(int port, String apex, Proc.Daemon d) throws Exception {
        awaitServing(port, apex, d, m -> m.rcode() == 0 && !m.answers().isEmpty());
    }

    /** Waits until the server at {@code port} answers the unsigned SOA query for {@code apex} as {@code ready} wants. */
    static void awaitServing(int port, String apex, Proc.Daemon d, java.util.function.Predicate<Message> ready)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!d.alive()) {
                throw new AssertionError("the peer exited: " + d.log());
            }
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(200);
                byte[] b = Message.query(1, Name.of(apex), RrType.SOA).encode();
                s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
                DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
                s.receive(p);
                Message m = Message.decode(Arrays.copyOf(p.getData(), p.getLength()));
                if (ready.test(m)) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                // not yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the peer on port " + port + " never served " + apex + ": " + d.log());
    }

    /**
     * Describes the differences between two responses, or returns null when they agree. Names in
     * the question, answer and authority sections must match case too; in the additional section
     * only when {@code additionalCase}: Knot takes an additional owner's case from the RDATA that
     * named it, NSD and MirageJ from the query name when the owner is a suffix of it.
     */
    static String compare(Message q, Message ours, Message theirs, boolean additionalCase) {
        List<String> diffs = new ArrayList<>();
        if (ours.rcode() != theirs.rcode()) {
            diffs.add("rcode " + ours.rcode() + " vs " + theirs.rcode());
        }
        if (ours.aa() != theirs.aa()) {
            diffs.add("AA " + ours.aa() + " vs " + theirs.aa());
        }
        if (ours.tc() != theirs.tc()) {
            diffs.add("TC " + ours.tc() + " vs " + theirs.tc());
        }
        if ((ours.edns() == null) != (theirs.edns() == null)) {
            diffs.add("EDNS presence");
        } else if (ours.edns() != null && ours.edns().dnssecOk() != theirs.edns().dnssecOk()) {
            diffs.add("DO bit");
        }
        if (!ours.questions().equals(theirs.questions())
                || !ours.question().name().equalsExactly(theirs.question().name())) {
            diffs.add("question");
        }
        section("answer", ours.answers(), theirs.answers(), true, diffs);
        section("authority", ours.authority(), theirs.authority(), true, diffs);
        section("additional", ours.additional(), theirs.additional(), additionalCase, diffs);
        return diffs.isEmpty() ? null : String.join("; ", diffs);
    }

    private static void section(String name, List<Record> ours, List<Record> theirs, boolean withCase,
            List<String> diffs) {
        if (!ours.equals(theirs)) {
            diffs.add(name + " section:\n    ours:   " + ours + "\n    theirs: " + theirs);
            return;
        }
        for (int i = 0; withCase && i < ours.size(); i++) {
            if (!ours.get(i).owner().equalsExactly(theirs.get(i).owner())) {
                diffs.add(name + " owner case: " + ours.get(i).owner() + " vs " + theirs.get(i).owner());
            }
        }
    }

    /**
     * NSD's design choices: the zone's NS set in the authority section of positive answers, with
     * their addresses; in referrals, every A record of the glue before every AAAA. The first is
     * removed, and the additional section is put in MirageJ's (and Knot's) order: by owner as the
     * NS records name them, A before AAAA.
     */
    static Message withoutNsdExtras(Message m, Name apex, Message ours) {
        List<Record> reordered = new ArrayList<>(m.additional());
        if (ours.additional().size() == reordered.size() && new java.util.HashSet<>(ours.additional()).equals(new java.util.HashSet<>(reordered))) {
            reordered.sort(java.util.Comparator.comparingInt(r -> ours.additional().indexOf(r)));
        }
        m = new Message(m.id(), m.flags(), m.questions(), m.answers(), m.authority(), reordered, m.edns());
        if (m.rcode() != 0 || m.answers().isEmpty() || m.authority().isEmpty()
                || m.authority().stream().anyMatch(r -> r.type() != RrType.NS || !r.owner().equals(apex))) {
            return m;
        }
        List<Name> servers = m.authority().stream().map(r -> r.rdata().target()).toList();
        List<Name> answerTargets = m.answers().stream().map(r -> r.rdata().target()).filter(t -> t != null).toList();
        List<Record> additional = m.additional().stream()
                .filter(r -> !servers.contains(r.owner()) || answerTargets.contains(r.owner())).toList();
        return new Message(m.id(), m.flags(), m.questions(), m.answers(), List.of(), additional, m.edns());
    }

    @Test
    void sameAnswersAsKnotAndNsd() throws Exception {
        Interop.requireCommands("knot", "knotd");
        Interop.requireCommands("nsd", "nsd");
        ZoneGenerator g = new ZoneGenerator(20241126L, "diff.test.", 60);
        Path zoneFile = dir.resolve("diff.test.zone");
        Files.writeString(zoneFile, g.text);
        int knotPort = freePort();
        int nsdPort = freePort();
        Counters counters = new Counters();
        try (SocketStack stack = new SocketStack(counters, 100); HostTime time = new HostTime();
                Proc.Daemon knot = startKnot(dir, g.apex, zoneFile, knotPort);
                Proc.Daemon nsd = startNsd(dir, g.apex, zoneFile, nsdPort, "")) {
            AuthoritativeServer server = new AuthoritativeServer(counters);
            server.load(List.of(ZoneFile.load(zoneFile)));
            try (DnsService service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time,
                    System::nanoTime, counters, DnsService.Options.defaults())) {
                awaitServing(knotPort, g.apex, knot);
                awaitServing(nsdPort, g.apex, nsd);
                int ourPort = service.local().port();
                List<String> failures = new ArrayList<>();
                List<Message> queries = g.queries(1500);
                Name apex = Name.of(g.apex);
                int tc = 0;
                for (Message q : queries) {
                    Message ours = ask(ourPort, q);
                    Message k = ask(knotPort, q);
                    Message n = withoutNsdExtras(ask(nsdPort, q), apex, ours);
                    tc += ours.tc() ? 1 : 0;
                    String dk = compare(q, ours, k, false);
                    if (dk != null) {
                        failures.add("Knot, " + describe(q) + ": " + dk);
                    }
                    String dn = compare(q, ours, n, true);
                    if (dn != null) {
                        failures.add("NSD, " + describe(q) + ": " + dn);
                    }
                }
                assertTrue(tc > 0, "some answers were truncated");
                assertTrue(failures.isEmpty(), failures.size() + " differences in " + queries.size()
                        + " queries:\n" + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
            }
        }
    }

    static String describe(Message q) {
        return q.question().name() + " " + RrType.toString(q.question().type())
                + (q.edns() == null ? " (no EDNS)" : " (EDNS " + q.edns().udpPayloadSize() + ")");
    }
}
