package io.miragej.tcpip;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.EventLoop;
import io.miragej.device.FrameReceiver;
import io.miragej.device.Network;
import io.miragej.net.MacAddress;
import java.util.SplittableRandom;

/**
 * A {@link Network} that delays, reorders, duplicates and drops frames both ways, from a seed,
 * on the loop it is given: netem in front of a real device, for kernels that have no netem.
 */
final class ImpairedNetwork implements Network {
    private final Network inner;
    private final double loss;
    private final double duplicate;
    private final double reorder;
    private final long delay;
    private final SplittableRandom random;
    private EventLoop loop;
    /** Frames dropped, duplicated and held back long enough to be overtaken, both ways. */
    final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong duplicated = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong reordered = new java.util.concurrent.atomic.AtomicLong();

    ImpairedNetwork(Network inner, long seed, double loss, double duplicate, double reorder, long delayNanos) {
        this.inner = inner;
        this.loss = loss;
        this.duplicate = duplicate;
        this.reorder = reorder;
        this.delay = delayNanos;
        this.random = new SplittableRandom(seed);
    }

    private long delayOf() {
        if (random.nextDouble() < reorder) {
            reordered.incrementAndGet();
            return delay + 1 + random.nextLong(2 * delay + 1);
        }
        return delay;
    }

    @Override
    public void listen(EventLoop loop, FrameReceiver receiver) {
        this.loop = loop;
        inner.listen(loop, frame -> {
            if (random.nextDouble() < loss) {
                dropped.incrementAndGet();
                return;
            }
            int copies = random.nextDouble() < duplicate ? 2 : 1;
            if (copies == 2) {
                duplicated.incrementAndGet();
            }
            for (int i = 0; i < copies; i++) {
                PacketBuffer copy = PacketBuffer.allocate(HEADROOM, frame.length());
                copy.setBytes(0, frame);
                loop.schedule(delayOf(), () -> {
                    receiver.receive(copy);
                    receiver.endOfBurst(); // each delayed frame arrives on its own
                });
            }
        });
    }

    @Override
    public boolean send(PacketBuffer frame) {
        if (random.nextDouble() < loss) {
            dropped.incrementAndGet();
            frame.release();
            return true;
        }
        if (random.nextDouble() < duplicate) {
            duplicated.incrementAndGet();
            PacketBuffer twin = inner.allocate();
            if (twin != null) {
                twin.extend(frame.length());
                twin.setBytes(0, frame);
                loop.schedule(delayOf(), () -> inner.send(twin));
            }
        }
        loop.schedule(delayOf(), () -> inner.send(frame));
        return true;
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
    public PacketBuffer allocate() {
        return inner.allocate();
    }

    @Override
    public void close() {
        inner.close();
    }
}
