package io.miragej.tcpip.host;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counters;
import io.miragej.tcpip.Packets;
import io.miragej.tcpip.TestLink;
import io.miragej.tcpip.core.IpContext;
import java.util.ArrayList;
import java.util.List;

/** A {@link StackCore} on a {@link TestLink}, with a recorder of UDP datagrams, for tests. */
public final class Host {
    public final TestLink link;
    public final Counters counters = new Counters();
    public final StackCore core;
    public final int address;
    public final List<byte[]> datagrams = new ArrayList<>();
    public final List<Integer> datagramSources = new ArrayList<>();

    public Host(long mac, String address, int prefix, String gateway) {
        this(new TestLink(mac), address, prefix, gateway);
    }

    public Host(TestLink link, String address, int prefix, String gateway) {
        this.link = link;
        this.core = new StackCore(link, StackCore.Limits.defaults(), counters, mac(link), ~mac(link));
        this.address = Packets.ip(address);
        core.configureIpv4(this.address, prefix, gateway == null ? 0 : Packets.ip(gateway), 0);
        core.enableIpv6(false, 0);
        core.onTimer(0);
        link.drain(); // the first gratuitous ARP
    }

    private static long mac(TestLink l) {
        return l.mac;
    }

    /** Binds {@code port}, recording every datagram's payload and source. */
    public void bindRecorder(int port) {
        core.udp().bind(port, (IpContext c, int sp, int dp, PacketBuffer b, int off, int len, long now) -> {
            byte[] d = new byte[len];
            b.getBytes(off, d, 0, len);
            datagrams.add(d);
            datagramSources.add(c.sourceV4());
        });
    }

    public void receive(byte[] frame, long now) {
        core.receive(Packets.frame(frame), now);
    }

    /** Moves every frame sent by each host to the other until both are quiet. */
    public static void exchange(Host a, Host b, long now) {
        for (int round = 0; round < 100; round++) {
            List<byte[]> fromA = a.link.drain();
            List<byte[]> fromB = b.link.drain();
            if (fromA.isEmpty() && fromB.isEmpty()) {
                return;
            }
            fromA.forEach(f -> b.receive(f, now));
            fromB.forEach(f -> a.receive(f, now));
        }
        throw new AssertionError("the hosts never went quiet");
    }
}
