package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.FrameOffload;
import io.miragej.device.FrameReceiver;
import io.miragej.net.Ipv4Address;
import io.miragej.net.MacAddress;
import io.miragej.stats.Counters;
import io.miragej.testkit.Netns;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TAP and packet-socket devices against the Linux kernel on their other side, in a namespace the test makes. */
@Timeout(60)
class KernelNetworkDevicesTest {
    static final MacAddress OURS = MacAddress.parse("02:4d:4a:00:00:02");
    static final Ipv4Address LINUX = Ipv4Address.parse("10.77.0.1");
    static final Ipv4Address US = Ipv4Address.parse("10.77.0.2");

    @Test
    void framesCrossBetweenTheKernelAndATapDevice() throws Exception {
        try (Netns ns = Netns.create("mj-tap")) {
            String tap = Netns.uniqueDeviceName("mjtap");
            Counters counters = new Counters();
            try (TapNetwork dev = TapNetwork.open(tap, OURS, 1500, counters)) {
                ns.moveHere(tap); // the open file descriptor follows the device
                exchange(ns, tap, dev, counters, tap, Offloads.NONE);
            }
        }
    }

    /** With virtio-net headers, a receiver that knows nothing of offloads sees the same frames. */
    @Test
    void virtioNetHeadersAreInvisibleToAPlainReceiver() throws Exception {
        try (Netns ns = Netns.create("mj-tap")) {
            String tap = Netns.uniqueDeviceName("mjtap");
            Counters counters = new Counters();
            try (TapNetwork dev = TapNetwork.open(tap, OURS, 1500, true, counters)) {
                assertTrue(dev.hasVirtioNetHeaders());
                ns.moveHere(tap);
                exchange(ns, tap, dev, counters, tap, Offloads.IGNORED);
            }
        }
    }

    /** A receiver that accepts offloads gets the kernel's UDP checksum left partial, and says where. */
    @Test
    void aReceiverThatAcceptsOffloadsGetsTheKernelsPartialChecksum() throws Exception {
        try (Netns ns = Netns.create("mj-tap")) {
            String tap = Netns.uniqueDeviceName("mjtap");
            Counters counters = new Counters();
            try (TapNetwork dev = TapNetwork.open(tap, OURS, 1500, true, counters)) {
                ns.moveHere(tap);
                exchange(ns, tap, dev, counters, tap, Offloads.ACCEPTED);
            }
        }
    }

    /**
     * A 20,000-byte TCP segment sent with segmentation offload and a partial checksum in one frame:
     * the kernel takes it (the write is not refused, its checksum is accepted) and answers the
     * segment for a closed port with a reset acknowledging all 20,000 bytes.
     */
    @Test
    void segmentationOffloadCanBeLeftOffWhileReceiveOffloadsStay() throws Exception {
        io.miragej.testkit.Interop.requireRoot();
        // A TAP device this process creates goes away when its descriptor is closed.
        try (TapNetwork dev = TapNetwork.open(Netns.uniqueDeviceName("mjtap"), OURS, 1500, true, false, new Counters())) {
            assertTrue(dev.hasVirtioNetHeaders(), "receive offloads stay");
            assertEquals(0, dev.maxOffloadFrame(), "no large frames on send");
            assertEquals(null, dev.allocate(3000), "and no buffers for them");
        }
    }

