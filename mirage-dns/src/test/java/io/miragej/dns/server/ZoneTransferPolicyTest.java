package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.device.WallClock;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.RrType;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.tsig.TsigSession;
import io.miragej.dns.zone.ZoneFile;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.IpPrefix;
import io.miragej.stats.Counters;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-zone transfer policy: each zone's own prefixes and keys, the server's for zones without. */
class ZoneTransferPolicyTest {
    static final Name A = Name.of("a.test.");
    static final Name B = Name.of("b.test.");
    static final Name C = Name.of("c.test.");
    static final TsigKey KA = TsigKey.parse("ka.test.:hmac-sha256:" + Base64.getEncoder().encodeToString("key of a".getBytes()));
    static final TsigKey KB = TsigKey.parse("kb.test.:hmac-sha256:" + Base64.getEncoder().encodeToString("key of b".getBytes()));
    static final TsigKey KG = TsigKey.parse("kg.test.:hmac-sha256:" + Base64.getEncoder().encodeToString("the server's".getBytes()));
    static final WallClock WALL = () -> System.currentTimeMillis() * 1_000_000L;

    static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    static String zone(Name apex) {
        return "$ORIGIN " + apex + "\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n";
    }

    @Test
    void eachZoneRefusesTheOtherZonesClientsAndKeys() {
        AuthoritativeServer.Options o = AuthoritativeServer.Options.defaults().withTsigKeys(List.of(KA, KB, KG))
                .withZoneTransferAllowed(A, List.of(IpPrefix.parse("10.0.0.0/8")))
                .withZoneTransferKeys(A, List.of(KA.name()))
                .withZoneTransferAllowed(B, List.of(IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("2001:db8::/32")))
                .withZoneTransferKeys(B, List.of(KB.name()));
        AuthoritativeServer s = new AuthoritativeServer(new Counters(), o, WALL);
        assertTrue(s.transferPermitted(A, ip("10.1.2.3"), KA.name()));
        assertFalse(s.transferPermitted(A, ip("192.0.2.7"), KA.name()), "B's client with A's key");
        assertFalse(s.transferPermitted(A, ip("10.1.2.3"), KB.name()), "A's client with B's key");
        assertFalse(s.transferPermitted(A, ip("10.1.2.3"), null), "A's client unsigned");
        assertTrue(s.transferPermitted(B, ip("192.0.2.7"), KB.name()));
        assertTrue(s.transferPermitted(B, ip("::ffff:192.0.2.7"), KB.name()), "IPv4 on a dual-stack socket");
        assertTrue(s.transferPermitted(B, ip("2001:db8::1"), KB.name()));
        assertFalse(s.transferPermitted(B, ip("10.1.2.3"), KB.name()), "A's client with B's key");
        assertFalse(s.transferPermitted(B, ip("192.0.2.7"), KA.name()), "B's client with A's key");
        assertFalse(s.transferPermitted(B, ip("192.0.2.7"), KG.name()), "a key the server knows, not B's");
        assertFalse(s.transferPermitted(C, ip("10.1.2.3"), KA.name()), "C has no override: the server's empty list");
        assertFalse(s.transferPermitted(Name.of("A.TEST."), ip("192.0.2.7"), KB.name()), "zone names ignore case");
    }

    @Test
    void zonesWithoutTheirOwnListsUseTheServersAndEachListOverridesOnItsOwn() {
        AuthoritativeServer.Options o = AuthoritativeServer.Options.defaults().withTsigKeys(List.of(KA, KG))
                .withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8")))
                .withTransferKeys(List.of(KG.name()))
                .withZoneTransferKeys(A, List.of(KA.name())) // prefixes still the server's
                .withZoneTransferKeys(B, List.of()) // unsigned transfers of B allowed
                .withZoneTransferAllowed(B, List.of(IpPrefix.parse("10.0.0.0/8")));
        AuthoritativeServer s = new AuthoritativeServer(new Counters(), o, WALL);
        assertTrue(s.transferPermitted(C, ip("127.0.0.1"), KG.name()));
        assertFalse(s.transferPermitted(C, ip("127.0.0.1"), null));
        assertFalse(s.transferPermitted(C, ip("127.0.0.1"), KA.name()));
        assertTrue(s.transferPermitted(A, ip("127.0.0.1"), KA.name()));
        assertFalse(s.transferPermitted(A, ip("127.0.0.1"), KG.name()), "A's keys replace the server's");
        assertFalse(s.transferPermitted(A, ip("10.0.0.1"), KA.name()), "A's prefixes are the server's");
        assertTrue(s.transferPermitted(B, ip("10.0.0.1"), null));
        assertFalse(s.transferPermitted(B, ip("127.0.0.1"), null), "B's prefixes replace the server's");
        assertEquals(List.of(IpPrefix.parse("127.0.0.0/8")), o.transferAllowed(A));
        assertEquals(List.of(), o.transferKeys(B));
    }

