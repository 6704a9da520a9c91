package io.miragej.tcpip.core;

import io.miragej.buffer.PacketBuffer;

/**
 * What a protocol core needs from the Ethernet device below it: its MAC, its MTU, buffers for
 * outgoing frames and a way to send them. The stack adapts a {@link io.miragej.device.Network} to
 * this; tests give a list. Called only on the stack's loop.
 */
public interface Link {
    /** The device's MAC, as the low 48 bits. */
    long mac();

    /** Largest payload of one frame after the Ethernet header. */
    int mtu();

    /**
     * A buffer for an outgoing frame with at least {@link io.miragej.device.Network#HEADROOM}
     * bytes of headroom and room for {@code mtu() + 14} bytes, length 0; or {@code null} when none
     * is free (the caller counts a drop).
     */
    PacketBuffer allocate();

    /** Sends a whole Ethernet frame, taking ownership of it. */
    void transmit(PacketBuffer frame);

    /**
     * The longest frame {@link #transmitSegmented} takes, or 0 (the default) when the device does
     * no TCP segmentation offload; see {@link io.miragej.device.Network#maxOffloadFrame()}.
     */
    default int maxOffloadFrame() {
        return 0;
    }

    /**
     * A buffer for a frame of up to {@code frameLength} bytes (at most {@link #maxOffloadFrame()}),
     * headroom as {@link #allocate()}, length 0; null when none is free or there are none that long.
     */
    default PacketBuffer allocate(int frameLength) {
        return frameLength <= mtu() + 14 ? allocate() : null;
    }

    /**
     * Sends a whole Ethernet frame holding one TCP segment (IPv4 or IPv6, as its EtherType says),
     * longer than the MTU, for the device to cut into segments of {@code segmentSize} payload
     * bytes; its TCP checksum field holds the pseudo-header sum only. Takes ownership. Only called
     * when {@link #maxOffloadFrame()} is above zero; the default drops the frame.
     */
    default void transmitSegmented(PacketBuffer frame, int segmentSize) {
        frame.release();
    }
}
