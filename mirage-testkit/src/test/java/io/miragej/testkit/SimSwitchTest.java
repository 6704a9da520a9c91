package io.miragej.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PcapOnFailure.class)
class SimSwitchTest {
    static final LinkProfile LOSSY = LinkProfile.perfect().withLoss(0.05).withDuplicate(0.03).withReorder(0.1)
            .withCorrupt(0.02).withLatency(Duration.ofMillis(2), Duration.ofMillis(1));

    /** Outcome of a ping-pong run: the capture and what each side received. */
    record Run(byte[] pcap, List<Integer> atB, List<Integer> atA, SimSwitch medium) {}

    /** A sends 500 numbered frames to B, B answers each; all over one lossy, reordering link. */
    static Run pingPong(long seed, Capture capture) {
        Simulation sim = new Simulation(seed);
        SimSwitch sw = new SimSwitch(sim, LOSSY);
        SimNetwork a = sw.attach("a");
        SimNetwork b = sw.attach("b");
        PcapWriter pcap = capture != null ? capture.pcap() : PcapWriter.inMemory();
        sw.capture(pcap);
        List<Integer> atB = new ArrayList<>();
        List<Integer> atA = new ArrayList<>();
        b.listen(sim, frame -> {
            atB.add(frame.getI32(14));
            PacketBuffer reply = b.allocate();
            reply.extend(frame.length()).setBytes(0, frame);
            b.mac().write(reply, 6);
            MacAddress.read(frame, 6).write(reply, 0);
            b.send(reply);
        });
        a.listen(sim, frame -> atA.add(frame.getI32(14)));
        for (int i = 0; i < 500; i++) {
            int n = i;
            sim.schedule(i * 100_000L, () -> {
                PacketBuffer f = a.allocate();
                f.extend(60);
                b.mac().write(f, 0);
                a.mac().write(f, 6);
                f.setU16(12, 0x88b5); // local experimental EtherType
                f.setI32(14, n);
                a.send(f);
            });
        }
        sim.runUntilIdle(100_000);
        return new Run(pcap.bytes(), atB, atA, sw);
    }

    @Test
    void theSameSeedGivesTheSamePcapBytes(Capture capture) {
        Run first = pingPong(2026, capture);
        Run second = pingPong(2026, null);
        assertArrayEquals(first.pcap(), second.pcap());
        assertEquals(first.atB(), second.atB());
        Run other = pingPong(2027, null);
        assertFalse(java.util.Arrays.equals(first.pcap(), other.pcap()), "another seed, another run");
    }

    @Test
    void theLinkReallyLosesDuplicatesReordersAndCorrupts() {
        Run run = pingPong(99, null);
        var c = run.medium().counters();
        assertTrue(c.get("sim.frames.lost") > 10, c.report());
        assertTrue(c.get("sim.frames.duplicated") > 5, c.report());
        assertTrue(c.get("sim.frames.reordered") > 20, c.report());
        assertTrue(c.get("sim.frames.corrupted") > 3, c.report());
        assertTrue(run.atB().size() < 520 && run.atB().size() > 400, "received " + run.atB().size());
        boolean outOfOrder = false;
        for (int i = 1; i < run.atB().size(); i++) {
            outOfOrder |= run.atB().get(i) < run.atB().get(i - 1);
        }
        assertTrue(outOfOrder);
        Set<Integer> distinct = new HashSet<>(run.atB());
        assertTrue(distinct.size() < run.atB().size(), "duplicates arrived");
    }

    @Test
    void aFullReceivePoolDropsAndCounts() {
        Simulation sim = new Simulation(1);
        SimSwitch sw = new SimSwitch(sim, LinkProfile.perfect());
        SimNetwork a = sw.attach("a");
        SimNetwork b = sw.attach("b", new MacAddress(0x020000000099L), 1500, 4);
        List<PacketBuffer> kept = new ArrayList<>();
        b.listen(sim, frame -> kept.add(frame.retain())); // a receiver that never lets go
        for (int i = 0; i < 10; i++) {
            PacketBuffer f = a.allocate().extend(60);
            MacAddress.BROADCAST.write(f, 0);
            a.send(f);
        }
        sim.runUntilIdle(1000);
        assertEquals(4, kept.size());
        assertEquals(6, sw.counters().get("sim.frames.no-buffer"));
        kept.forEach(PacketBuffer::release);
        assertEquals(4, b.receiveBuffersAvailable());
    }

    @Test
    void aSlowLinkQueuesBoundedAndTailDrops() {
        Simulation sim = new Simulation(1);
        SimSwitch sw = new SimSwitch(sim, LinkProfile.perfect().withBandwidth(1_000_000, 8));
        SimNetwork a = sw.attach("a");
        SimNetwork b = sw.attach("b");
        int[] got = {0};
        b.listen(sim, frame -> got[0]++);
        for (int i = 0; i < 20; i++) {
            PacketBuffer f = a.allocate().extend(1000);
            b.mac().write(f, 0);
            a.send(f);
        }
        sim.runUntilIdle(1000);
        assertEquals(8, got[0]);
        assertEquals(12, sw.counters().get("sim.frames.queue-full"));
        // 8 frames of 8000 bits at 1 Mbit/s take 64 ms, plus the latency
        assertEquals(64_000_000L + 100_000L, sim.nanos());
    }

    @Test
    void tcpdumpReadsTheCapture(@TempDir Path dir) throws IOException, InterruptedException {
        Interop.requireCommands("tcpdump", "tcpdump");
        Run run = pingPong(5, null);
        Path file = dir.resolve("run.pcap");
        Files.write(file, run.pcap());
        Process p = new ProcessBuilder("tcpdump", "-nn", "-e", "-r", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        // one header line per frame; hex dump lines are indented
        long frames = out.lines().filter(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d+ .*")).count();
        assertEquals(run.atA().size() + run.atB().size(), frames, out.lines().limit(5).toList().toString());
        assertTrue(out.lines().anyMatch(l -> l.startsWith("00:00:00") && l.contains("02:00:00:00:00:01 > 02:00:00:00:00:02")));
    }

    @Test
    void theSwitchLearnsWhereEachMacIsAndFloodsOnlyTheUnknown() {
        Simulation sim = new Simulation(3);
        SimSwitch sw = new SimSwitch(sim, LinkProfile.perfect());
        SimNetwork[] ports = {sw.attach("p1"), sw.attach("p2"), sw.attach("p3")};
        int[] got = new int[3];
        for (int i = 0; i < 3; i++) {
            int n = i;
            ports[i].listen(sim, f -> got[n]++);
        }
        java.util.function.BiConsumer<SimNetwork, MacAddress> send = (from, to) -> {
            PacketBuffer f = from.allocate().extend(60);
            to.write(f, 0);
            from.mac().write(f, 6);
            from.send(f);
        };
        send.accept(ports[0], ports[1].mac()); // p2 unknown yet: flooded to p2 and p3
        sim.runUntilIdle(100);
        assertArrayEquals(new int[] {0, 1, 1}, got);
        send.accept(ports[1], ports[0].mac()); // p1 learned: only p1
        sim.runUntilIdle(100);
        assertArrayEquals(new int[] {1, 1, 1}, got);
        send.accept(ports[0], ports[1].mac()); // p2 learned now: only p2
        sim.runUntilIdle(100);
        assertArrayEquals(new int[] {1, 2, 1}, got);
        send.accept(ports[2], MacAddress.BROADCAST); // broadcast: everyone else
        sim.runUntilIdle(100);
        assertArrayEquals(new int[] {2, 3, 1}, got);
    }
}
