package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.buffer.PacketBuffer;
import io.miragej.dns.Edns;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Opcode;
import io.miragej.dns.Question;
import io.miragej.dns.Rcode;
import io.miragej.dns.Record;
import io.miragej.dns.RrClass;
import io.miragej.dns.RrType;
import io.miragej.net.IpPrefix;
import io.miragej.stats.Counters;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The answers of RFC 1034 §4.3.2 and RFC 4592, checked section by section. */
class ResponderTest {
    private Counters counters;
    private AuthoritativeServer server;
    private Client client;

    @BeforeEach
    void setUp() {
        counters = new Counters();
        server = new AuthoritativeServer(counters);
        server.load(List.of(Zones.example()));
        client = new Client(server);
    }

    private static List<String> lines(List<Record> rs) {
        return rs.stream().map(Record::toString).toList();
    }

    /** Records equal as DNS compares them: names without case. */
    private static void assertSection(List<Record> actual, String... expected) {
        List<Record> want = java.util.Arrays.stream(expected).map(t -> {
            String[] f = t.split("\\s+", 4);
            return Record.of(f[0], Long.parseLong(f[1]), RrType.parse(f[2]), f[3]);
        }).toList();
        assertEquals(want, actual, () -> "expected " + want + " got " + lines(actual));
    }

    @Test
    void exactMatch() {
        Message m = client.ask("host.example.com.", RrType.A);
        assertEquals(Rcode.NOERROR, m.rcode());
        assertTrue(m.aa());
        assertTrue(m.isResponse());
        assertEquals(0x1234, m.id());
        assertSection(m.answers(), "host.example.com. 3600 A 192.0.2.80");
        assertTrue(m.authority().isEmpty());
        assertTrue(m.additional().isEmpty());
    }

    @Test
    void cnameChainInsideTheZone() {
        Message m = client.ask("www.example.com.", RrType.A);
        assertSection(m.answers(), "www.example.com. 3600 CNAME web.example.com.",
                "web.example.com. 3600 CNAME host.example.com.", "host.example.com. 3600 A 192.0.2.80");
        assertTrue(m.aa());
        Message cname = client.ask("www.example.com.", RrType.CNAME);
        assertSection(cname.answers(), "www.example.com. 3600 CNAME web.example.com.");
        Message nodata = client.ask("www.example.com.", RrType.TXT);
        assertSection(nodata.answers(), "www.example.com. 3600 CNAME web.example.com.",
                "web.example.com. 3600 CNAME host.example.com.");
        assertSection(nodata.authority(), "example.com. 300 SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300");
    }

    @Test
    void cnameToNothingIsNxdomainAndToElsewhereStops() {
        Message m = client.ask("dangling.example.com.", RrType.A);
        assertEquals(Rcode.NXDOMAIN, m.rcode());
        assertSection(m.answers(), "dangling.example.com. 3600 CNAME nothere.example.com.");
        assertSection(m.authority(), "example.com. 300 SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300");
        Message ext = client.ask("ext.example.com.", RrType.A);
        assertEquals(Rcode.NOERROR, ext.rcode());
        assertSection(ext.answers(), "ext.example.com. 3600 CNAME www.example.net.");
        assertTrue(ext.authority().isEmpty());
        Message loop = client.ask("loop1.example.com.", RrType.A);
        assertSection(loop.answers(), "loop1.example.com. 3600 CNAME loop2.example.com.",
                "loop2.example.com. 3600 CNAME loop1.example.com.");
        Message towild = client.ask("towild.example.com.", RrType.A);
        assertSection(towild.answers(), "towild.example.com. 3600 CNAME foo.wild.example.com.",
                "foo.wild.example.com. 3600 A 192.0.2.42");
    }

    @Test
    void wildcardsAreSynthesizedWithTheQueryName() {
        Message m = client.ask("x.wild.example.com.", RrType.MX);
        assertSection(m.answers(), "x.wild.example.com. 3600 MX 10 mail.example.com.");
        assertSection(m.additional(), "mail.example.com. 3600 A 192.0.2.25", "mail.example.com. 3600 AAAA 2001:db8::25");
        Message deep = client.ask("Deeper.X.Y.wild.example.com.", RrType.A);
        assertSection(deep.answers(), "Deeper.X.Y.wild.example.com. 3600 A 192.0.2.42");
        assertTrue(deep.answers().getFirst().owner().equalsExactly(Name.of("Deeper.X.Y.wild.example.com.")));
        Message nodata = client.ask("X.Y.wild.example.com.", RrType.TXT);
        assertEquals(Rcode.NOERROR, nodata.rcode());
        assertTrue(nodata.answers().isEmpty());
        assertSection(nodata.authority(), "example.com. 300 SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300");
        Message literal = client.ask("*.wild.example.com.", RrType.A);
        assertSection(literal.answers(), "*.wild.example.com. 3600 A 192.0.2.42");
    }

