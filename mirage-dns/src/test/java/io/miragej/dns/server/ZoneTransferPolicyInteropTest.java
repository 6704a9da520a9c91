package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Name;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.zone.ZoneFile;
import io.miragej.net.Endpoint;
import io.miragej.net.IpPrefix;
import io.miragej.stats.Counters;
import io.miragej.testkit.Interop;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kdig transfers two zones each guarded by its own TSIG key: a zone's key works, the other zone's is REFUSED. */
class ZoneTransferPolicyInteropTest {
    private static final Duration T = Duration.ofSeconds(20);
    static final String SECRET_A = Base64.getEncoder().encodeToString("the secondary of a.test has it".getBytes());
    static final String SECRET_B = Base64.getEncoder().encodeToString("the secondary of b.test has it".getBytes());

    @Test
    void kdigTransfersEachZoneOnlyWithItsOwnKey() throws Exception {
        Interop.requireCommands("knot-dnsutils", "kdig");
        TsigKey ka = TsigKey.parse("ka.test.:hmac-sha256:" + SECRET_A);
        TsigKey kb = TsigKey.parse("kb.test.:hmac-sha256:" + SECRET_B);
        Name a = Name.of("a.test.");
        Name b = Name.of("b.test.");
        Counters counters = new Counters();
        AuthoritativeServer server = new AuthoritativeServer(counters, AuthoritativeServer.Options.defaults()
                .withTsigKeys(List.of(ka, kb)).withTransferAllowed(List.of(IpPrefix.parse("127.0.0.0/8")))
                .withZoneTransferKeys(a, List.of(ka.name())).withZoneTransferKeys(b, List.of(kb.name())),
                ZoneTransferPolicyTest.WALL);
        server.load(List.of(ZoneFile.parse(ZoneTransferPolicyTest.zone(a), "a.zone", null),
                ZoneFile.parse(ZoneTransferPolicyTest.zone(b), "b.zone", null)));
        try (SocketStack stack = new SocketStack(counters, 100); HostTime time = new HostTime();
                DnsService service = DnsService.start(stack, server, Endpoint.of("127.0.0.1", 0), time,
                        System::nanoTime, counters, DnsService.Options.defaults())) {
            String port = Integer.toString(service.local().port());
            String yA = "hmac-sha256:ka.test.:" + SECRET_A;
            String yB = "hmac-sha256:kb.test.:" + SECRET_B;
            for (String[] ok : new String[][] {{yA, "a.test"}, {yB, "b.test"}}) {
                Proc.Result r = Proc.run(T, "kdig", "@127.0.0.1", "-p", port, "-y", ok[0], ok[1], "AXFR");
                assertEquals(0, r.exit(), r.err() + r.out());
                assertFalse(r.err().contains("ERROR") || r.err().contains("WARNING"), r.err());
                assertTrue(r.out().contains("www." + ok[1] + "."), r.out());
                assertTrue(r.out().matches("(?s).*\\s+0\\s+ANY\\s+TSIG\\s+hmac-sha256\\..*"), "signed: " + r.out());
            }
            for (String[] refused : new String[][] {{yA, "b.test"}, {yB, "a.test"}}) {
                Proc.Result r = Proc.run(T, "kdig", "@127.0.0.1", "-p", port, "-y", refused[0], refused[1], "AXFR");
                assertNotEquals(0, r.exit(), r.out());
                assertTrue((r.err() + r.out()).contains("REFUSED"), r.err() + r.out());
                assertFalse(r.out().contains("www." + refused[1] + "."), r.out());
                // kdig verified the signed refusal: no TSIG complaint
                assertFalse(r.err().contains("BADSIG") || r.err().contains("TSIG"), r.err());
            }
            Proc.Result unsigned = Proc.run(T, "kdig", "@127.0.0.1", "-p", port, "+tcp", "a.test", "AXFR");
            assertTrue((unsigned.err() + unsigned.out()).contains("REFUSED"), unsigned.err() + unsigned.out());
            assertEquals(2, counters.get("dns.axfr.out"));
            assertEquals(3, counters.get("dns.axfr.refused.zone"));
        }
    }
}
