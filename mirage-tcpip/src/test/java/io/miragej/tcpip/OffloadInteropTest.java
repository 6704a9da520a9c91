package io.miragej.tcpip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.net.Endpoint;
import io.miragej.net.Ipv4Prefix;
import io.miragej.net.Ipv6Prefix;
import io.miragej.net.MacAddress;
import io.miragej.stack.Flow;
import io.miragej.stats.Counters;
import io.miragej.testkit.Interop;
import io.miragej.testkit.Netns;
import io.miragej.unix.LoopThread;
import io.miragej.unix.TapNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offloads against the Linux kernel over a TAP device opened with virtio-net headers. Receiving:
 * Linux's TCP hands the stack segments of up to 64 KB with checksums left partial; nc sends from a
 * namespace the test makes, and what the stack reads must hash as what was sent. Sending: the
 * stack's new data goes to Linux as segments of up to 64 KB with partial checksums for the kernel
 * to cut; nc receives, and what it wrote must hash as what the stack sent.
 */
@Timeout(240)
class OffloadInteropTest {
    static final MacAddress MAC = MacAddress.parse("02:4d:4a:00:00:07");
    static final String LINUX = "10.77.7.1";
    static final String US = "10.77.7.2";
    static final String LINUX6 = "2001:db8:77::1";
    static final String US6 = "2001:db8:77::2";

    @TempDir
    Path dir;
    Netns ns;
    String tap;
    LoopThread loop;
    TapNetwork device;
    DirectStack stack;
    final Counters counters = new Counters();
    final CompletableFuture<String> received = new CompletableFuture<>();

