package io.miragej.tcpip.tcp;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.Network;
import io.miragej.stats.Counters;
import io.miragej.tcpip.Packets;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.IpOutput;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A TCP layer under test, and a scripted peer: the test injects segments it builds byte by byte
 * and reads what the layer sent, parsed by code of its own. Time moves only when the test says.
 */
final class TcpScript implements IpOutput {
    static final int US = Packets.ip("10.0.0.1");
    static final int PEER = Packets.ip("10.0.0.2");
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;

    /** A segment as seen on the wire. */
    record Seg(int srcPort, int dstPort, int seq, int ack, int flags, int window, int mss, int wscale,
            boolean sackPermitted, long tsVal, long tsEcr, int[] sack, byte[] payload) {
        boolean has(int flag) {
            return (flags & flag) == flag;
        }

        boolean hasTimestamp() {
            return tsVal >= 0;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (String[] f : new String[][] {{"1", "F"}, {"2", "S"}, {"4", "R"}, {"8", "P"}, {"16", "."}}) {
                if ((flags & Integer.parseInt(f[0])) != 0) {
                    b.append(f[1]);
                }
            }
            return "[" + b + " seq=" + Integer.toUnsignedString(seq) + " ack=" + Integer.toUnsignedString(ack)
                    + " win=" + window + " len=" + payload.length + (sack.length > 0 ? " sack=" + Arrays.toString(sack) : "")
                    + "]";
        }
    }

    final Counters counters = new Counters();
    final Tcp tcp;
    final List<Seg> sent = new ArrayList<>();
    final IpContext context = new IpContext();
    long now;
    int mtu = 1500;

    TcpScript(TcpConfig config) {
        tcp = new Tcp(this, config, counters, 1234, 5678);
    }

    TcpScript() {
        this(TcpConfig.defaults());
    }

    // ---- IpOutput ----

    @Override
    public PacketBuffer allocate(int length) {
        return PacketBuffer.allocate(Network.HEADROOM, length).truncate(0);
    }

    @Override
    public boolean send(PacketBuffer p, int protocol, long sh, long sl, long dh, long dl, boolean df, long now) {
        byte[] b = p.toByteArray();
        p.release();
        if (b.length > mtu - 20) {
            throw new AssertionError("segment of " + b.length + " bytes over the MTU");
        }
        long pseudo = (US >>> 16) + (US & 0xffff) + (PEER >>> 16) + (PEER & 0xffff) + 6 + b.length;
        if (Packets.checksum(b, 0, b.length, pseudo) != 0) {
            throw new AssertionError("bad checksum on a segment we sent");
        }
        sent.add(parse(b));
        return true;
    }

    @Override
    public boolean hasRoute(long h, long l) {
        return true;
    }

    @Override
    public int maxPayload(long h, long l) {
        return mtu - 20;
    }

    @Override
    public boolean sourceFor(long h, long l, long[] out) {
        out[0] = 0;
        out[1] = IpContext.mapped(US);
        return true;
    }

    @Override
    public boolean isLocal(long h, long l) {
        return l == IpContext.mapped(US);
    }

    // ---- parsing what was sent ----

