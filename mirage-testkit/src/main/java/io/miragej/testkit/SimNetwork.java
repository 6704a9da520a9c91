package io.miragej.testkit;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import io.miragej.device.EventLoop;
import io.miragej.device.FrameReceiver;
import io.miragej.device.Network;
import io.miragej.net.MacAddress;

/**
 * An in-memory {@link Network} device on a {@link SimSwitch}. Frames it sends are copied onto the
 * switch at once; frames for it arrive as simulation events and are handed to its receiver in a
 * buffer from its own bounded pool (a full pool drops the frame: {@code sim.frames.no-buffer}).
 */
public final class SimNetwork implements Network {
    private final SimSwitch medium;
    private final Simulation sim;
    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final PacketPool receivePool;
    private final PacketPool sendPool;
    private EventLoop loop;
    private FrameReceiver receiver;
    private boolean closed;
    long busyUntil;
    int queued;

    SimNetwork(SimSwitch medium, Simulation sim, String name, MacAddress mac, int mtu, int buffers) {
        this.medium = medium;
        this.sim = sim;
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        int size = HEADROOM + mtu + ETHERNET_HEADER;
        this.receivePool = PacketPool.heapPool(buffers, size, HEADROOM);
        this.sendPool = PacketPool.heapPool(buffers, size, HEADROOM);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public void listen(EventLoop loop, FrameReceiver receiver) {
        if (this.receiver != null || closed) {
            throw new IllegalStateException(name + " is already listening or closed");
        }
        this.loop = loop;
        this.receiver = receiver;
    }

    @Override
    public PacketBuffer allocate() {
        return sendPool.acquire();
    }

    @Override
    public boolean send(PacketBuffer frame) {
        try {
            if (closed) {
                return false;
            }
            if (frame.length() > mtu + ETHERNET_HEADER) {
                medium.oversize.increment();
                return false;
            }
            medium.forward(this, frame.toByteArray());
            return true;
        } finally {
            frame.release();
        }
    }

    void deliver(byte[] bytes) {
        if (closed || receiver == null) {
            return;
        }
        if (bytes.length > mtu + ETHERNET_HEADER) {
            medium.oversize.increment();
            return;
        }
        PacketBuffer b = receivePool.acquire();
        if (b == null) {
            medium.noBuffer.increment();
            return;
        }
        b.reset(HEADROOM, bytes.length).setBytes(0, bytes);
        medium.delivered.increment();
        medium.captured(b);
        if (loop == sim || loop.inLoop()) {
            try {
                receiver.receive(b);
            } finally {
                b.release();
            }
            receiver.endOfBurst();
        } else {
            loop.execute(() -> {
                try {
                    receiver.receive(b);
                } finally {
                    b.release();
                }
                receiver.endOfBurst();
            });
        }
    }

    /** Buffers of this device's receive pool not in use. */
    public int receiveBuffersAvailable() {
        return receivePool.available();
    }

    @Override
    public void close() {
        closed = true;
    }
}
