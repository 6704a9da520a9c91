package io.miragej.tcpip.udp;

import static io.miragej.tcpip.Packets.ethernet;
import static io.miragej.tcpip.Packets.ip;
import static io.miragej.tcpip.Packets.ipv4;
import static io.miragej.tcpip.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.tcpip.core.EphemeralPorts;
import io.miragej.tcpip.host.Host;
import org.junit.jupiter.api.Test;

class UdpTest {
    static final long A_MAC = 0x02_00_00_00_00_0aL;
    static final long B_MAC = 0x02_00_00_00_00_0bL;
    static final int A = ip("10.0.0.1");
    static final int B = ip("10.0.0.2");

    final Host a = new Host(A_MAC, "10.0.0.1", 24, null);

    void receive(byte[] udp) {
        a.receive(ethernet(A_MAC, B_MAC, 0x0800, ipv4(B, A, 17, udp)), 0);
    }

    @Test
    void checksLengthAndChecksumAndAcceptsAnAbsentChecksum() {
        a.bindRecorder(7);
        byte[] good = udp(B, A, 1, 7, "data".getBytes());
        byte[] bad = good.clone();
        bad[9] ^= 1;
        receive(bad);
        byte[] badLength = good.clone();
        badLength[5] = 40;
        receive(badLength);
        byte[] tooShortLength = good.clone();
        tooShortLength[5] = 4;
        receive(tooShortLength);
        receive(new byte[5]);
        byte[] none = good.clone();
        none[6] = none[7] = 0;
        receive(none);
        assertEquals(1, a.counters.get("udp.drop.checksum"));
        assertEquals(2, a.counters.get("udp.drop.length"));
        assertEquals(1, a.counters.get("udp.drop.short"));
        assertEquals(1, a.datagrams.size(), "only the one without a checksum came through");
        assertArrayEquals("data".getBytes(), a.datagrams.getFirst());
    }

    @Test
    void aUdpLengthShorterThanThePacketCutsThePayload() {
        a.bindRecorder(7);
        byte[] d = udp(B, A, 1, 7, "data".getBytes());
        byte[] longer = new byte[d.length + 3];
        System.arraycopy(d, 0, longer, 0, d.length);
        receive(longer);
        assertArrayEquals("data".getBytes(), a.datagrams.getFirst());
    }

    @Test
    void portsAreBoundOnceAndEphemeralPortsComeFromTheDynamicRange() {
        Udp udp = a.core.udp();
        assertEquals(7, udp.bind(7, (c, sp, dp, b, o, l, n) -> {}));
        assertEquals(-1, udp.bind(7, (c, sp, dp, b, o, l, n) -> {}));
        int p1 = udp.bind(0, (c, sp, dp, b, o, l, n) -> {});
        int p2 = udp.bind(0, (c, sp, dp, b, o, l, n) -> {});
        assertTrue(p1 >= EphemeralPorts.FIRST && p2 >= EphemeralPorts.FIRST);
        assertNotEquals(p1, p2);
        udp.unbind(7);
        assertEquals(7, udp.bind(7, (c, sp, dp, b, o, l, n) -> {}));
    }

    @Test
    void everyEphemeralPortCanBeTakenAndThenNoneIsLeft() {
        Udp udp = a.core.udp();
        int n = EphemeralPorts.LAST - EphemeralPorts.FIRST + 1;
        for (int i = 0; i < n; i++) {
            assertTrue(udp.bind(0, (c, sp, dp, b, o, l, t) -> {}) > 0);
        }
        assertEquals(-1, udp.bind(0, (c, sp, dp, b, o, l, t) -> {}));
        assertEquals(7, udp.bind(7, (c, sp, dp, b, o, l, t) -> {}), "fixed ports still bind");
    }
}