    static Seg parse(byte[] b) {
        int hl = (b[12] & 0xff) >>> 4 << 2;
        int mss = -1;
        int ws = -1;
        boolean sp = false;
        long tsv = -1;
        long tse = -1;
        int[] sack = new int[0];
        for (int p = 20; p < hl; ) {
            int kind = b[p] & 0xff;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                p++;
                continue;
            }
            int len = b[p + 1] & 0xff;
            switch (kind) {
                case 2 -> mss = Packets.getU16(b, p + 2);
                case 3 -> ws = b[p + 2] & 0xff;
                case 4 -> sp = true;
                case 8 -> {
                    tsv = Packets.getInt(b, p + 2) & 0xffff_ffffL;
                    tse = Packets.getInt(b, p + 6) & 0xffff_ffffL;
                }
                case 5 -> {
                    sack = new int[(len - 2) / 4];
                    for (int i = 0; i < sack.length; i++) {
                        sack[i] = Packets.getInt(b, p + 2 + 4 * i);
                    }
                }
                default -> {}
            }
            p += len;
        }
        return new Seg(Packets.getU16(b, 0), Packets.getU16(b, 2), Packets.getInt(b, 4), Packets.getInt(b, 8),
                b[13] & 0xff, Packets.getU16(b, 14), mss, ws, sp, tsv, tse, sack, Arrays.copyOfRange(b, hl, b.length));
    }

    // ---- injecting ----

    /** Builds a segment from the peer; {@code options} are raw option bytes (padded here). */
    static byte[] build(int srcPort, int dstPort, int seq, int ack, int flags, int window, byte[] options,
            byte[] payload) {
        int optLen = (options.length + 3) & ~3;
        int hl = 20 + optLen;
        byte[] s = new byte[hl + payload.length];
        s[0] = (byte) (srcPort >>> 8);
        s[1] = (byte) srcPort;
        s[2] = (byte) (dstPort >>> 8);
        s[3] = (byte) dstPort;
        Packets.putInt(s, 4, seq);
        Packets.putInt(s, 8, ack);
        s[12] = (byte) ((hl / 4) << 4);
        s[13] = (byte) flags;
        s[14] = (byte) (window >>> 8);
        s[15] = (byte) window;
        System.arraycopy(options, 0, s, 20, options.length);
        for (int i = options.length; i < optLen; i++) {
            s[20 + i] = 1; // NOP padding
        }
        System.arraycopy(payload, 0, s, hl, payload.length);
        long pseudo = (PEER >>> 16) + (PEER & 0xffff) + (US >>> 16) + (US & 0xffff) + 6 + s.length;
        int cs = Packets.checksum(s, 0, s.length, pseudo);
        s[16] = (byte) (cs >>> 8);
        s[17] = (byte) cs;
        return s;
    }

    void inject(byte[] segment) {
        context.setV4(PEER, US);
        context.toGroup = false;
        tcp.receive(context, PacketBuffer.wrap(segment), 0, segment.length, now);
    }

    void inject(int srcPort, int dstPort, int seq, int ack, int flags, int window, byte[] options, byte[] payload) {
        inject(build(srcPort, dstPort, seq, ack, flags, window, options, payload));
    }

    /** Moves time forward, running every timer that falls due on the way. */
    void advance(long nanos) {
        long end = now + nanos;
        while (tcp.nextDeadline() <= end) {
            now = Math.max(now, tcp.nextDeadline());
            tcp.onTimer(now);
        }
        now = end;
    }

    List<Seg> drain() {
        List<Seg> out = new ArrayList<>(sent);
        sent.clear();
        return out;
    }

    Seg only() {
        List<Seg> s = drain();
        if (s.size() != 1) {
            throw new AssertionError("expected one segment, got " + s);
        }
        return s.getFirst();
    }

    // ---- options ----

    static byte[] opts(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] mss(int v) {
        return new byte[] {2, 4, (byte) (v >>> 8), (byte) v};
    }

    static byte[] wscale(int shift) {
        return new byte[] {1, 3, 3, (byte) shift};
    }

    static byte[] sackPermitted() {
        return new byte[] {1, 1, 4, 2};
    }

    static byte[] timestamp(int val, int ecr) {
        byte[] t = {1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        Packets.putInt(t, 4, val);
        Packets.putInt(t, 8, ecr);
        return t;
    }

    static byte[] sack(int... edges) {
        byte[] s = new byte[4 + 4 * edges.length];
        s[0] = 1;
        s[1] = 1;
        s[2] = 5;
        s[3] = (byte) (2 + 4 * edges.length);
        for (int i = 0; i < edges.length; i++) {
            Packets.putInt(s, 4 + 4 * i, edges[i]);
        }
        return s;
    }

    static byte[] none() {
        return new byte[0];
    }
}
