package io.miragej.testkit;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.MacAddress;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A learning Ethernet switch on virtual time joining in-memory {@link SimNetwork} devices. Every
 * frame crossing it is subject to the switch's {@link LinkProfile}, drawn from the simulation's
 * seed: the same seed gives the same losses, duplicates, reorderings and corruptions. A switch
 * with two ports is a point-to-point link ({@link #link}).
 *
 * <p>Frames go to the port that last sent from their destination MAC, or to every other port for
 * broadcast, multicast and unknown destinations. Counters (in {@link #counters()}): {@code
 * sim.frames.sent}, {@code .delivered}, {@code .lost}, {@code .duplicated}, {@code .reordered},
 * {@code .corrupted}, {@code .queue-full}, {@code .oversize}, {@code .no-buffer}.
 */
public final class SimSwitch {
    private final Simulation sim;
    private final LinkProfile profile;
    private final SplittableRandom random;
    private final List<SimNetwork> ports = new ArrayList<>();
    private final Map<MacAddress, SimNetwork> learned = new HashMap<>();
    private final List<PcapWriter> captures = new ArrayList<>();
    private final Counters counters = new Counters();
    final Counter sent = counters.counter("sim.frames.sent");
    final Counter delivered = counters.counter("sim.frames.delivered");
    final Counter noBuffer = counters.counter("sim.frames.no-buffer");
    private final Counter lost = counters.counter("sim.frames.lost");
    private final Counter duplicated = counters.counter("sim.frames.duplicated");
    private final Counter reordered = counters.counter("sim.frames.reordered");
    private final Counter corrupted = counters.counter("sim.frames.corrupted");
    private final Counter queueFull = counters.counter("sim.frames.queue-full");
    final Counter oversize = counters.counter("sim.frames.oversize");

    public SimSwitch(Simulation sim, LinkProfile profile) {
        this.sim = sim;
        this.profile = profile;
        this.random = sim.random("switch");
    }

    /** Two devices joined by one link with {@code profile}. */
    public static SimNetwork[] link(Simulation sim, LinkProfile profile) {
        SimSwitch s = new SimSwitch(sim, profile);
        return new SimNetwork[] {s.attach("a"), s.attach("b")};
    }

    /** A new port with a MAC derived from its position: 02:00:00:00:00:01, :02, ... */
    public SimNetwork attach(String name) {
        return attach(name, new MacAddress(0x02_00_00_00_00_00L + ports.size() + 1));
    }

    /** A new port with the given MAC, an MTU of 1500 and 256 receive buffers. */
    public SimNetwork attach(String name, MacAddress mac) {
        return attach(name, mac, 1500, 256);
    }

    public SimNetwork attach(String name, MacAddress mac, int mtu, int receiveBuffers) {
        SimNetwork n = new SimNetwork(this, sim, name, mac, mtu, receiveBuffers);
        ports.add(n);
        return n;
    }

    /** Records every frame delivered to any port, as the receiver sees it. */
    public void capture(PcapWriter pcap) {
        captures.add(pcap);
    }

    public Counters counters() {
        return counters;
    }

    /** Called by a port with a copy of a frame it sent. */
    void forward(SimNetwork from, byte[] frame) {
        sent.increment();
        if (frame.length >= 12) {
            MacAddress src = MacAddress.of(java.util.Arrays.copyOfRange(frame, 6, 12));
            if (!src.isMulticast()) {
                learned.put(src, from);
            }
            MacAddress dst = MacAddress.of(java.util.Arrays.copyOfRange(frame, 0, 6));
            SimNetwork to = dst.isMulticast() ? null : learned.get(dst);
            if (to != null) {
                if (to != from) {
                    carry(to, frame);
                }
                return;
            }
        }
        for (SimNetwork port : ports) {
            if (port != from) {
                carry(port, frame);
            }
        }
    }

    private void carry(SimNetwork to, byte[] frame) {
        if (random.nextDouble() < profile.loss()) {
            lost.increment();
            return;
        }
        int copies = 1;
        if (random.nextDouble() < profile.duplicate()) {
            duplicated.increment();
            copies = 2;
        }
        for (int c = 0; c < copies; c++) {
            byte[] bytes = frame;
            if (random.nextDouble() < profile.corrupt() && frame.length > 0) {
                corrupted.increment();
                bytes = frame.clone();
                int bit = random.nextInt(bytes.length * 8);
                bytes[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            long now = sim.nanoTime();
            long departure = now;
            if (profile.bitsPerSecond() > 0) {
                if (to.queued >= profile.queueLimit()) {
                    queueFull.increment();
                    continue;
                }
                long serialization = bytes.length * 8L * 1_000_000_000L / profile.bitsPerSecond();
                departure = Math.max(now, to.busyUntil) + serialization;
                to.busyUntil = departure;
            }
            long delay = departure - now + profile.latency().toNanos();
            long jitter = profile.jitter().toNanos();
            if (jitter > 0) {
                delay += random.nextLong(jitter + 1);
            }
            if (random.nextDouble() < profile.reorder()) {
                reordered.increment();
                delay += random.nextLong(2 * Math.max(profile.latency().toNanos(), 1_000_000L) + 1);
            }
            byte[] payload = bytes;
            to.queued++;
            sim.schedule(delay, () -> {
                to.queued--;
                to.deliver(payload);
            });
        }
    }

    void captured(PacketBuffer frame) {
        for (PcapWriter p : captures) {
            p.write(sim.epochNanos(), frame);
        }
    }
}
