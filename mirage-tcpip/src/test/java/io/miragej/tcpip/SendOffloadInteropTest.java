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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segmentation offload against the Linux kernel: the stack sends over a TAP device opened with
 * virtio-net headers, so its new data goes to Linux as TCP segments of up to 64 KB with partial
 * checksums; nc receives in a namespace the test makes, and what it wrote must hash as what the
 * stack sent.
 */
@Timeout(240)
class SendOffloadInteropTest {
    static final MacAddress MAC = MacAddress.parse("02:4d:4a:00:00:08");
    static final String LINUX = "10.77.8.1";
    static final String US = "10.77.8.2";
    static final String LINUX6 = "2001:db8:78::1";
    static final String US6 = "2001:db8:78::2";

    @TempDir
    Path dir;
    Netns ns;
    String tap;
    LoopThread loop;
    TapNetwork device;
    DirectStack stack;
    final Counters counters = new Counters();

    @BeforeEach
    void setUp() throws Exception {
        Interop.requireRoot();
        Interop.requireCommands("iproute2", "ip");
        Interop.requireCommands("netcat-openbsd", "nc");
        ns = Netns.create("mj-tso");
        tap = Netns.uniqueDeviceName("mjs");
        loop = new LoopThread("tso-interop");
        device = TapNetwork.open(tap, MAC, 1500, true, counters);
        ns.moveHere(tap);
        ns.ip("addr", "add", LINUX + "/24", "dev", tap);
        ns.ip("-6", "addr", "add", LINUX6 + "/64", "dev", tap, "nodad");
        ns.ip("link", "set", tap, "up");
        stack = DirectStack.builder(device, loop).ipv4(Ipv4Prefix.parse(US + "/24")).ipv6(true).slaac(false)
                .ipv6Address(Ipv6Prefix.parse(US6 + "/64")).counters(counters).start();
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
    void aHundredMegabytesToLinuxGoInLargeSegmentsByteExact() throws Exception {
        send(100 << 20, LINUX, "");
        assertLargeFramesWereSent();
    }

    @Test
    void overIpv6Too() throws Exception {
        // Our address must pass duplicate address detection before Linux answers it.
        String out = "";
        for (int i = 0; i < 50 && !out.contains("1 received"); i++) {
            out = ns.exec("bash", "-c", "ping -6 -c 1 -W 1 " + US6).output();
        }
        assertTrue(out.contains("1 received"), out);
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
}
