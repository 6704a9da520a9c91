package io.miragej.device;

import io.miragej.buffer.PacketBuffer;

/**
 * Takes received Ethernet frames; see {@link Network} for who owns the frame and when.
 *
 * <p>Offloads: a receiver that can take frames longer than the MTU with {@link FrameOffload}
 * metadata (checksums verified or left partial, coalesced TCP segments) says so with {@link
 * #acceptsOffloads()} and implements {@link #receive(PacketBuffer, FrameOffload)}. Every other
 * receiver, such as a lambda, keeps getting plain frames: devices that know nothing of offloads
 * only ever call {@link #receive(PacketBuffer)}.
 */
@FunctionalInterface
public interface FrameReceiver {
    /** Handles one frame, borrowed until this method returns. Must not block. */
    void receive(PacketBuffer frame);

    /**
     * True when this receiver takes offloaded frames through {@link #receive(PacketBuffer,
     * FrameOffload)}. A device asks once, in {@link Network#listen}, and only then turns offloads
     * on; by default, false.
     */
    default boolean acceptsOffloads() {
        return false;
    }

    /**
     * Handles one frame, borrowed until this method returns, with what the device did for it or
     * left to do ({@code offload}, borrowed likewise). Devices call it, instead of {@link
     * #receive(PacketBuffer)}, only for receivers that {@linkplain #acceptsOffloads() accept
     * offloads}, and may pass an empty offload for a plain frame. Must not block. The default
     * ignores the metadata, which is right only for a plain frame.
     */
    default void receive(PacketBuffer frame, FrameOffload offload) {
        receive(frame);
    }

    /**
     * Called on the loop after a burst of frames (every frame the device had queued) has been
     * handed over: the moment to send what the burst produced, such as one ACK for many
     * segments. Devices call it at least once after every burst, possibly after single frames.
     */
    default void endOfBurst() {}
}
