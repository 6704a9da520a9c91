package io.miragej.tcpip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.EventLoop;
import io.miragej.device.FrameReceiver;
import io.miragej.device.Network;
import io.miragej.net.Endpoint;
import io.miragej.net.MacAddress;
import io.miragej.stack.Flow;
import io.miragej.tcpip.tcp.TcpConfig;
import io.miragej.testkit.LinkProfile;
import io.miragej.testkit.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stack's work per burst of frames ({@link FrameReceiver#endOfBurst}): a device that hands
 * frames over in bursts (like a NIC coalescing interrupts, or the TAP reader draining its queue)
 * gets one ACK per burst from a bulk receiver instead of one per two segments, and the reading
 * application wakes once per burst, not once per segment.
 */
@Timeout(60)
class DirectStackBurstTest {
    /** Holds received frames and hands them over every {@code interval}, with one endOfBurst. */
    static final class CoalescingNetwork implements Network {
        final Network inner;
        final Simulation sim;
        final long interval;
        final List<byte[]> held = new ArrayList<>();
        boolean flushScheduled;
        int bursts;
        int frames;

        CoalescingNetwork(Network inner, Simulation sim, Duration interval) {
            this.inner = inner;
            this.sim = sim;
            this.interval = interval.toNanos();
        }

        @Override
        public void listen(EventLoop loop, FrameReceiver receiver) {
            inner.listen(loop, new FrameReceiver() {
                @Override
                public void receive(PacketBuffer frame) {
                    held.add(frame.toByteArray());
                    if (!flushScheduled) {
                        flushScheduled = true;
                        sim.schedule(interval, () -> {
                            flushScheduled = false;
                            bursts++;
                            for (byte[] f : held) {
                                frames++;
                                receiver.receive(Packets.frame(f));
                            }
                            held.clear();
                            receiver.endOfBurst();
                        });
                    }
                }

                @Override
                public void endOfBurst() {} // ours come later, at the flush
            });
        }

        @Override
        public boolean send(PacketBuffer frame) {
            return inner.send(frame);
        }

        @Override
        public PacketBuffer allocate() {
            return inner.allocate();
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public MacAddress mac() {
            return inner.mac();
        }

        @Override
        public int mtu() {
            return inner.mtu();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    record Run(long segmentsIn, long segmentsOut, int bursts, int reads, long bytes) {}

    static Run bulk(boolean coalesce) {
        SimHosts hosts = new SimHosts(11, LinkProfile.perfect().withLatency(Duration.ofMillis(1), Duration.ZERO)
                .withBandwidth(1_000_000_000L, 1000));
        CoalescingNetwork[] device = new CoalescingNetwork[1];
        DirectStack server = hosts.host("server", "10.0.0.1/24", TcpConfig.defaults(), n -> coalesce
                ? (device[0] = new CoalescingNetwork(n, hosts.sim, Duration.ofMillis(1))) : n);
        DirectStack client = hosts.host("client", "10.0.0.2/24");
        int total = 8 << 20;
        long[] got = {0};
        int[] reads = {0};
        boolean[] done = {false};
        AtomicReference<Throwable> failure = new AtomicReference<>();
        hosts.sim.spawn("main", () -> {
            try {
                server.tcp().listen(9, flow -> {
                    byte[] b = new byte[256 * 1024];
                    int n;
                    while ((n = flow.read(b, 0, b.length)) >= 0) {
                        for (int i = 0; i < n; i++) {
                            if (b[i] != (byte) (got[0] + i)) {
                                throw new AssertionError("wrong byte at " + (got[0] + i));
                            }
                        }
                        got[0] += n;
                        reads[0]++;
                    }
                    done[0] = true;
                });
                Flow f = client.tcp().connect(Endpoint.of("10.0.0.1", 9), Duration.ofSeconds(5));
                byte[] chunk = new byte[64 * 1024];
                for (int sent = 0; sent < total; sent += chunk.length) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = (byte) (sent + i);
                    }
                    f.write(chunk, 0, chunk.length);
                }
                f.close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertTrue(hosts.sim.runUntil(() -> done[0] || failure.get() != null, Duration.ofSeconds(60)),
                "the transfer did not finish");
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(total, got[0]);
        return new Run(server.counters().get("tcp.rx.segments"), server.counters().get("tcp.tx.segments"),
                coalesce ? device[0].bursts : 0, reads[0], got[0]);
    }

    @Test
    void oneAckPerBurstAndOneWakeUpOfTheReader() {
        Run run = bulk(true);
        // Every burst that carried data gets one ACK (a few more around the handshake and the close).
        assertTrue(run.segmentsOut() <= run.bursts() + 8, run.toString());
        assertTrue(run.segmentsIn() >= 8 * run.segmentsOut(), "a burst holds many segments here: " + run);
        // A burst here (~80 KB) is more than the flow's 64 KiB ring, so some take two reads.
        assertTrue(run.reads() <= 2 * run.bursts() + 8, "the reader woke more often than bursts came: " + run);
    }

    @Test
    void frameByFrameDevicesGetAnAckEverySecondSegment() {
        Run run = bulk(false);
        double ratio = (double) run.segmentsIn() / run.segmentsOut();
        assertTrue(ratio > 1.9 && ratio <= 2.01, run.toString());
    }
}
