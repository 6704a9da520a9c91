package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.device.WallClock;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.RrType;
import io.miragej.dns.resolver.StubResolver;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.stats.Counters;
import io.miragej.testkit.Interop;
import io.miragej.unix.HostRandom;
import io.miragej.unix.HostTime;
import io.miragej.unix.SocketStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MirageJ's signing stub resolver against BIND 9, which nobody here wrote: BIND serves a zone only
 * to queries signed with the key ({@code allow-query { key ...; }}), so an unsigned query is
 * REFUSED, a signed one answered and verified, over UDP and, truncated, over TCP; BIND's BADSIG,
 * BADKEY and (signed) BADTIME answers end the query with a message saying what to check.
 */
class StubResolverBindInteropTest {
    static final String SECRET = Base64.getEncoder().encodeToString("BIND and the stub resolver share it".getBytes());
    static final TsigKey KEY = TsigKey.parse("stub.b.test.:hmac-sha256:" + SECRET);
    static final WallClock WALL = () -> System.currentTimeMillis() * 1_000_000L;

    @Test
    void bindAnswersOnlySignedQueriesAndTheResolverVerifiesItsAnswers(@TempDir Path dir) throws Exception {
        Interop.requireCommands("bind9", "named");
        StringBuilder zone = new StringBuilder("$ORIGIN b.test.\n$TTL 60\n@ SOA ns hm 1 7200 3600 1209600 300\n NS ns\n"
                + "ns A 192.0.2.1\nwww A 192.0.2.80\nwww AAAA 2001:db8::80\n");
        for (int i = 0; i < 20; i++) {
            zone.append("big TXT \"").append("x".repeat(150)).append(i).append("\"\n");
        }
        Path zoneFile = Files.writeString(dir.resolve("b.test.zone"), zone);
        int port = DifferentialTest.freePort();
        String key = "key \"stub.b.test.\" { algorithm hmac-sha256; secret \"" + SECRET + "\"; };";
        Counters counters = new Counters();
        try (Proc.Daemon bind = DifferentialTest.startBind(dir, "b.test", zoneFile, port, key,
                        "allow-query { key \"stub.b.test.\"; };");
                SocketStack stack = new SocketStack(counters, 100); HostTime time = new HostTime()) {
            DifferentialTest.awaitServing(port, "b.test.", bind, m -> m.rcode() == Rcode.REFUSED);
            List<Endpoint> bindAt = List.of(Endpoint.of("127.0.0.1", port));
            StubResolver.Options options = new StubResolver.Options(Duration.ofSeconds(2), 2, false, 1232);

            StubResolver unsigned = new StubResolver(stack, bindAt, new HostRandom(), System::nanoTime, time, options);
            assertEquals(Rcode.REFUSED, unsigned.query(Name.of("www.b.test."), RrType.A).rcode(),
                    "without the key BIND refuses: " + bind.log());

            StubResolver signed = new StubResolver(stack, bindAt, new HostRandom(), System::nanoTime, WALL, time, counters,
                    options.withTsigKey(KEY));
            assertEquals(List.of(IpAddress.parse("192.0.2.80"), IpAddress.parse("2001:db8::80")),
                    signed.addresses(Name.of("www.b.test.")));
            Message big = signed.query(Name.of("big.b.test."), RrType.TXT);
            assertEquals(20, big.answers().size(), "the truncated answer asked again over TCP, signed");
            assertFalse(big.tc());
            assertEquals(RrType.TSIG, big.additional().getLast().type());
            assertEquals(0, counters.get("dns.resolver.tsig.rejected.unsigned")
                    + counters.get("dns.resolver.tsig.rejected.badmac")
                    + counters.get("dns.resolver.tsig.rejected.otherkey")
                    + counters.get("dns.resolver.tsig.rejected.malformed"), "every BIND answer verified");

            TsigKey wrongSecret = TsigKey.parse("stub.b.test.:hmac-sha256:"
                    + Base64.getEncoder().encodeToString("not the secret".getBytes()));
            IOException e = assertThrows(IOException.class, () -> new StubResolver(stack, bindAt, new HostRandom(),
                    System::nanoTime, WALL, time, counters, options.withTsigKey(wrongSecret))
                    .query(Name.of("www.b.test."), RrType.A));
            assertTrue(e.getMessage().contains("BADSIG") && e.getMessage().contains("secret"), e.getMessage());
            TsigKey unknown = TsigKey.parse("stranger.b.test.:hmac-sha256:" + SECRET);
            e = assertThrows(IOException.class, () -> new StubResolver(stack, bindAt, new HostRandom(),
                    System::nanoTime, WALL, time, counters, options.withTsigKey(unknown))
                    .query(Name.of("www.b.test."), RrType.A));
            assertTrue(e.getMessage().contains("BADKEY") && e.getMessage().contains("key name"), e.getMessage());
            WallClock hourBehind = () -> WALL.epochNanos() - 3_600_000_000_000L;
            e = assertThrows(IOException.class, () -> new StubResolver(stack, bindAt, new HostRandom(),
                    System::nanoTime, hourBehind, time, counters, options.withTsigKey(KEY))
                    .query(Name.of("www.b.test."), RrType.A));
            assertTrue(e.getMessage().contains("BADTIME") && e.getMessage().contains("clock"), e.getMessage());
            assertEquals(3, counters.get("dns.resolver.tsig.failed"));
        }
    }
}
