package io.miragej.tcpip.bench;

import io.miragej.net.Endpoint;
import io.miragej.net.Ipv4Prefix;
import io.miragej.net.MacAddress;
import io.miragej.stack.Flow;
import io.miragej.stats.Counters;
import io.miragej.tcpip.DirectStack;
import io.miragej.testkit.Netns;
import io.miragej.unix.LoopThread;
import io.miragej.unix.TapNetwork;
import io.miragej.tcpip.tcp.TcpConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk TCP throughput, measured side by side in one run: Linux to MirageJ over a TAP device,
 * MirageJ to Linux over the same TAP, and Linux to Linux over a veth pair, all with the same
 * tools on the Linux side (nc fed from /dev/zero, nc into /dev/null). Prints MB/s and the ratios
 * against Linux-to-Linux. Run by bench/tcp.sh; needs root.
 */
public final class TcpBench {
    static final String LINUX = "10.79.0.1";
    static final String US = "10.79.0.2";

    public static void main(String[] args) throws Throwable {
        long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 200) << 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String which = args.length > 2 ? args[2] : "all";
        boolean all = which.equals("all");
        // -Dbench.buffers=SEND,RECEIVE (KiB) overrides the TCP buffers, to try other sizes.
        TcpConfig tcp = TcpConfig.defaults();
        String buffers = System.getProperty("bench.buffers");
        if (buffers != null) {
            String[] kib = buffers.split(",");
            tcp = tcp.withBuffers(Integer.parseInt(kib[0]) << 10, Integer.parseInt(kib[1]) << 10);
        }
        double veth = Double.NaN;
        double in = Double.NaN;
        double out = Double.NaN;
        if (all || which.equals("veth")) {
            veth = best(rounds, () -> linuxToLinux(bytes));
        }
        String inCounters = "";
        String outCounters = "";
        try (Netns ns = Netns.create("mj-bench"); LoopThread loop = new LoopThread("bench-loop")) {
            String tap = Netns.uniqueDeviceName("mjb");
            Counters counters = new Counters();
            // -Dbench.offload=false: a plain TAP device, one frame of at most 1,514 bytes per read.
            boolean offload = !"false".equals(System.getProperty("bench.offload"));
            TapNetwork device = TapNetwork.open(tap, MacAddress.parse("02:4d:4a:00:00:09"), 1500, offload, counters);
            // -Dbench.tso=false: receive offloads as above, but the stack sends MSS-sized segments.
            boolean tso = offload && !"false".equals(System.getProperty("bench.tso"));
            io.miragej.device.Network net = tso ? device : new WithoutSendOffloads(device);
            ns.moveHere(tap);
            ns.ip("addr", "add", LINUX + "/24", "dev", tap);
            ns.ip("link", "set", tap, "up");
            DirectStack stack = DirectStack.builder(net, loop).ipv4(Ipv4Prefix.parse(US + "/24"))
                    .ipv6(false).counters(counters).tcp(tcp).start();
            AtomicLong received = new AtomicLong();
            CountDownLatch[] finished = {new CountDownLatch(1)};
            stack.tcp().listen(5001, flow -> {
                byte[] b = new byte[64 * 1024];
                long n = 0;
                int r;
                while ((r = flow.read(b, 0, b.length)) >= 0) {
                    n += r;
                }
                received.set(n);
                finished[0].countDown();
            });
            if (all || which.equals("in")) {
                Map<String, Long> before = counters.snapshot();
                long cpu0 = cpuNanos();
                in = best(rounds, () -> {
                    finished[0] = new CountDownLatch(1);
                    long t0 = System.nanoTime();
                    Netns.Result r = ns.exec("bash", "-c", "head -c " + bytes + " /dev/zero | nc -N " + US + " 5001");
                    finished[0].await(60, TimeUnit.SECONDS);
                    long t = System.nanoTime() - t0;
                    check(r.status() == 0 && received.get() == bytes, "Linux to MirageJ: " + r.output() + " got "
                            + received.get());
                    return mbps(bytes, t);
                });
                Map<String, Long> after = counters.snapshot();
                inCounters = String.format("CPU %.2f ms/MB, %.0f bytes per frame read, ",
                        (cpuNanos() - cpu0) / 1e6 / (rounds * bytes / 1e6),
                        rounds * bytes / delta(before, after, "netif." + tap + ".rx.frames"))
                        + perSegment(before, after, "tcp.rx.segments");
            }
            if (all || which.equals("out")) {
                Map<String, Long> before = counters.snapshot();
                long cpu0 = cpuNanos();
                out = best(rounds, () -> {
                    Process sink = ns.start("bash", "-c", "nc -l -p 5002 > /dev/null");
                    Flow f = null;
                    for (int i = 0; i < 100 && f == null; i++) {
                        try {
                            f = stack.tcp().connect(Endpoint.of(LINUX, 5002), Duration.ofSeconds(2));
                        } catch (java.net.ConnectException e) {
                            Thread.sleep(20);
                        }
                    }
                    check(f != null, "nc never listened");
                    byte[] chunk = new byte[256 * 1024];
                    long t0 = System.nanoTime();
                    for (long sent = 0; sent < bytes; sent += chunk.length) {
                        f.write(chunk, 0, (int) Math.min(chunk.length, bytes - sent));
                    }
                    f.shutdownOutput();
                    check(sink.waitFor(60, TimeUnit.SECONDS), "nc did not finish");
                    long t = System.nanoTime() - t0;
                    f.close();
                    return mbps(bytes, t);
                });
                Map<String, Long> after = counters.snapshot();
                outCounters = String.format("CPU %.2f ms/MB, %.0f bytes per frame written, ",
                        (cpuNanos() - cpu0) / 1e6 / (rounds * bytes / 1e6),
                        rounds * bytes / delta(before, after, "netif." + tap + ".tx.frames"))
                        + perSegment(before, after, "tcp.tx.segments");
            }
            stack.close();
            device.close();
            System.out.printf("TAP device %s offloads, %s segmentation offload on send%n", offload ? "with" : "without",
                    tso ? "with" : "without");
        }
        System.out.printf("bulk TCP, %d MiB, best of %d%n", bytes >> 20, rounds);
        System.out.printf("  Linux -> Linux   (veth)  %8.1f MB/s%n", veth);
        System.out.printf("  Linux -> MirageJ (TAP)   %8.1f MB/s   ratio %.2f%n      %s%n", in, in / veth, inCounters);
        System.out.printf("  MirageJ -> Linux (TAP)   %8.1f MB/s   ratio %.2f%n      %s%n", out, out / veth, outCounters);
    }

    /** The device as one that knows nothing of send offloads (receiving as the device does). */
    record WithoutSendOffloads(io.miragej.device.Network device) implements io.miragej.device.Network {
        @Override public String name() { return device.name(); }
        @Override public MacAddress mac() { return device.mac(); }
        @Override public int mtu() { return device.mtu(); }
        @Override public void listen(io.miragej.device.EventLoop loop, io.miragej.device.FrameReceiver receiver) {
            device.listen(loop, receiver);
        }
        @Override public io.miragej.buffer.PacketBuffer allocate() { return device.allocate(); }
        @Override public boolean send(io.miragej.buffer.PacketBuffer frame) { return device.send(frame); }
        @Override public void close() { device.close(); }
    }

    /** CPU time of this process (MirageJ's side of a transfer) so far. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** What the stack did per data segment, from counters before and after. */
    static String perSegment(Map<String, Long> before, Map<String, Long> after, String base) {
        double n = delta(before, after, base);
        if (n == 0) {
            return "";
        }
        StringBuilder s = new StringBuilder("per " + base + ":");
        for (String c : new String[] {"tcp.rx.segments", "tcp.tx.segments", "tcp.tx.offloaded", "stack.rx.bursts",
                "tcp.tx.retransmits",
                "tcp.drop.out-of-order-full", "tcp.drop.beyond-window"}) {
            double d = delta(before, after, c);
            if (d != 0 && !c.equals(base)) {
                s.append(String.format(" %s %.3f", c, d / n));
            }
        }
        return s.toString();
    }

    static double delta(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }

    interface Measure {
        double run() throws Exception;
    }

    static double best(int rounds, Measure m) throws Exception {
        double best = 0;
        for (int i = 0; i < rounds; i++) {
            best = Math.max(best, m.run());
        }
        return best;
    }

    static double mbps(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    /** Two namespaces joined by a veth pair, nc to nc: the kernel against itself. */
    static double linuxToLinux(long bytes) throws Exception {
        try (Netns a = Netns.create("mj-bench-a"); Netns b = Netns.create("mj-bench-b")) {
            String va = Netns.uniqueDeviceName("mjva");
            String vb = Netns.uniqueDeviceName("mjvb");
            a.ip("link", "add", va, "type", "veth", "peer", "name", vb, "netns", b.name());
            a.ip("addr", "add", "10.79.1.1/24", "dev", va);
            b.ip("addr", "add", "10.79.1.2/24", "dev", vb);
            a.ip("link", "set", va, "up");
            b.ip("link", "set", vb, "up");
            Process sink = b.start("bash", "-c", "nc -l -p 5003 > /dev/null");
            Thread.sleep(200);
            long t0 = System.nanoTime();
            Netns.Result r = a.exec("bash", "-c", "head -c " + bytes + " /dev/zero | nc -N 10.79.1.2 5003");
            check(sink.waitFor(60, TimeUnit.SECONDS) && r.status() == 0, "veth transfer failed: " + r.output());
            return mbps(bytes, System.nanoTime() - t0);
        }
    }
}
