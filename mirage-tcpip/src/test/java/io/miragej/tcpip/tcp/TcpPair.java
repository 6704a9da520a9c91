package io.miragej.tcpip.tcp;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.Network;
import io.miragej.stats.Counters;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.IpOutput;
import io.miragej.testkit.Simulation;
import java.util.SplittableRandom;

/**
 * Two TCP layers on virtual time joined by a channel that loses, duplicates, reorders, corrupts
 * and delays segments from a seed: one core's output is the other's input, nothing else in
 * between. The same seed gives the same run.
 */
final class TcpPair {
    /** How the channel treats each segment. */
    record Channel(double loss, double duplicate, double reorder, double corrupt, long latency, long jitter,
            long bitsPerSecond, int queueLimit) {
        static Channel perfect() {
            return new Channel(0, 0, 0, 0, 1_000_000L, 0, 0, 0);
        }

        Channel lossy(double loss, double duplicate, double reorder, double corrupt) {
            return new Channel(loss, duplicate, reorder, corrupt, latency, jitter, bitsPerSecond, queueLimit);
        }

        Channel withLatency(long latency, long jitter) {
            return new Channel(loss, duplicate, reorder, corrupt, latency, jitter, bitsPerSecond, queueLimit);
        }

        Channel withBandwidth(long bps, int queue) {
            return new Channel(loss, duplicate, reorder, corrupt, latency, jitter, bps, queue);
        }
    }

    static final int A_ADDR = 0x0a00_0001;
    static final int B_ADDR = 0x0a00_0002;

    final Simulation sim;
    final Channel channel;
    final SplittableRandom random;
    final Side a;
    final Side b;
    long segmentsCarried;
    long segmentsLost;

    TcpPair(long seed, Channel channel, TcpConfig configA, TcpConfig configB) {
        this.sim = new Simulation(seed);
        this.channel = channel;
        this.random = sim.random("channel");
        this.a = new Side("a", A_ADDR, configA, seed);
        this.b = new Side("b", B_ADDR, configB, seed + 1);
        a.peer = b;
        b.peer = a;
    }

    TcpPair(long seed, Channel channel, TcpConfig config) {
        this(seed, channel, config, config);
    }

    final class Side implements IpOutput {
        final String name;
        final int address;
        final Counters counters = new Counters();
        final Tcp tcp;
        final IpContext context = new IpContext();
        Side peer;
        long timerAt = Long.MAX_VALUE;
        long busyUntil;
        int queued;
        int mtu = 1500;
        /**
         * Above 0: this side's "device" does TCP segmentation offload for segments (header included)
         * up to this long, cutting them as Linux does before the channel; 0: none.
         */
        int segmentationOffload;
        /** Large segments handed over, and the largest. */
        long largeSegments;
        int largestSegment;
        /** One past the highest data sequence number sent so far: a large segment must start there. */
        int sentEnd;
        boolean sentData;

        Side(String name, int address, TcpConfig config, long seed) {
            this.name = name;
            this.address = address;
            this.tcp = new Tcp(this, config, counters, seed * 7919, seed * 104729);
        }

        /** Arms the simulation's timer for this side's next deadline. */
        void reschedule() {
            long d = tcp.nextDeadline();
            if (d < timerAt) {
                timerAt = d;
                sim.schedule(Math.max(0, d - sim.nanoTime()), () -> {
                    if (timerAt == d) {
                        timerAt = Long.MAX_VALUE;
                        tcp.onTimer(sim.nanoTime());
                    }
                    reschedule();
                });
            }
        }

        @Override
        public PacketBuffer allocate(int length) {
            return PacketBuffer.allocate(Network.HEADROOM, length).truncate(0);
        }

        @Override
        public boolean send(PacketBuffer payload, int protocol, long sh, long sl, long dh, long dl, boolean df,
                long now) {
            if (payload.length() > mtu - 20) {
                throw new AssertionError(name + " sent a segment of " + payload.length() + " bytes over an MTU of "
                        + mtu);
            }
            byte[] bytes = payload.toByteArray();
            payload.release();
            noteData(bytes);
            carry(this, peer, bytes);
            return true;
        }

