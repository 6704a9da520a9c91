package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.Endpoint;
import io.miragej.net.Ipv4Address;
import io.miragej.net.MacAddress;
import io.miragej.stats.Counters;
import io.miragej.testkit.Interop;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class QemuStreamNetworkTest {
    static final MacAddress A = MacAddress.parse("02:00:00:00:0a:01");
    static final MacAddress B = MacAddress.parse("02:00:00:00:0a:02");

    @Test
    void twoDevicesExchangeFramesOverTheStreamProtocol() throws Exception {
        Counters counters = new Counters();
        try (QemuStreamNetwork server = QemuStreamNetwork.listen(new Endpoint(Ipv4Address.LOOPBACK, 0), A, 1500, counters);
                LoopThread loop = new LoopThread("qemu-test")) {
            LinkedBlockingQueue<byte[]> atServer = new LinkedBlockingQueue<>();
            server.listen(loop, f -> atServer.add(f.toByteArray()));
            try (QemuStreamNetwork client = QemuStreamNetwork.connect(server.listening(), B, 1500, counters)) {
                LinkedBlockingQueue<byte[]> atClient = new LinkedBlockingQueue<>();
                client.listen(loop, f -> atClient.add(f.toByteArray()));
                for (int size : List.of(60, 1514, 14)) {
                    PacketBuffer f = client.allocate().extend(size);
                    for (int i = 0; i < size; i++) {
                        f.setU8(i, i);
                    }
                    byte[] sent = f.toByteArray();
                    assertTrue(client.send(f));
                    assertArrayEquals(sent, atServer.poll(5, TimeUnit.SECONDS));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                PacketBuffer back = PacketBuffer.allocate(64); // a heap frame goes through a native copy
                back.setU8(0, 0xaa);
                while (!server.send(back.retain()) && System.nanoTime() < deadline) {
                    Thread.sleep(10); // the server side is up once it has accepted
                }
                assertEquals(0xaa, atClient.poll(5, TimeUnit.SECONDS)[0] & 0xff);
                assertTrue(!client.send(PacketBuffer.allocate(1515)), "a frame longer than MTU + header is refused");
                assertEquals(1, counters.get("netif." + client.name() + ".tx.drop.oversize"));
            }
        }
    }

    /**
     * QEMU itself as the peer: an emulated e1000 NIC whose boot ROM (iPXE) asks for an address by
     * DHCP reaches the device over {@code -netdev stream}.
     */
    @Test
    void qemuConnectsAndItsBootRomBroadcastsDhcp() throws Exception {
        Interop.requireCommands("qemu-system-x86 ipxe-qemu", "qemu-system-x86_64");
        Counters counters = new Counters();
        try (QemuStreamNetwork dev = QemuStreamNetwork.listen(new Endpoint(Ipv4Address.LOOPBACK, 0), A, 1500, counters);
                LoopThread loop = new LoopThread("qemu-interop")) {
            LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
            dev.listen(loop, f -> frames.add(f.toByteArray()));
            Process qemu = new ProcessBuilder("qemu-system-x86_64", "-accel", "tcg", "-m", "64", "-nographic",
                    "-nodefaults", "-no-user-config", "-display", "none", "-boot", "n",
                    "-netdev", "stream,id=n0,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port="
                            + dev.listening().port(),
                    "-device", "e1000,netdev=n0,mac=52:54:00:12:34:56")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                byte[] dhcp = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (dhcp == null && System.nanoTime() < deadline && qemu.isAlive()) {
                    byte[] f = frames.poll(500, TimeUnit.MILLISECONDS);
                    // IPv4, UDP, from port 68 to port 67
                    if (f != null && f.length > 42 && f[12] == 0x08 && f[13] == 0 && f[23] == 17
                            && PacketBuffer.wrap(f).getU16(34) == 68 && PacketBuffer.wrap(f).getU16(36) == 67) {
                        dhcp = f;
                    }
                }
                assertNotNull(dhcp, "no DHCP request from QEMU's boot ROM (QEMU alive: " + qemu.isAlive() + ")");
                PacketBuffer d = PacketBuffer.wrap(dhcp);
                assertEquals(MacAddress.BROADCAST, MacAddress.read(d, 0));
                assertEquals(MacAddress.parse("52:54:00:12:34:56"), MacAddress.read(d, 6));
            } finally {
                qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