    @Test
    void theKernelTakesALargeTcpSegmentWithSegmentationOffload() throws Exception {
        try (Netns ns = Netns.create("mj-tap"); LoopThread loop = new LoopThread("netif-tso")) {
            String tap = Netns.uniqueDeviceName("mjtap");
            Counters counters = new Counters();
            try (TapNetwork dev = TapNetwork.open(tap, OURS, 1500, true, counters)) {
                ns.moveHere(tap);
                LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
                dev.listen(loop, f -> frames.add(f.toByteArray()));
                ns.ip("addr", "add", LINUX + "/24", "dev", tap);
                ns.ip("link", "set", tap, "up");
                ns.ip("neigh", "replace", US.toString(), "lladdr", OURS.toString(), "dev", tap, "nud", "permanent");
                MacAddress kernelMac = MacAddress.parse(ns.exec("cat", "/sys/class/net/" + tap + "/address")
                        .output().trim());
                assertEquals(TapNetwork.MAX_OFFLOAD_FRAME, dev.maxOffloadFrame());
                assertEquals(null, dev.allocate(TapNetwork.MAX_OFFLOAD_FRAME + 1), "no buffer beyond the maximum");
                int payload = 20_000;
                int tcpLength = 20 + payload;
                PacketBuffer f = dev.allocate(14 + 20 + tcpLength);
                assertNotNull(f);
                f.extend(14 + 20 + tcpLength);
                kernelMac.write(f, 0);
                OURS.write(f, 6);
                f.setU16(12, 0x0800);
                f.setU8(14, 0x45).setU8(15, 0).setU16(16, 20 + tcpLength).setU16(18, 1).setU16(20, 0x4000)
                        .setU8(22, 64).setU8(23, 6).setU16(24, 0);
                US.write(f, 26);
                LINUX.write(f, 30);
                f.setU16(24, (int) (~fold(sumOfWords(f, 14, 20)) & 0xffff));
                int seq = 123_456;
                f.setU16(34, 40_000).setU16(36, 9).setI32(38, seq).setI32(42, 0).setU8(46, 0x50).setU8(47, 0x08)
                        .setU16(48, 65_535).setU16(50, 0).setU16(52, 0);
                for (int i = 0; i < payload; i++) {
                    f.setU8(54 + i, i * 7);
                }
                // The partial checksum: the folded pseudo-header sum, not complemented.
                f.setU16(50, (int) fold(sumOfWords(f, 26, 8) + 6 + tcpLength));
                FrameOffload tso = new FrameOffload().segmentedTcp(false, 34, 1448);
                assertTrue(dev.send(f, tso), "the kernel refused the frame");
                assertEquals(1, counters.get("netif." + tap + ".tx.offloaded"));
                assertEquals(14 + 20 + tcpLength, counters.get("netif." + tap + ".tx.offloaded-bytes"));

                byte[] reset = awaitFrame(frames, 0x0800);
                assertNotNull(reset, "no reset from the kernel");
                PacketBuffer r = PacketBuffer.wrap(reset);
                assertEquals(6, r.getU8(23), "TCP");
                assertEquals(0x14, r.getU8(47) & 0x3f, "RST and ACK");
                assertEquals(seq + payload, r.getI32(42), "acknowledges the whole large segment");

                // What a device may not be asked is refused and counted, not written.
                PacketBuffer bad = dev.allocate(100);
                bad.extend(100);
                assertTrue(!dev.send(bad, new FrameOffload().checksumVerified()));
                assertEquals(1, counters.get("netif." + tap + ".tx.drop.offload"));
            }
        }
    }

    enum Offloads { NONE, IGNORED, ACCEPTED }

