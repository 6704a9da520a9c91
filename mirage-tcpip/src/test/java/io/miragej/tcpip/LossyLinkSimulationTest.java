package io.miragej.tcpip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.net.Endpoint;
import io.miragej.stack.Flow;
import io.miragej.testkit.Capture;
import io.miragej.testkit.LinkProfile;
import io.miragej.testkit.PcapOnFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole system on virtual time: two DirectStacks, applications on simulated threads, a link
 * that loses 5 %, duplicates, reorders and corrupts frames. Ten megabytes cross each way at once,
 * byte-exact; the same seed gives the same run; a failure leaves a pcap in target/pcap.
 */
@ExtendWith(PcapOnFailure.class)
@Timeout(300)
class LossyLinkSimulationTest {
    static final int MB = 1 << 20;

    static LinkProfile hostile() {
        return LinkProfile.perfect().withLatency(Duration.ofMillis(2), Duration.ofMillis(1)).withLoss(0.05)
                .withDuplicate(0.02).withReorder(0.05).withCorrupt(0.01);
    }

    static byte streamByte(long seed, long i) {
        long x = (i + seed) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        return (byte) (x ^ (x >>> 32));
    }

    record Outcome(long virtualNanos, long frames, String counters) {}

    static Outcome exchange(long seed, int bytes, Capture capture) {
        SimHosts hosts = new SimHosts(seed, hostile());
        if (capture != null) {
            hosts.capture(capture.pcap());
        }
        DirectStack a = hosts.host("a", "10.0.0.1/24");
        DirectStack b = hosts.host("b", "10.0.0.2/24");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] received = new long[2];
        boolean[] finished = new boolean[2];
        hosts.sim.spawn("b-main", () -> run(failure, () -> b.tcp().listen(9000, flow -> {
            exchangeOn(hosts, flow, 2, 1, bytes, received, 1, failure);
            finished[1] = true;
        })));
        hosts.sim.spawn("a-main", () -> run(failure, () -> {
            Flow f = a.tcp().connect(Endpoint.of("10.0.0.2", 9000), Duration.ofSeconds(30));
            exchangeOn(hosts, f, 1, 2, bytes, received, 0, failure);
            f.close();
            finished[0] = true;
        }));
        boolean done = hosts.sim.runUntil(() -> finished[0] && finished[1] || failure.get() != null,
                Duration.ofSeconds(3600));
        if (failure.get() != null) {
            throw new AssertionError("seed " + seed, failure.get());
        }
        assertTrue(done, "seed " + seed + ": not finished; received " + received[0] + " and " + received[1]);
        assertEquals(bytes, received[0]);
        assertEquals(bytes, received[1]);
        return new Outcome(hosts.sim.nanoTime(), hosts.medium.counters().get("sim.frames.sent"),
                a.counters().report() + b.counters().report());
    }

    /** Writes {@code bytes} of stream {@code sendSeed} on one thread while checking what arrives. */
    static void exchangeOn(SimHosts hosts, Flow f, long sendSeed, long receiveSeed, int bytes, long[] received,
            int index, AtomicReference<Throwable> failure) throws IOException, InterruptedException {
        boolean[] written = {false};
        hosts.sim.spawn("writer-" + index, () -> run(failure, () -> {
            byte[] chunk = new byte[32 * 1024];
            for (long at = 0; at < bytes; at += chunk.length) {
                int n = (int) Math.min(chunk.length, bytes - at);
                for (int i = 0; i < n; i++) {
                    chunk[i] = streamByte(sendSeed, at + i);
                }
                f.write(chunk, 0, n);
            }
            f.shutdownOutput();
            written[0] = true;
        }));
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = f.read(buf, 0, buf.length)) >= 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] != streamByte(receiveSeed, received[index] + i)) {
                    throw new AssertionError("byte " + (received[index] + i) + " differs");
                }
            }
            received[index] += n;
        }
        hosts.sim.waitUntil(() -> written[0] || failure.get() != null, Duration.ofMillis(10));
    }

    interface Body {
        void run() throws Exception;
    }

    static void run(AtomicReference<Throwable> failure, Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    @Test
    void tenMegabytesCrossBothWaysByteExact(Capture capture) {
        Outcome o = exchange(2026, 10 * MB, capture);
        System.out.printf("10 MB each way over the hostile link: %.1f s of virtual time, %d frames%n",
                o.virtualNanos() / 1e9, o.frames());
        assertTrue(o.counters().contains("tcp.fast-retransmits"), o.counters());
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        Outcome first = exchange(7, MB / 2, null);
        Outcome second = exchange(7, MB / 2, null);
        assertEquals(first.virtualNanos(), second.virtualNanos());
        assertEquals(first.frames(), second.frames());
        assertEquals(first.counters(), second.counters());
    }
}
