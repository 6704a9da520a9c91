package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.RrType;
import io.miragej.dns.resolver.StubResolver;
import io.miragej.net.Endpoint;
import io.miragej.net.Ipv4Prefix;
import io.miragej.stats.Counters;
import io.miragej.tcpip.Blocking;
import io.miragej.tcpip.DirectStack;
import io.miragej.testkit.LinkProfile;
import io.miragej.testkit.SimSwitch;
import io.miragej.testkit.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole system on virtual time: the server and the stub resolver on two MirageJ stacks joined
 * by a link that loses, duplicates, reorders and delays frames. Every query is answered (by
 * retries, and over TCP when truncated); the same seed gives the same run.
 */
@Timeout(120)
class DnsSimulationTest {
    record Outcome(List<String> answers, long virtualNanos, long frames, long retries) {}

    static Outcome run(long seed) {
        Simulation sim = new Simulation(seed);
        LinkProfile lossy = LinkProfile.perfect().withLatency(Duration.ofMillis(5), Duration.ofMillis(3))
                .withLoss(0.15).withDuplicate(0.05).withReorder(0.1);
        SimSwitch link = new SimSwitch(sim, lossy);
        DirectStack serverStack = stack(sim, link, "server", "10.53.0.1/24");
        DirectStack clientStack = stack(sim, link, "client", "10.53.0.2/24");
        Counters counters = new Counters();
        AuthoritativeServer server = new AuthoritativeServer(counters);
        server.load(List.of(Zones.example()));
        List<String> answers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean[] done = {false};
        sim.spawn("server", () -> {
            try {
                DnsService.start(serverStack, server, Endpoint.of("10.53.0.1", 53), sim, sim, counters,
                        DnsService.Options.defaults());
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        sim.spawn("client", () -> {
            try {
                sim.sleep(Duration.ofMillis(10));
                StubResolver r = new StubResolver(clientStack, List.of(Endpoint.of("10.53.0.1", 53)), sim, sim, sim,
                        new StubResolver.Options(Duration.ofMillis(300), 10, false, 1232));
                String[] names = {"host", "www", "x.wild", "nope", "mail", "Www.Sub", "srv", "ext", "big"};
                for (int round = 0; round < 4; round++) {
                    for (String n : names) {
                        int type = n.equals("big") ? RrType.TXT : n.equals("srv") ? RrType.SRV : RrType.A;
                        Message m = r.query(Name.of(n + ".example.com."), type);
                        answers.add(n + " " + Rcode.toString(m.rcode()) + " " + m.answers().size() + "/"
                                + m.authority().size() + "/" + m.additional().size() + (m.tc() ? " TC" : ""));
                    }
                }
                done[0] = true;
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        boolean finished = sim.runUntil(() -> done[0] || failure.get() != null, Duration.ofSeconds(600));
        if (failure.get() != null) {
            throw new AssertionError("seed " + seed, failure.get());
        }
        assertTrue(finished, "seed " + seed + ": the client did not finish; answers so far " + answers);
        return new Outcome(answers, sim.nanoTime(), link.counters().get("sim.frames.sent"),
                counters.get("dns.queries.in"));
    }

    static DirectStack stack(Simulation sim, SimSwitch link, String name, String address) {
        return DirectStack.builder(link.attach(name), sim).ipv4(Ipv4Prefix.parse(address)).random(sim)
                .counters(new Counters())
                .blocking(Blocking.simulated(sim, sim::park, sim::unpark, r -> sim.spawn(name + "-conn", r)))
                .start();
    }

    @Test
    void everyQueryIsAnsweredOverALossyLinkAndTheRunRepeats() {
        Outcome o = run(53);
        assertEquals(36, o.answers().size());
        for (String a : o.answers()) {
            assertFalse(a.endsWith("TC"), "truncated answers were asked again over TCP: " + a);
        }
        assertTrue(o.answers().contains("big NOERROR 5/0/0"), o.answers().toString());
        assertTrue(o.answers().contains("www NOERROR 3/0/0"), o.answers().toString());
        assertTrue(o.answers().contains("nope NXDOMAIN 0/1/0"), o.answers().toString());
        assertTrue(o.answers().contains("Www.Sub NOERROR 0/2/1"), o.answers().toString());
        assertTrue(o.retries() > 36, "the lossy link made the resolver retry: " + o.retries() + " queries arrived");
        Outcome again = run(53);
        assertEquals(o, again, "the same seed gives the same run");
    }
}
