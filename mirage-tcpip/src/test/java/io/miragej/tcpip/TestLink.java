package io.miragej.tcpip;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import io.miragej.device.Network;
import io.miragej.tcpip.core.Link;
import java.util.ArrayList;
import java.util.List;

/** A {@link Link} that records what is sent, with a bounded pool like a real device. */
public final class TestLink implements Link {
    public final long mac;
    public final int mtu;
    public final PacketPool pool;
    public final List<byte[]> sent = new ArrayList<>();

    public TestLink(long mac) {
        this(mac, 1500, 512);
    }

    public TestLink(long mac, int mtu, int buffers) {
        this.mac = mac;
        this.mtu = mtu;
        this.pool = PacketPool.heapPool(buffers, Network.HEADROOM + 14 + mtu, Network.HEADROOM);
    }

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public PacketBuffer allocate() {
        return pool.acquire();
    }

    @Override
    public void transmit(PacketBuffer frame) {
        if (frame.length() > mtu + 14) {
            frame.release();
            throw new AssertionError("frame of " + frame.length() + " bytes exceeds the MTU " + mtu);
        }
        sent.add(frame.toByteArray());
        frame.release();
    }

    /** Removes and returns everything sent so far. */
    public List<byte[]> drain() {
        List<byte[]> out = new ArrayList<>(sent);
        sent.clear();
        return out;
    }
}
