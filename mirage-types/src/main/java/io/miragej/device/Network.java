package io.miragej.device;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.MacAddress;

/**
 * An Ethernet device: whole frames (destination MAC, source MAC, EtherType, payload; no preamble
 * and no frame check sequence) in and out.
 *
 * <p>Receiving: {@link #listen} hands every received frame to the receiver, one at a time, on the
 * given event loop's thread. The frame is <em>borrowed</em>: it is valid only until {@code
 * receive} returns, unless the receiver calls {@link PacketBuffer#retain()} and later {@link
 * PacketBuffer#release()}. When the receiver falls behind, the device drops frames (and counts
 * them) rather than queue without bound. A frame is at most {@link #mtu()} + {@link
 * #ETHERNET_HEADER} bytes long, unless the receiver {@linkplain FrameReceiver#acceptsOffloads()
 * accepts offloads} and the device can deliver them: then it may be a coalesced TCP segment of up
 * to {@link FrameOffload#MAX_FRAME} bytes, described by its {@link FrameOffload}.
 *
 * <p>Sending: {@link #allocate()} gives a buffer with at least {@link #HEADROOM} bytes of headroom
 * and room for a whole frame of {@link #mtu()} payload bytes after it; the caller writes the
 * payload, prepends headers, and passes the frame to {@link #send}, which takes ownership. Send
 * never blocks: a device that cannot take the frame drops it and says so.
 */
public interface Network extends AutoCloseable {
    /** Headroom guaranteed by {@link #allocate()}: Ethernet, IPv6 and the largest TCP header. */
    int HEADROOM = 128;

    /** Length of an Ethernet II header. */
    int ETHERNET_HEADER = 14;

    /** A short name for logs and counters, like {@code tap0}. */
    String name();

    /** The device's own MAC address. */
    MacAddress mac();

    /** Largest payload of one frame (after the Ethernet header): 1500 on most devices. */
    int mtu();

    /**
     * Starts delivering received frames to {@code receiver} on {@code loop}. Called once.
     *
     * @throws IllegalStateException if the device is already listening or closed
     */
    void listen(EventLoop loop, FrameReceiver receiver);

    /**
     * A free buffer for an outgoing frame (length 0, headroom at least {@link #HEADROOM}, tailroom
     * at least {@code mtu() + ETHERNET_HEADER}), or {@code null} when all are in flight.
     */
    PacketBuffer allocate();

    /**
     * Transmits {@code frame}, taking ownership of it (the device releases it). Safe from any
     * thread; never blocks.
     *
     * @return false when the frame was dropped (device queue full, frame too long, closed)
     */
    boolean send(PacketBuffer frame);

    /** Stops delivery and frees the device. */
    @Override
    void close();
}