    @Test
    void emptyNonTerminalsAreNodataNotNxdomain() {
        for (String n : new String[] {"wild.example.com.", "b.c.example.com.", "c.example.com."}) {
            Message m = client.ask(n, RrType.A);
            assertEquals(Rcode.NOERROR, m.rcode(), n);
            assertTrue(m.aa());
            assertTrue(m.answers().isEmpty());
            assertEquals(1, m.authority().size());
        }
        Message nx = client.ask("nope.example.com.", RrType.AAAA);
        assertEquals(Rcode.NXDOMAIN, nx.rcode());
        assertSection(nx.authority(), "example.com. 300 SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300");
        assertEquals(Rcode.NXDOMAIN, client.ask("x.a.b.c.example.com.", RrType.A).rcode());
    }

    @Test
    void referralsCarryGlueAndTheQueryCase() {
        Message m = client.ask("Www.Sub.Example.com.", RrType.A);
        assertEquals(Rcode.NOERROR, m.rcode());
        assertFalse(m.aa());
        assertTrue(m.answers().isEmpty());
        assertSection(m.authority(), "sub.example.com. 3600 NS ns.sub.example.com.", "sub.example.com. 3600 NS ns.example.net.");
        assertTrue(m.authority().getFirst().owner().equalsExactly(Name.of("Sub.Example.com.")));
        assertSection(m.additional(), "ns.sub.example.com. 3600 A 192.0.2.99");
        assertTrue(m.additional().getFirst().owner().equalsExactly(Name.of("ns.Sub.Example.com.")));
        Message atCut = client.ask("sub.example.com.", RrType.NS);
        assertFalse(atCut.aa());
        assertEquals(2, atCut.authority().size());
        Message glue = client.ask("ns.sub.example.com.", RrType.A);
        assertFalse(glue.aa(), "glue is not authoritative data");
        assertTrue(glue.answers().isEmpty());
        Message ds = client.ask("sub.example.com.", RrType.DS);
        assertTrue(ds.aa(), "DS is answered by the parent");
        assertEquals(Rcode.NOERROR, ds.rcode());
        assertEquals(RrType.SOA, ds.authority().getFirst().type());
    }

    @Test
    void additionalAddressesForMxSrvAndNs() {
        Message mx = client.ask("example.com.", RrType.MX);
        assertSection(mx.additional(), "mail.example.com. 3600 A 192.0.2.25", "mail.example.com. 3600 AAAA 2001:db8::25");
        Message srv = client.ask("srv.example.com.", RrType.SRV);
        assertEquals(2, srv.additional().size());
        Message ns = client.ask("example.com.", RrType.NS);
        assertSection(ns.additional(), "ns1.example.com. 3600 A 192.0.2.53");
    }

    @Test
    void outsideTheZonesIsRefused() {
        Message m = client.ask("example.org.", RrType.A);
        assertEquals(Rcode.REFUSED, m.rcode());
        assertFalse(m.aa());
        assertEquals(Question.of(Name.of("example.org."), RrType.A), m.question());
        assertEquals(Rcode.REFUSED, client.ask("com.", RrType.A).rcode());
        assertEquals(Rcode.REFUSED, client.ask(".", RrType.NS).rcode());
        Message ch = client.ask(new Message(7, 0, List.of(new Question(Name.of("version.bind."), RrType.TXT, RrClass.CH)),
                List.of(), List.of(), List.of(), null), false);
        assertEquals(Rcode.REFUSED, ch.rcode());
        assertEquals(4, counters.get("dns.responses.refused"));
    }

    @Test
    void questionIsEchoedWithItsCase() {
        Message m = client.ask("HoSt.ExAmPlE.CoM.", RrType.A);
        assertTrue(m.question().name().equalsExactly(Name.of("HoSt.ExAmPlE.CoM.")));
        assertTrue(m.answers().getFirst().owner().equalsExactly(Name.of("HoSt.ExAmPlE.CoM.")));
    }

