package io.miragej.tcpip.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.Ipv4Address;
import io.miragej.stats.Counters;
import io.miragej.tcpip.Packets;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DhcpClientTest {
    static final long MAC = 0x02_00_00_00_00_42L;
    static final long S = 1_000_000_000L;
    static final int SERVER = Packets.ip("10.9.0.1");
    static final int OFFERED = Packets.ip("10.9.0.77");

    record Sent(byte[] message, int source, int destination, long at) {
        int type() {
            return option(53)[0];
        }

        int xid() {
            return Packets.getInt(message, 4);
        }

        int[] option(int code) {
            for (int p = 240; p < message.length; ) {
                int c = message[p] & 0xff;
                if (c == 0) {
                    p++;
                    continue;
                }
                if (c == 255) {
                    break;
                }
                int len = message[p + 1] & 0xff;
                if (c == code) {
                    int[] v = new int[len];
                    for (int i = 0; i < len; i++) {
                        v[i] = message[p + 2 + i] & 0xff;
                    }
                    return v;
                }
                p += 2 + len;
            }
            return null;
        }

        int optionInt(int code) {
            int[] v = option(code);
            return (v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3];
        }
    }

    final List<Sent> sent = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final Counters counters = new Counters();
    long now;
    final DhcpClient client = new DhcpClient(MAC, (m, src, dst, t) -> sent.add(new Sent(m.toByteArray(), src, dst, t)),
            new DhcpClient.Events() {
                @Override
                public void bound(DhcpClient.Lease lease, long t) {
                    events.add("bound " + lease.address() + "/" + lease.prefixLength() + " gw " + lease.gateway()
                            + " dns " + lease.dns() + " at " + t / S);
                }

                @Override
                public void lost(DhcpClient.Lease lease, long t) {
                    events.add("lost " + lease.address() + " at " + t / S);
                }
            }, counters, 7);

    /** A server's reply to {@code xid}, with options given as code, value bytes... */
    static byte[] reply(int xid, long mac, int yiaddr, int type, byte[]... options) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] fixed = new byte[240];
        fixed[0] = 2;
        fixed[1] = 1;
        fixed[2] = 6;
        Packets.putInt(fixed, 4, xid);
        Packets.putInt(fixed, 16, yiaddr);
        for (int i = 0; i < 6; i++) {
            fixed[28 + i] = (byte) (mac >>> (40 - 8 * i));
        }
        Packets.putInt(fixed, 236, 0x63825363);
        o.writeBytes(fixed);
        o.writeBytes(new byte[] {53, 1, (byte) type});
        for (byte[] opt : options) {
            o.writeBytes(opt);
        }
        o.write(255);
        return o.toByteArray();
    }

    static byte[] opt(int code, int... values) {
        byte[] b = new byte[2 + 4 * values.length];
        b[0] = (byte) code;
        b[1] = (byte) (4 * values.length);
        for (int i = 0; i < values.length; i++) {
            Packets.putInt(b, 2 + 4 * i, values[i]);
        }
        return b;
    }

    static byte[] standard(int lease) {
        return Packets.concat(opt(54, SERVER), opt(51, lease), opt(1, 0xffffff00), opt(3, SERVER),
                opt(6, Packets.ip("10.9.0.53"), Packets.ip("9.9.9.9")));
    }

    void deliver(byte[] m) {
        client.receive(PacketBuffer.wrap(m), 0, m.length, now);
    }

    void advanceTo(long t) {
        while (client.nextDeadline() <= t) {
            now = client.nextDeadline();
            client.onTimer(now);
        }
        now = t;
    }

    void acquire(int lease) {
        client.start(now);
        Sent discover = sent.getLast();
        deliver(reply(discover.xid(), MAC, OFFERED, DhcpMessage.OFFER, standard(lease)));
        Sent request = sent.getLast();
        deliver(reply(request.xid(), MAC, OFFERED, DhcpMessage.ACK, standard(lease)));
    }

    @Test
    void discoversRequestsAndBinds() {
        client.start(0);
        Sent discover = sent.getFirst();
        assertEquals(DhcpMessage.DISCOVER, discover.type());
        assertEquals(0, discover.source());
        assertEquals(-1, discover.destination());
        assertEquals(1, discover.message()[0], "BOOTREQUEST");
        assertEquals(0x80, discover.message()[10] & 0xff, "the broadcast flag: we cannot take unicast yet");
        assertEquals(MAC, Packets.getMac(discover.message(), 28));
        assertTrue(discover.message().length >= 300, "BOOTP's minimum size");
        assertTrue(discover.option(55).length >= 3, "asks for mask, router, DNS");
        deliver(reply(discover.xid(), MAC, OFFERED, DhcpMessage.OFFER, standard(3600)));
        Sent request = sent.getLast();
        assertEquals(DhcpMessage.REQUEST, request.type());
        assertEquals(discover.xid(), request.xid());
        assertEquals(OFFERED, request.optionInt(50), "requested address");
        assertEquals(SERVER, request.optionInt(54), "server identifier");
        assertEquals(DhcpClient.State.REQUESTING, client.state());
        deliver(reply(request.xid(), MAC, OFFERED, DhcpMessage.ACK, standard(3600)));
        assertEquals(DhcpClient.State.BOUND, client.state());
        assertEquals(List.of("bound 10.9.0.77/24 gw 10.9.0.1 dns [10.9.0.53, 9.9.9.9] at 0"), events);
    }

    @Test
    void retransmitsWithExponentialBackoff() {
        client.start(0);
        advanceTo(200 * S);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < sent.size(); i++) {
            gaps.add((sent.get(i).at() - sent.get(i - 1).at() + S / 2) / S);
        }
        long[] base = {4, 8, 16, 32, 64};
        for (int i = 0; i < Math.min(gaps.size(), base.length); i++) {
            assertTrue(Math.abs(gaps.get(i) - base[i]) <= 1, "gap " + i + " was " + gaps.get(i) + " s: " + gaps);
        }
        assertTrue(gaps.stream().allMatch(g -> g <= 65), gaps.toString());
    }

    @Test
    void renewsAtT1ByUnicastRebindsAtT2ByBroadcastAndLosesTheLeaseAtItsEnd() {
        acquire(1000);
        sent.clear();
        advanceTo(500 * S);
        Sent renew = sent.getLast();
        assertEquals(DhcpMessage.REQUEST, renew.type());
        assertEquals(OFFERED, renew.source());
        assertEquals(SERVER, renew.destination(), "renewing is unicast to the server");
        assertEquals(OFFERED, Packets.getInt(renew.message(), 12), "ciaddr holds our address");
        assertNull(renew.option(50), "no requested-address option while renewing");
        assertEquals(DhcpClient.State.RENEWING, client.state());
        advanceTo(875 * S);
        assertEquals(DhcpClient.State.REBINDING, client.state());
        assertEquals(-1, sent.getLast().destination(), "rebinding is broadcast");
        advanceTo(1000 * S);
        assertEquals("lost 10.9.0.77 at 1000", events.get(1));
        assertEquals(DhcpMessage.DISCOVER, sent.getLast().type(), "and starts over");
    }

    @Test
    void aRenewalAckExtendsTheLease() {
        acquire(1000);
        advanceTo(500 * S);
        Sent renew = sent.getLast();
        deliver(reply(renew.xid(), MAC, OFFERED, DhcpMessage.ACK, standard(1000)));
        assertEquals(DhcpClient.State.BOUND, client.state());
        advanceTo(999 * S);
        assertEquals(DhcpClient.State.BOUND, client.state(), "renewed at 500: T1 is now 1000");
        assertEquals(2, events.size());
    }

    @Test
    void aNakStartsOver() {
        acquire(1000);
        advanceTo(500 * S);
        deliver(reply(sent.getLast().xid(), MAC, 0, DhcpMessage.NAK, opt(54, SERVER)));
        assertTrue(events.getLast().startsWith("lost"));
        assertEquals(DhcpMessage.DISCOVER, sent.getLast().type());
    }

    @Test
    void repliesForOthersAndMalformedRepliesAreIgnored() {
        client.start(0);
        int xid = sent.getLast().xid();
        deliver(reply(xid + 1, MAC, OFFERED, DhcpMessage.OFFER, standard(100)));
        deliver(reply(xid, MAC + 1, OFFERED, DhcpMessage.OFFER, standard(100)));
        deliver(reply(xid, MAC, Packets.ip("224.0.0.1"), DhcpMessage.OFFER, standard(100)));
        byte[] truncated = reply(xid, MAC, OFFERED, DhcpMessage.OFFER, standard(100));
        deliver(java.util.Arrays.copyOf(truncated, 200));
        deliver(reply(xid, MAC, OFFERED, DhcpMessage.ACK, standard(100)));
        assertEquals(DhcpClient.State.SELECTING, client.state());
        assertEquals(2, counters.get("dhcp.drop.not-ours"));
        assertEquals(2, counters.get("dhcp.drop.malformed"));
        assertEquals(1, counters.get("dhcp.drop.unexpected"));
    }

    @Test
    void optionsInTheFileFieldCountWhenOverloaded() {
        client.start(0);
        int xid = sent.getLast().xid();
        byte[] r = reply(xid, MAC, OFFERED, DhcpMessage.OFFER, new byte[] {52, 1, 1});
        byte[] server = opt(54, SERVER);
        System.arraycopy(server, 0, r, 108, server.length);
        r[108 + server.length] = (byte) 255;
        deliver(r);
        assertEquals(DhcpClient.State.REQUESTING, client.state(), "the server id was found in 'file'");
    }

    @Property(tries = 500)
    void arbitraryRepliesNeverThrow(@ForAll @Size(max = 600) byte[] bytes) {
        client.start(0);
        deliver(bytes);
        byte[] withHeader = reply(sent.getLast().xid(), MAC, OFFERED, DhcpMessage.OFFER);
        byte[] mixed = Packets.concat(java.util.Arrays.copyOf(withHeader, 240), bytes);
        deliver(mixed);
    }

    @Test
    void theLeaseAddressesAreReported() {
        acquire(60);
        assertEquals(new Ipv4Address(OFFERED), client.lease().address());
        assertEquals(new Ipv4Address(SERVER), client.lease().server());
    }
}
