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
 *
 * <p>Send offloads: a device whose {@link #maxOffloadFrame()} is above zero also takes, through
 * {@link #send(PacketBuffer, FrameOffload)}, a TCP segment longer than the MTU for it (or the host
 * behind it) to cut into segments of a given size, with its TCP checksum left partial: the send
 * side of {@link FrameOffload}, in virtio-net terms ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM} with a
 * GSO type). The buffer for such a frame comes from {@link #allocate(int)}. A device that knows
 * nothing of send offloads keeps the defaults (maximum 0, no large buffers, offloaded frames
 * refused), and a sender asks {@link #maxOffloadFrame()} before building such a frame, so it is
 * never given one.
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
     * The longest frame {@link #send(PacketBuffer, FrameOffload)} takes with a TCP segmentation
     * offload, Ethernet header included (at most {@link FrameOffload#MAX_FRAME}); 0, the default,
     * when the device takes no offloaded frames. Constant for the device's life.
     */
    default int maxOffloadFrame() {
        return 0;
    }

    /**
     * A free buffer for an outgoing frame of up to {@code frameLength} bytes (headroom at least
     * {@link #HEADROOM}, length 0), or {@code null} when none is free or the device has no buffer
     * that long. Up to a frame of the MTU this is {@link #allocate()}; longer buffers, up to
     * {@link #maxOffloadFrame()}, exist only on devices with send offloads. The default knows only
     * the former.
     */
    default PacketBuffer allocate(int frameLength) {
        return frameLength <= mtu() + ETHERNET_HEADER ? allocate() : null;
    }

    /**
     * Transmits {@code frame} with what the device is to do for it, taking ownership of the frame
     * (not of {@code offload}, which is read before this returns). Safe from any thread; never
     * blocks. An empty offload is a plain {@link #send(PacketBuffer)}. Otherwise the contract is:
     *
     * <ul>
     *   <li>{@link FrameOffload.Checksum#PARTIAL} at {@code start}, {@code offset}: the TCP (or
     *       UDP) header begins {@code start} bytes into the frame, and its checksum field, {@code
     *       offset} bytes into that header, holds the folded sum of the pseudo-header (addresses,
     *       protocol, and the transport length of this whole frame) and nothing else, not
     *       complemented, as Linux leaves it for {@code CHECKSUM_PARTIAL}. The device completes it
     *       (for a segmented frame, per segment). {@link FrameOffload.Checksum#VERIFIED} has no
     *       meaning on send and is refused.
     *   <li>{@link FrameOffload.Segmentation#TCP_V4} or {@code TCP_V6} with a segment size: the
     *       frame is one TCP segment (Ethernet, IPv4 without options or IPv6 without extension
     *       headers, TCP with its options) whose payload the device cuts into segments of that
     *       many bytes, the last possibly shorter; the checksum must be partial at the TCP header.
     *       Each segment gets the TCP header with its sequence number advanced, FIN and PSH only
     *       on the last, the same options (so the same timestamp), IP lengths of its own and, for
     *       IPv4, consecutive IP identifications from the frame's. The IP length fields of the
     *       frame itself cover the whole frame. The header length the device needs (everything
     *       before the payload) is the TCP header's start plus its data offset. The frame is at
     *       most {@link #maxOffloadFrame()} bytes.
     * </ul>
     *
     * <p>The default sends plain frames and refuses (releases, returns false) any other: devices
     * without offloads are never given them by senders that ask {@link #maxOffloadFrame()}.
     *
     * @return false when the frame was dropped (as {@link #send(PacketBuffer)}, or an offload the
     *     device does not do)
     */
    default boolean send(PacketBuffer frame, FrameOffload offload) {
        if (offload.isEmpty()) {
            return send(frame);
        }
        frame.release();
        return false;
    }

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
