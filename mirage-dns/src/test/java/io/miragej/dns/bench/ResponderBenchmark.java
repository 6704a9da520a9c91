package io.miragej.dns.bench;

import io.miragej.buffer.PacketBuffer;
import io.miragej.dns.Edns;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.RrType;
import io.miragej.dns.server.AuthoritativeServer;
import io.miragej.dns.server.Responder;
import io.miragej.dns.zone.ZoneFile;
import io.miragej.net.IpAddress;
import io.miragej.stats.Counters;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The responder's cost per query on a 10,000-name zone, from query bytes in native memory (as a
 * socket hands them over) to response bytes: the part of a query's CPU time that is MirageJ's own.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmx256m"})
public class ResponderBenchmark {
    @Param({"exact", "nxdomain", "wildcard", "cname", "nsec-nxdomain", "nsec3-nxdomain"})
    public String kind;

    private Responder responder;
    private PacketBuffer[] queries;
    private int next;
    private final IpAddress client = IpAddress.parse("127.0.0.1");

    @Setup
    public void setUp() throws Exception {
        StringBuilder z = new StringBuilder("$ORIGIN bench.test.\n$TTL 3600\n@ SOA ns1 hm 1 7200 3600 1209600 300\n NS ns1\nns1 A 192.0.2.1\n");
        for (int i = 0; i < 10_000; i++) {
            z.append('h').append(i).append(" A 10.0.").append(i / 256 % 256).append('.').append(i % 256).append('\n');
        }
        z.append("*.wild A 192.0.2.9\nalias CNAME h1\n");
        AuthoritativeServer server = new AuthoritativeServer(new Counters());
        if (kind.startsWith("nsec")) {
            // signed by dnssec-signzone; answered with the DO bit, a proof chosen per query
            String file = kind.startsWith("nsec3") ? "example.com.nsec3.signed" : "example.com.nsec.signed";
            server.load(List.of(ZoneFile.load(java.nio.file.Path.of("mirage-dns/src/test/resources/zones", file))));
        } else {
            server.load(List.of(ZoneFile.parse(z.toString(), "bench.zone", null)));
        }
        responder = server.responder();
        queries = new PacketBuffer[16384];
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < queries.length; i++) {
            String name = switch (kind) {
                case "exact" -> "h" + r.nextInt(10_000) + ".bench.test.";
                case "nxdomain" -> "nx" + r.nextInt(10_000) + ".bench.test.";
                case "wildcard" -> "x" + r.nextInt(10_000) + ".wild.bench.test.";
                case "nsec-nxdomain", "nsec3-nxdomain" -> "nx" + r.nextInt(10_000) + ".example.com.";
                default -> "alias.bench.test.";
            };
            byte[] q = Message.query(i, Name.of(name), RrType.A).withEdns(Edns.of(1232, kind.startsWith("nsec"))).encode();
            MemorySegment seg = Arena.ofAuto().allocate(q.length);
            MemorySegment.copy(q, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, q.length);
            queries[i] = PacketBuffer.wrap(seg);
        }
    }

    @Benchmark
    public int respond() {
        PacketBuffer q = queries[next++ & 16383];
        return responder.respond(q, false, client);
    }
}
