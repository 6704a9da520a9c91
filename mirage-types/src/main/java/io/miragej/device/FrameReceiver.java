package io.miragej.device;

import io.miragej.buffer.PacketBuffer;

/** Takes received Ethernet frames; see {@link Network} for who owns the frame and when. */
@FunctionalInterface
public interface FrameReceiver {
    /** Handles one frame, borrowed until this method returns. Must not block. */
    void receive(PacketBuffer frame);

    /**
     * Called on the loop after a burst of frames (every frame the device had queued) has been
     * handed over: the moment to send what the burst produced, such as one ACK for many
     * segments. Devices call it at least once after every burst, possibly after single frames.
     */
    default void endOfBurst() {}
}