    @BeforeEach
    void setUp() throws Exception {
        Interop.requireRoot();
        Interop.requireCommands("iproute2", "ip");
        Interop.requireCommands("netcat-openbsd", "nc");
        ns = Netns.create("mj-offload");
        tap = Netns.uniqueDeviceName("mjo");
        loop = new LoopThread("offload-interop");
        device = TapNetwork.open(tap, MAC, 1500, true, counters);
        ns.moveHere(tap);
        ns.ip("addr", "add", LINUX + "/24", "dev", tap);
        ns.ip("-6", "addr", "add", LINUX6 + "/64", "dev", tap, "nodad");
        ns.ip("link", "set", tap, "up");
        stack = DirectStack.builder(device, loop).ipv4(Ipv4Prefix.parse(US + "/24")).ipv6(true).slaac(false)
                .ipv6Address(Ipv6Prefix.parse(US6 + "/64")).counters(counters).start();
        // Reads everything a connection brings and answers "BYTES SHA256".
        stack.tcp().listen(5001, flow -> {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] b = new byte[64 * 1024];
            long n = 0;
            int r;
            while ((r = flow.read(b, 0, b.length)) >= 0) {
                sha.update(b, 0, r);
                n += r;
            }
            received.complete(n + " " + HexFormat.of().formatHex(sha.digest()));
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (device != null) {
            device.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void aHundredMegabytesFromLinuxArriveInLargeSegmentsByteExact() throws Exception {
        receive(100 << 20, "nc -N " + US + " 5001");
        assertOffloadsWereUsed();
    }

    @Test
    void receivingOverIpv6Too() throws Exception {
        awaitOurIpv6Address();
        receive(20 << 20, "nc -6 -N " + US6 + " 5001");
        assertOffloadsWereUsed();
    }

    private void receive(int bytes, String nc) throws Exception {
        Netns.Result r = ns.exec("bash", "-c", "cd " + dir + " && head -c " + bytes + " /dev/urandom > in && "
                + "sha256sum in && timeout 120 " + nc + " < in");
        assertEquals(0, r.status(), () -> r.output() + "\n" + counters.report());
        String sent = bytes + " " + r.output().trim().split("\\s+")[0];
        assertEquals(sent, received.get(60, TimeUnit.SECONDS), () -> counters.report());
    }

    private void assertOffloadsWereUsed() {
        String report = counters.report();
        System.out.printf("%d frames in, %d coalesced, %d TCP segments%n", counters.get("netif." + tap + ".rx.frames"),
                counters.get("netif." + tap + ".rx.coalesced"), counters.get("tcp.rx.segments"));
        assertTrue(counters.get("netif." + tap + ".rx.coalesced") > 0, report);
        assertTrue(counters.get("tcp.rx.coalesced") > 0, report);
        assertTrue(counters.get("tcp.rx.checksum-offloaded") > 0, report);
        assertEquals(0, counters.get("tcp.drop.checksum"), report);
        for (String reason : new String[] {"short", "unknown", "unsupported", "inconsistent"}) {
            assertEquals(0, counters.get("netif." + tap + ".rx.drop.vnet-" + reason), report);
        }
    }

    @Test
    void aHundredMegabytesToLinuxGoInLargeSegmentsByteExact() throws Exception {
        send(100 << 20, LINUX, "");
        assertLargeFramesWereSent();
    }

    @Test
    void sendingOverIpv6Too() throws Exception {
        awaitOurIpv6Address();
        send(20 << 20, LINUX6, "-6 ");
        assertLargeFramesWereSent();
    }

    private void send(int bytes, String linux, String family) throws Exception {
        Process sink = ns.start("bash", "-c", "cd " + dir + " && timeout 120 nc " + family + "-l -p 5002 > out"
                + " && wc -c < out && sha256sum out");
        Flow f = null;
        for (int i = 0; i < 100 && f == null; i++) {
            try {
                f = stack.tcp().connect(Endpoint.of(linux, 5002), Duration.ofSeconds(2));
            } catch (java.net.ConnectException e) {
                Thread.sleep(50); // nc not listening yet
            }
        }
        assertTrue(f != null, "nc never listened");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(bytes);
        byte[] chunk = new byte[256 * 1024];
        for (int sent = 0; sent < bytes; sent += chunk.length) {
            int n = Math.min(chunk.length, bytes - sent);
            for (int i = 0; i < n; i += 8) {
                long v = random.nextLong();
                for (int k = 0; k < 8 && i + k < n; k++) {
                    chunk[i + k] = (byte) (v >>> (8 * k));
                }
            }
            sha.update(chunk, 0, n);
            f.write(chunk, 0, n);
        }
        f.shutdownOutput();
        assertTrue(sink.waitFor(120, TimeUnit.SECONDS), "nc did not finish: " + counters.report());
        f.close();
        String out = new String(sink.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, sink.exitValue(), out);
        String[] words = out.split("\\s+");
        assertEquals(bytes + " " + HexFormat.of().formatHex(sha.digest()), words[0] + " " + words[1],
                () -> counters.report());
    }

    private void assertLargeFramesWereSent() {
        String report = counters.report();
        long large = counters.get("netif." + tap + ".tx.offloaded");
        long bytes = counters.get("netif." + tap + ".tx.offloaded-bytes");
        System.out.printf("%d frames out, %d large carrying %d bytes (%.0f each), %d TCP segments, %d retransmitted%n",
                counters.get("netif." + tap + ".tx.frames"), large, bytes, large == 0 ? 0.0 : (double) bytes / large,
                counters.get("tcp.tx.segments"), counters.get("tcp.tx.retransmits"));
        assertTrue(large > 0, report);
        assertEquals(large, counters.get("tcp.tx.offloaded"), report);
        assertTrue(bytes / large > 3 * 1514, "large frames of " + bytes / large + " bytes on average: " + report);
        assertEquals(0, counters.get("netif." + tap + ".tx.drop.offload"), report);
        assertEquals(0, counters.get("netif." + tap + ".tx.drop.error"), report);
        assertEquals(0, counters.get("arp.drop.offload-unresolved") + counters.get("ndp.drop.offload-unresolved"), report);
    }

    /** Our address must pass duplicate address detection (a second) before Linux can reach it. */
    private void awaitOurIpv6Address() throws Exception {
        String out = "";
        for (int i = 0; i < 50 && !out.contains("1 received"); i++) {
            out = ns.exec("bash", "-c", "ping -6 -c 1 -W 1 " + US6).output();
        }
        assertTrue(out.contains("1 received"), out);
    }
}
