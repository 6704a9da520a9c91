package io.miragej.tcpip;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import io.miragej.device.Network;
import io.miragej.tcpip.core.Link;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Link} that records what is sent, with a bounded pool like a real device. With {@link
 * #maxOffloadFrame} set it also takes large TCP segments for segmentation offload, recorded with
 * their segment sizes in {@link #segmented}.
 */
public final class TestLink implements Link {
    public final long mac;
    public final int mtu;
    public final PacketPool pool;
    public final List<byte[]> sent = new ArrayList<>();
    /** Above 0: the device does TCP segmentation offload for frames up to this long. */
    public int maxOffloadFrame;
    /** Large frames handed over for segmentation offload, and their segment sizes. */
    public final List<byte[]> segmented = new ArrayList<>();
    public final List<Integer> segmentSizes = new ArrayList<>();
    private final PacketPool largePool = PacketPool.heapPool(4, Network.HEADROOM + 65_549, Network.HEADROOM);

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

    @Override
    public int maxOffloadFrame() {
        return maxOffloadFrame;
    }

    @Override
    public PacketBuffer allocate(int frameLength) {
        if (frameLength <= mtu + 14) {
            return allocate();
        }
        return frameLength <= maxOffloadFrame ? largePool.acquire() : null;
    }

    @Override
    public void transmitSegmented(PacketBuffer frame, int segmentSize) {
        if (maxOffloadFrame == 0 || frame.length() > maxOffloadFrame) {
            frame.release();
            throw new AssertionError("a frame of " + frame.length() + " bytes for segmentation offload, maximum "
                    + maxOffloadFrame);
        }
        segmented.add(frame.toByteArray());
        segmentSizes.add(segmentSize);
        frame.release();
    }

    /** Removes and returns everything sent so far. */
    public List<byte[]> drain() {
        List<byte[]> out = new ArrayList<>(sent);
        sent.clear();
        return out;
    }
}