    @Test
    void aZoneKeyThatIsNotAmongTheKeysIsRejectedSayingWhichZone() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuthoritativeServer.Options
                .defaults().withTsigKeys(List.of(KA)).withZoneTransferKeys(B, List.of(KB.name())));
        assertTrue(e.getMessage().contains("b.test.") && e.getMessage().contains("kb.test."), e.getMessage());
    }

    /** Over TCP on the host's sockets: A's key transfers A, and is REFUSED (signed) for B. */
    @Test
    void overTcpAZonesKeyTransfersItAndTheOtherZoneRefusesItSigned() throws Exception {
        Counters counters = new Counters();
        AuthoritativeServer server = new AuthoritativeServer(counters, AuthoritativeServer.Options.defaults()
                .withTsigKeys(List.of(KA, KB)).withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8")))
                .withZoneTransferKeys(A, List.of(KA.name())).withZoneTransferKeys(B, List.of(KB.name())), WALL);
        server.load(List.of(ZoneFile.parse(zone(A), "a.zone", null), ZoneFile.parse(zone(B), "b.zone", null)));
        try (SocketStack stack = new SocketStack(counters, 100); HostTime time = new HostTime();
                DnsService service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time,
                        System::nanoTime, counters, DnsService.Options.defaults())) {
            int port = service.local().port();
            List<Message> ok = axfr(port, A, KA);
            assertEquals(Rcode.NOERROR, ok.getFirst().rcode());
            assertEquals(RrType.SOA, ok.getLast().answers().getLast().type(), "the whole zone, closing SOA");
            List<Message> refused = axfr(port, B, KA);
            assertEquals(1, refused.size());
            assertEquals(Rcode.REFUSED, refused.getFirst().rcode());
            assertEquals(RrType.TSIG, refused.getFirst().additional().getLast().type(), "the refusal is signed");
            assertEquals(Rcode.NOERROR, axfr(port, B, KB).getFirst().rcode());
            assertEquals(Rcode.REFUSED, axfr(port, A, null).getFirst().rcode(), "A unsigned");
            assertEquals(2, counters.get("dns.axfr.out"));
            assertEquals(2, counters.get("dns.axfr.refused.zone"));
            assertEquals(2, counters.get("dns.axfr.refused"));
        }
    }

    /** AXFR over TCP, signed with {@code key} (null: unsigned); every message's TSIG verified. */
    static List<Message> axfr(int port, Name zone, TsigKey key) throws Exception {
        long now = WALL.epochNanos() / 1_000_000_000L;
        TsigSession tsig = key == null ? null : TsigSession.client(key);
        byte[] q = Message.query(0x5a5a, zone, RrType.AXFR).encode();
        if (tsig != null) {
            q = tsig.sign(q, now);
        }
        List<Message> out = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            DataOutputStream o = new DataOutputStream(s.getOutputStream());
            o.writeShort(q.length);
            o.write(q);
            o.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int soas = 0;
            while (soas < 2) {
                byte[] m = new byte[in.readUnsignedShort()];
                in.readFully(m);
                if (tsig != null) {
                    assertEquals(TsigSession.Result.OK, tsig.verify(m, m.length, now), tsig.problem());
                }
                Message msg = Message.decode(m);
                out.add(msg);
                if (msg.rcode() != Rcode.NOERROR) {
                    break;
                }
                soas += (int) msg.answers().stream().filter(r -> r.type() == RrType.SOA).count();
            }
        }
        return out;
    }
}