    @Test
    void udpTruncationAndEdns() {
        Message small = client.ask("big.example.com.", RrType.TXT);
        assertTrue(small.tc());
        assertTrue(small.aa());
        assertTrue(small.answers().isEmpty() && small.authority().isEmpty() && small.additional().isEmpty());
        assertNull(small.edns());
        Message big = client.askEdns("big.example.com.", RrType.TXT, 4096, false);
        assertFalse(big.tc());
        assertEquals(5, big.answers().size());
        assertEquals(1232, big.edns().udpPayloadSize());
        assertFalse(big.edns().dnssecOk());
        Message limited = client.askEdns("big.example.com.", RrType.TXT, 600, true);
        assertTrue(limited.tc());
        assertTrue(limited.edns().dnssecOk(), "the DO bit is echoed (RFC 3225)");
        Message tiny = client.askEdns("big.example.com.", RrType.TXT, 100, false);
        assertTrue(tiny.tc(), "a payload size under 512 counts as 512");
        Message tcp = client.ask(Message.query(1, Name.of("big.example.com."), RrType.TXT), true);
        assertFalse(tcp.tc());
        assertEquals(5, tcp.answers().size());
        assertEquals(3, counters.get("dns.responses.truncated"));
    }

    @Test
    void optionalAdditionalDataIsDroppedWithoutTc() {
        StringBuilder z = new StringBuilder("$ORIGIN t.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n NS ns\nns A 192.0.2.1\n");
        for (int i = 0; i < 20; i++) {
            z.append("@ MX ").append(i).append(" mail").append(i).append(".t.\n");
            z.append("mail").append(i).append(" AAAA 2001:db8::").append(i).append('\n');
        }
        server.load(List.of(Zones.parse(z.toString())));
        Message m = client.ask("t.", RrType.MX);
        assertFalse(m.tc());
        assertEquals(20, m.answers().size());
        assertTrue(m.additional().size() < 20 && m.additional().size() > 0, "some AAAA fit: " + m.additional().size());
        Message all = client.askEdns("t.", RrType.MX, 4096, false);
        assertEquals(20, all.additional().size());
    }

    @Test
    void ednsErrorsAndOddQueries() {
        Message badvers = client.ask(Message.query(9, Name.of("host.example.com."), RrType.A)
                .withEdns(new Edns(1232, 0, 1, 0, new byte[0])), false);
        assertEquals(Rcode.BADVERS, badvers.rcode());
        assertEquals(0, badvers.edns().version());
        Message status = client.ask(Message.query(9, Name.of("host.example.com."), RrType.A).withFlags(Opcode.STATUS << 11), false);
        assertEquals(Rcode.NOTIMP, status.rcode());
        Message none = client.ask(new Message(9, 0, List.of(), List.of(), List.of(), List.of(), null), false);
        assertEquals(Rcode.FORMERR, none.rcode());
        assertNull(client.ask(Message.query(9, Name.of("host.example.com."), RrType.A).withFlags(Message.QR), false),
                "responses are never answered");
        assertNull(client.raw(new byte[11], false));
        assertEquals(Rcode.NOTIMP, client.ask("host.example.com.", RrType.MAILB).rcode());
        assertEquals(Rcode.FORMERR, client.ask("host.example.com.", RrType.OPT).rcode());
        Message rd = client.ask(Message.query(9, Name.of("host.example.com."), RrType.A).withFlags(Message.RD | Message.CD), false);
        assertTrue(rd.rd());
        assertEquals(Message.CD, rd.flags() & Message.CD);
        assertEquals(0, rd.flags() & Message.RA);
    }