    /** With the loop stalled, an offloading device holds at most its 512 buffers and counts the rest. */
    @Test
    void anOffloadingDeviceHoldsAtMostItsBuffersWhenTheLoopStalls() throws Exception {
        try (Netns ns = Netns.create("mj-tap"); LoopThread loop = new LoopThread("netif-bound")) {
            String tap = Netns.uniqueDeviceName("mjtap");
            Counters counters = new Counters();
            try (TapNetwork dev = TapNetwork.open(tap, OURS, 1500, true, counters)) {
                ns.moveHere(tap);
                ns.ip("addr", "add", LINUX + "/24", "dev", tap);
                ns.ip("link", "set", tap, "up");
                ns.ip("neigh", "add", US.toString(), "lladdr", OURS.toString(), "dev", tap);
                java.util.concurrent.CountDownLatch stall = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.atomic.AtomicInteger datagrams = new java.util.concurrent.atomic.AtomicInteger();
                dev.listen(loop, f -> {
                    if (f.length() >= 24 && f.getU16(12) == 0x0800 && f.getU8(23) == 17) {
                        datagrams.incrementAndGet();
                        try {
                            stall.await(); // the first datagram holds the loop
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
                String name = "netif." + tap + ".rx.drop.no-buffer";
                ns.exec("bash", "-c", "for i in $(seq 1500); do echo x > /dev/udp/" + US + "/9; done").orFail("udp");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (counters.get(name) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(counters.get(name) > 0, "no drop with the loop stalled: " + counters.report());
                // The reader goes on draining the kernel's queue into scratch: release the loop only
                // once the burst is all read, or what the kernel still holds would count as held here.
                long drops = -1;
                while (counters.get(name) != drops && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(5)) {
                    drops = counters.get(name);
                    Thread.sleep(300);
                }
                stall.countDown();
                // Until the loop has handed over (and so freed) everything it held.
                int seen = -1;
                while (datagrams.get() != seen) {
                    seen = datagrams.get();
                    Thread.sleep(300);
                }
                // (Drops also count the kernel's own frames, IPv6 neighbour discovery and the like, and the
                // kernel may drop some of the burst itself: its queue to the device is bounded too.)
                assertTrue(datagrams.get() <= TapNetwork.OFFLOAD_BUFFERS, datagrams + " delivered");
                // And the device goes on as before: datagrams sent one at a time each arrive. (One is
                // sent again if it does not arrive in time: the kernel's own side of the TAP may drop
                // on a loaded machine, and that is not what this test is about.)
                int sends = 0;
                for (int i = 0; i < 10; i++) {
                    int before = datagrams.get();
                    boolean arrived = false;
                    for (int attempt = 0; attempt < 3 && !arrived; attempt++) {
                        sends++;
                        ns.exec("bash", "-c", "echo x > /dev/udp/" + US + "/9").orFail("udp");
                        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                        while (datagrams.get() == before && System.nanoTime() < deadline) {
                            Thread.sleep(10);
                        }
                        arrived = datagrams.get() > before;
                    }
                    assertTrue(arrived, "datagram " + i + " after the stall never arrived: " + counters.report());
                }
                assertTrue(sends <= 12, sends + " sends for 10 datagrams: " + counters.report());
            }
        }
    }

    @Test
    void framesCrossBetweenTheKernelAndAPacketSocketOnAVethPair() throws Exception {
        try (Netns ns = Netns.create("mj-pkt")) {
            String ours = Netns.uniqueDeviceName("mjva");
            String theirs = Netns.uniqueDeviceName("mjvb");
            hostIp("link", "add", ours, "type", "veth", "peer", "name", theirs, "netns", ns.name());
            try {
                hostIp("link", "set", ours, "up");
                Counters counters = new Counters();
                try (PacketSocketNetwork dev = PacketSocketNetwork.open(ours, OURS, 1500, counters)) {
                    exchange(ns, theirs, dev, counters, ours, Offloads.NONE);
                }
            } finally {
                hostIp("link", "del", ours);
            }
        }
    }

    private static Netns.Result hostIp(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ip"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Netns.Result(p.exitValue(), out).orFail(String.join(" ", cmd));
    }

    /** ARP from the kernel in, our ARP reply out, then the kernel's queued datagram in. */
    private static void exchange(Netns ns, String linuxSide, io.miragej.device.Network dev, Counters counters,
            String counterName, Offloads offloads) throws Exception {
        try (LoopThread loop = new LoopThread("netif-test")) {
            LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<String> described = new LinkedBlockingQueue<>();
            dev.listen(loop, new FrameReceiver() {
                @Override
                public void receive(PacketBuffer f) {
                    assertTrue(loop.inLoop());
                    frames.add(f.toByteArray());
                }

                @Override
                public boolean acceptsOffloads() {
                    return offloads == Offloads.ACCEPTED;
                }

                @Override
                public void receive(PacketBuffer f, FrameOffload offload) {
                    if (f.length() >= 14 && f.getU16(12) == 0x0800) {
                        described.add(offload.toString());
                    }
                    receive(f);
                }
            });
            ns.ip("addr", "add", LINUX + "/24", "dev", linuxSide);
            ns.ip("link", "set", linuxSide, "up");
            // Traffic to US makes the kernel ask for US's MAC.
            ns.exec("bash", "-c", "echo hello > /dev/udp/" + US + "/9");
            byte[] request = awaitFrame(frames, 0x0806);
            assertNotNull(request, "no ARP request from the kernel");
            PacketBuffer req = PacketBuffer.wrap(request);
            assertEquals(1, req.getU16(20), "ARP request");
            assertEquals(US, Ipv4Address.read(req, 38));
            MacAddress kernelMac = MacAddress.read(req, 22);

            PacketBuffer reply = dev.allocate();
            reply.extend(42);
            kernelMac.write(reply, 0);
            OURS.write(reply, 6);
            reply.setU16(12, 0x0806).setU16(14, 1).setU16(16, 0x0800).setU8(18, 6).setU8(19, 4).setU16(20, 2);
            OURS.write(reply, 22);
            US.write(reply, 28);
            kernelMac.write(reply, 32);
            LINUX.write(reply, 38);
            assertTrue(dev.send(reply));

            // The queued datagram now comes to our MAC.
            byte[] datagram = awaitFrame(frames, 0x0800);
            assertNotNull(datagram, "the UDP datagram never came");
            PacketBuffer d = PacketBuffer.wrap(datagram);
            assertEquals(OURS, MacAddress.read(d, 0));
            assertEquals(17, d.getU8(23), "UDP");
            assertEquals(9, d.getU16(36), "to port 9");
            int udpLength = d.getU16(38);
            long sum = udpPseudoSum(d, udpLength);
            if (offloads == Offloads.ACCEPTED) {
                // The field holds the folded pseudo-header sum; the data are left for "hardware".
                assertEquals("FrameOffload[checksum=PARTIAL start=34 offset=6, segmentation=NONE]",
                        described.poll(5, TimeUnit.SECONDS));
                int pseudo = (int) fold(sumOfWords(d, 26, 8) + 17 + udpLength);
                assertEquals(pseudo, d.getU16(40), "partial checksum field");
            } else if (dev instanceof TapNetwork) {
                // (A packet socket on a veth pair sees the kernel's partial checksum as it is.)
                assertEquals(0xffff, fold(sum), "a complete UDP checksum");
                assertTrue(described.isEmpty());
            }
            String neigh = ns.ip("neigh", "show", US.toString()).output();
            assertTrue(neigh.contains(OURS.toString()), neigh);
            assertTrue(counters.get("netif." + counterName + ".rx.frames") >= 2);
            assertEquals(1, counters.get("netif." + counterName + ".tx.frames"));
        }
    }

    /** The unfolded sum of the UDP pseudo-header and the whole datagram, checksum field included. */
    private static long udpPseudoSum(PacketBuffer d, int udpLength) {
        return sumOfWords(d, 26, 8) + 17 + udpLength + sumOfWords(d, 34, udpLength);
    }

    private static long sumOfWords(PacketBuffer d, int from, int length) {
        long s = 0;
        for (int i = 0; i < length; i += 2) {
            s += i + 1 < length ? d.getU16(from + i) : d.getU8(from + i) << 8;
        }
        return s;
    }

    private static long fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }

    private static byte[] awaitFrame(LinkedBlockingQueue<byte[]> frames, int etherType) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            byte[] f = frames.poll(100, TimeUnit.MILLISECONDS);
            if (f != null && f.length >= 14 && (((f[12] & 0xff) << 8) | (f[13] & 0xff)) == etherType) {
                return f;
            }
        }
        return null;
    }
}