        private void noteData(byte[] segment) {
            int hl = ((segment[12] & 0xf0) >>> 4) * 4;
            int end = getInt(segment, 4) + segment.length - hl;
            if (segment.length > hl) {
                sentEnd = sentData ? Seq.max(sentEnd, end) : end;
                sentData = true;
            }
        }

        @Override
        public int maxSegmentedPayload(long dh, long dl) {
            return segmentationOffload;
        }

        @Override
        public PacketBuffer allocateSegmented(int length) {
            return segmentationOffload > 0 ? PacketBuffer.allocate(Network.HEADROOM, length).truncate(0) : null;
        }

        /** As a device with segmentation offload: checks the large segment, then cuts it as Linux does. */
        @Override
        public boolean sendSegmented(PacketBuffer payload, long sh, long sl, long dh, long dl, int segmentSize,
                long now) {
            byte[] big = payload.toByteArray();
            payload.release();
            int hl = ((big[12] & 0xf0) >>> 4) * 4;
            int data = big.length - hl;
            if (segmentationOffload == 0 || big.length > segmentationOffload || data < 2 * segmentSize
                    || data % segmentSize != 0) {
                throw new AssertionError(name + ": a large segment of " + big.length + " bytes cut at " + segmentSize);
            }
            int seq = getInt(big, 4);
            if (sentData && seq != sentEnd) {
                throw new AssertionError(name + ": a large segment at " + seq + " is not new data (next new: "
                        + sentEnd + ")");
            }
            long pseudo = IpOutput.pseudoAddressSum(sh, sl, dh, dl) + 6;
            int partial = ((big[16] & 0xff) << 8) | (big[17] & 0xff);
            if (partial != fold(pseudo + big.length)) {
                throw new AssertionError(name + ": partial checksum " + partial + ", not the pseudo-header sum");
            }
            largeSegments++;
            largestSegment = Math.max(largestSegment, big.length);
            for (int off = 0; off < data; off += segmentSize) {
                byte[] s = java.util.Arrays.copyOf(big, hl + segmentSize);
                System.arraycopy(big, hl + off, s, hl, segmentSize);
                putInt(s, 4, seq + off);
                if (off + segmentSize < data) {
                    s[13] &= (byte) ~0x09; // FIN and PSH on the last only
                }
                // Linux: the field's sum moved from the whole length to the segment's, then the segment summed.
                int adjusted = fold(partial + (~big.length & 0xffff) + s.length);
                s[16] = (byte) (adjusted >>> 8);
                s[17] = (byte) adjusted;
                int sum = ~fold(sumOf(s)) & 0xffff;
                s[16] = (byte) (sum >>> 8);
                s[17] = (byte) sum;
                noteData(s);
                carry(this, peer, s);
            }
            return true;
        }

        @Override
        public boolean hasRoute(long dh, long dl) {
            return true;
        }

        @Override
        public int maxPayload(long dh, long dl) {
            return mtu - 20;
        }

        @Override
        public boolean sourceFor(long dh, long dl, long[] out) {
            out[0] = 0;
            out[1] = IpContext.mapped(address);
            return true;
        }

        @Override
        public boolean isLocal(long h, long l) {
            return l == IpContext.mapped(address);
        }

        void deliver(byte[] segment) {
            context.setV4(peer.address, address);
            context.toGroup = false;
            tcp.receive(context, PacketBuffer.wrap(segment), 0, segment.length, sim.nanoTime());
            reschedule();
        }

        long remoteLow() {
            return IpContext.mapped(peer.address);
        }
    }

    static int getInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    static long sumOf(byte[] b) {
        long sum = 0;
        for (int i = 0; i < b.length; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (i + 1 < b.length ? b[i + 1] & 0xff : 0);
        }
        return sum;
    }

    /** The last segments carried, as text, for a failing test to show (null: not recorded). */
    java.util.ArrayDeque<String> trace;