    @Test
    void transfersNeedTcpAndPermission() {
        Message q = Message.query(5, Name.of("example.com."), RrType.AXFR);
        assertEquals(Rcode.REFUSED, client.ask(q, false).rcode());
        assertEquals(Rcode.REFUSED, client.ask(q, true).rcode());
        AuthoritativeServer open = new AuthoritativeServer(new Counters(),
                AuthoritativeServer.Options.defaults().withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8"))));
        open.load(List.of(Zones.example()));
        Client c = new Client(open);
        assertArrayEquals(new byte[0], c.raw(q.encode(), true));
        assertEquals(Name.of("example.com."), c.responder.transferZone());
        assertEquals(Rcode.NOTAUTH, c.ask(Message.query(5, Name.of("www.example.com."), RrType.AXFR), true).rcode());
        List<byte[]> msgs = open.transferMessages(5, Name.of("example.com."), 512);
        assertTrue(msgs.size() > 2);
        int records = 0;
        for (byte[] b : msgs) {
            try {
                records += Message.decode(b).answers().size();
            } catch (Exception e) {
                fail(e);
            }
        }
        assertEquals(Zones.example().records().size() + 1, records);
    }

    @Test
    void manyZonesAndNestedZones() {
        server.load(List.of(Zones.example(), Zones.parse("""
                $ORIGIN sub.example.com.
                $TTL 60
                @ SOA ns hm 7 1 1 1 1
                  NS ns
                ns A 192.0.2.99
                www A 192.0.2.100
                """), Zones.parse("""
                $ORIGIN example.net.
                $TTL 60
                @ SOA ns hm 1 1 1 1 1
                  NS ns
                ns A 192.0.2.7
                """)));
        Message child = client.ask("www.sub.example.com.", RrType.A);
        assertTrue(child.aa(), "the child zone answers for itself");
        assertSection(child.answers(), "www.sub.example.com. 60 A 192.0.2.100");
        Message nx = client.ask("nope.sub.example.com.", RrType.A);
        assertEquals(Rcode.NXDOMAIN, nx.rcode());
        assertEquals(Name.of("sub.example.com."), nx.authority().getFirst().owner());
        assertSection(client.ask("ns.example.net.", RrType.A).answers(), "ns.example.net. 60 A 192.0.2.7");
        assertEquals(Rcode.NOERROR, client.ask("host.example.com.", RrType.A).rcode());
    }

    @Test
    void reloadSwapsZonesAtomically() {
        assertEquals(Rcode.NXDOMAIN, client.ask("new.example.com.", RrType.A).rcode());
        server.load(List.of(Zones.parse(Zones.EXAMPLE.replace("1 7200", "2 7200") + "new A 192.0.2.200\n")));
        assertSection(client.ask("new.example.com.", RrType.A).answers(), "new.example.com. 3600 A 192.0.2.200");
        assertEquals(2, server.authority().zone(Name.of("example.com.")).serial());
    }

    @Test
    void longCnameChainsStopAtTheBound() {
        StringBuilder z = new StringBuilder("$ORIGIN c.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n NS ns\nns A 192.0.2.1\n");
        for (int i = 0; i < 30; i++) {
            z.append("c").append(i).append(" CNAME c").append(i + 1).append('\n');
        }
        z.append("c30 A 192.0.2.30\n");
        server.load(List.of(Zones.parse(z.toString())));
        Message m = client.ask("c0.c.test.", RrType.A);
        assertEquals(Compiler.MAX_CHAIN + 1, m.answers().size(), "the chain is given as far as the bound");
        assertTrue(m.answers().stream().allMatch(r -> r.type() == RrType.CNAME));
        assertEquals(2, client.ask("c29.c.test.", RrType.A).answers().size(), "short chains end in the data");
    }

    @Test
    void dnameRewritesNamesBelowIt() {
        Message m = client.ask("Www.Sub.Old.example.com.", RrType.A);
        assertEquals(Rcode.NOERROR, m.rcode());
        assertTrue(m.aa());
        assertSection(m.answers(), "old.example.com. 3600 DNAME example.net.",
                "Www.Sub.Old.example.com. 3600 CNAME Www.Sub.example.net.");
        assertTrue(m.answers().get(1).owner().equalsExactly(Name.of("Www.Sub.Old.example.com.")));
        assertTrue(m.answers().getFirst().owner().equalsExactly(Name.of("Old.example.com.")));
        Message at = client.ask("old.example.com.", RrType.DNAME);
        assertSection(at.answers(), "old.example.com. 3600 DNAME example.net.");
        Message nodata = client.ask("old.example.com.", RrType.A);
        assertTrue(nodata.answers().isEmpty());
        String longLabel = "a".repeat(63);
        Message tooLong = client.ask(longLabel + "." + longLabel + ".long.example.com.", RrType.A);
        assertEquals(Rcode.YXDOMAIN, tooLong.rcode(), "the rewritten name would pass 255 bytes (RFC 6672 §2.2)");
        assertEquals(1, tooLong.answers().size());
    }

    private static final String DNAMES = """
            $ORIGIN example.com.
            $TTL 3600
            @ SOA ns1 hostmaster 1 7200 3600 1209600 300
              NS ns1
            ns1 A 192.0.2.53
            host A 192.0.2.80
            *.wild A 192.0.2.42
            in DNAME wild
            toh DNAME host
            t DNAME txt
            x.txt TXT "%s" "%s" "%s" "%s" "%s"
            """.formatted("a".repeat(120), "b".repeat(120), "c".repeat(120), "d".repeat(120), "e".repeat(120));

    /** RFC 6672 §3.2: the CNAME made from a DNAME is followed inside the zones served here. */
    @Test
    void dnameIntoTheZoneIsFollowed() {
        server.load(List.of(Zones.parse(DNAMES)));
        Message m = client.ask("x.In.example.com.", RrType.A);
        assertEquals(Rcode.NOERROR, m.rcode());
        assertTrue(m.aa());
        assertSection(m.answers(), "in.example.com. 3600 DNAME wild.example.com.",
                "x.in.example.com. 3600 CNAME x.wild.example.com.",
                "x.wild.example.com. 3600 A 192.0.2.42");
        Message nx = client.ask("x.toh.example.com.", RrType.A);
        assertEquals(Rcode.NXDOMAIN, nx.rcode(), "the RCODE speaks for the last name (RFC 6604)");
        assertSection(nx.answers(), "toh.example.com. 3600 DNAME host.example.com.",
                "x.toh.example.com. 3600 CNAME x.host.example.com.");
        assertSection(nx.authority(), "example.com. 300 SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300");
        Message cname = client.ask("x.in.example.com.", RrType.CNAME);
        assertEquals(2, cname.answers().size(), "a CNAME was asked for: the synthesized one answers it");
        Message big = client.ask("x.t.example.com.", RrType.TXT);
        assertTrue(big.tc(), "the followed TXT does not fit 512 bytes");
        assertEquals(2, big.answers().size(), "DNAME and CNAME go alone");
        Message bigEdns = client.askEdns("x.t.example.com.", RrType.TXT, 4096, false);
        assertFalse(bigEdns.tc());
        assertEquals(3, bigEdns.answers().size());
    }

    /** Every kind of answer, a followed DNAME included, is written without allocating. */
    @Test
    void answersAllocateNothing() {
        server.load(List.of(Zones.example(), Zones.parse(DNAMES.replace("example.com.", "example.org."))));
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Responder responder = new Responder(server);
        List<PacketBuffer> queries = new java.util.ArrayList<>();
        String[] names = {"host.example.com.", "www.example.com.", "x.wild.example.com.", "nothere.example.com.",
            "a.sub.example.com.", "x.old.example.com.", "x.in.example.org.", "x.toh.example.org.", "example.net."};
        for (String n : names) {
            queries.add(PacketBuffer.wrap(Message.query(7, Name.of(n), RrType.A).encode()));
            queries.add(PacketBuffer.wrap(Message.query(8, Name.of(n), RrType.MX)
                    .withEdns(io.miragej.dns.Edns.of(1232, true)).encode()));
        }
        for (int i = 0; i < 5_000; i++) {
            for (PacketBuffer q : queries) {
                assertTrue(responder.respond(q, false, Client.LOCAL) > 0);
            }
        }
        long id = Thread.currentThread().threadId();
        List<String> allocating = new java.util.ArrayList<>();
        for (int k = 0; k < queries.size(); k++) {
            PacketBuffer q = queries.get(k);
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 5_000; i++) {
                responder.respond(q, false, Client.LOCAL);
            }
            long allocated = threads.getThreadAllocatedBytes(id) - before;
            if (allocated > 1_000) {
                allocating.add(names[k / 2] + (k % 2 == 0 ? " A" : " MX +DO") + ": " + allocated + " bytes");
            }
        }
        assertTrue(allocating.isEmpty(), "5,000 queries each allocated: " + allocating);
    }

    @Test
    void anyGetsOneRrset() {
        Message m = client.ask("example.com.", RrType.ANY);
        assertEquals(1, m.answers().size());
        assertEquals(RrType.A, m.answers().getFirst().type());
        assertEquals(RrType.CNAME, client.ask("www.example.com.", RrType.ANY).answers().getFirst().type());
    }
}
