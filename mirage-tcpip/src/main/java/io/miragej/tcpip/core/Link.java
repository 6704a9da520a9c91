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
}
