package io.miragej.device;

import io.miragej.buffer.PacketBuffer;

/** Takes received Ethernet frames; see {@link Network} for who owns the frame and when. */
@FunctionalInterface
public interface FrameReceiver {
    /** Handles one frame, borrowed until this method returns. Must not block. */
    void receive(PacketBuffer frame);
}