    private void carry(Side from, Side to, byte[] segment) {
        from.reschedule();
        segmentsCarried++;
        if (trace != null) {
            int flags = segment[13] & 0xff;
            trace.add(String.format("%d %s->%s seq=%d ack=%d flags=%s win=%d len=%d", sim.nanoTime() / 1000,
                    from.address, to.address, getInt(segment, 4) & 0xffffffffL, getInt(segment, 8) & 0xffffffffL,
                    Integer.toBinaryString(flags), ((segment[14] & 0xff) << 8) | (segment[15] & 0xff),
                    segment.length - ((segment[12] & 0xf0) >>> 2)));
            if (trace.size() > 60) {
                trace.removeFirst();
            }
        }
        Channel ch = channel;
        if (random.nextDouble() < ch.loss()) {
            segmentsLost++;
            return;
        }
        int copies = random.nextDouble() < ch.duplicate() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            byte[] bytes = segment;
            if (random.nextDouble() < ch.corrupt()) {
                bytes = segment.clone();
                int bit = random.nextInt(bytes.length * 8);
                bytes[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            long now = sim.nanoTime();
            long departure = now;
            if (ch.bitsPerSecond() > 0) {
                if (to.queued >= ch.queueLimit()) {
                    segmentsLost++;
                    continue;
                }
                long serialization = (bytes.length + 40) * 8L * 1_000_000_000L / ch.bitsPerSecond();
                departure = Math.max(now, to.busyUntil) + serialization;
                to.busyUntil = departure;
            }
            long delay = departure - now + ch.latency();
            if (ch.jitter() > 0) {
                delay += random.nextLong(ch.jitter() + 1);
            }
            if (random.nextDouble() < ch.reorder()) {
                delay += random.nextLong(2 * ch.latency() + 1);
            }
            byte[] payload = bytes;
            to.queued++;
            sim.schedule(delay, () -> {
                to.queued--;
                to.deliver(payload);
            });
        }
    }

    /** Byte {@code i} of a deterministic stream. */
    static byte streamByte(long seed, long i) {
        long x = (i + seed) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        return (byte) (x ^ (x >>> 32));
    }

    /**
     * One direction's application: writes {@code total} bytes of a stream into its connection as
     * space frees up, then shuts its output; reads and checks everything arriving.
     */
    final class App {
        final Side side;
        final long sendSeed;
        final long receiveSeed;
        final long total;
        final long expected;
        TcpConnection connection;
        long written;
        long received;
        boolean sawEnd;
        boolean shutdown;
        String mismatch;
        int readChunk = 16 * 1024;
        long readDelay; // > 0: read at most readChunk per readDelay of virtual time
        long nextReadAt;
        boolean closeWhenDone = true;
        private final byte[] buffer = new byte[64 * 1024];
        private boolean pumpScheduled;

        App(Side side, long sendSeed, long total, long receiveSeed, long expected) {
            this.side = side;
            this.sendSeed = sendSeed;
            this.total = total;
            this.receiveSeed = receiveSeed;
            this.expected = expected;
        }

        void attach(TcpConnection c) {
            connection = c;
            c.setObserver(x -> schedulePump());
            schedulePump();
        }

        void schedulePump() {
            if (!pumpScheduled) {
                pumpScheduled = true;
                sim.execute(this::pump);
            }
        }

        void pump() {
            pumpScheduled = false;
            TcpConnection c = connection;
            long now = sim.nanoTime();
            while (written < total && c.writable() > 0) {
                int n = (int) Math.min(Math.min(buffer.length, total - written), c.writable());
                for (int i = 0; i < n; i++) {
                    buffer[i] = streamByte(sendSeed, written + i);
                }
                int w = c.write(buffer, 0, n, now);
                written += w;
                if (w == 0) {
                    break;
                }
            }
            if (written == total && !shutdown && !c.outputClosed()) {
                shutdown = true;
                c.shutdownOutput(now);
            }
            while (c.readable() > 0) {
                if (readDelay > 0 && now < nextReadAt) {
                    sim.schedule(nextReadAt - now, this::schedulePump);
                    break;
                }
                int n = c.read(buffer, 0, Math.min(readChunk, buffer.length), now);
                for (int i = 0; i < n && mismatch == null; i++) {
                    if (buffer[i] != streamByte(receiveSeed, received + i)) {
                        mismatch = side.name + ": byte " + (received + i) + " differs";
                    }
                }
                received += n;
                if (readDelay > 0) {
                    nextReadAt = now + readDelay;
                }
            }
            if (c.atEndOfStream()) {
                sawEnd = true;
                if (closeWhenDone && shutdown && c.state() != TcpConnection.State.CLOSED) {
                    c.close(now);
                }
            }
            side.reschedule();
        }

        boolean done() {
            return sawEnd && written == total;
        }
    }
}
