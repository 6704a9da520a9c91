package io.miragej.device;

/**
 * What a device, or the host kernel behind it, already did for a received frame or left for the
 * stack to do: the receive offloads of a virtio-net header (virtio 1.2, section 5.1.6.4), which
 * is what a Linux TAP device with {@code IFF_VNET_HDR} hands over.
 *
 * <ul>
 *   <li>{@link Checksum#VERIFIED}: the checksum of the first TCP or UDP header in the frame was
 *       checked and is correct ({@code VIRTIO_NET_HDR_F_DATA_VALID}); the stack need not sum it.
 *   <li>{@link Checksum#PARTIAL}: the frame never crossed a wire (it comes from the host's own
 *       stack, which left checksumming to "hardware"), so its data are intact, but the checksum
 *       field at {@link #checksumStart()} + {@link #checksumOffset()} holds only the folded
 *       pseudo-header sum ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}). The transport header starting at
 *       {@code checksumStart} counts as verified; a receiver that forwards or records the frame
 *       must complete the checksum first (sum the bytes from {@code checksumStart} to the end,
 *       field included, and store the complement).
 *   <li>{@link #segmentation()} other than {@link Segmentation#NONE}: the frame is one TCP segment
 *       coalesced from, or never cut into, segments of {@link #segmentSize()} payload bytes (the
 *       sender's MSS); its IP length fields cover the whole frame, which may be longer than the
 *       device's MTU, up to {@link #MAX_FRAME} bytes. To TCP it is simply a large segment.
 * </ul>
 *
 * <p>Devices deliver such frames only to a receiver whose {@link FrameReceiver#acceptsOffloads()}
 * says it takes them; any other receiver gets MTU-sized frames with complete checksums, as
 * always. A device refills one instance per frame: like the frame, it is borrowed until {@link
 * FrameReceiver#receive(io.miragej.buffer.PacketBuffer, FrameOffload)} returns. Not thread-safe.
 *
 * <p>Sending, the same metadata tells a device with send offloads what it is to do for a frame:
 * complete a partial checksum and cut a large TCP segment ({@link
 * Network#send(io.miragej.buffer.PacketBuffer, FrameOffload)} has the contract; {@link
 * #segmentedTcp} sets both at once).
 */
public final class FrameOffload {
    /**
     * The longest frame a device delivers with offloads: Ethernet header and an IPv6 packet whose
     * payload length field is at its largest (14 + 40 + 65,535 bytes).
     */
    public static final int MAX_FRAME = Network.ETHERNET_HEADER + 40 + 65_535;

    /** What is known about the frame's transport checksum. */
    public enum Checksum {
        /** Nothing: the stack verifies it. */
        NONE,
        /** Checked by the device and correct. */
        VERIFIED,
        /** Never computed: data intact, field holds the pseudo-header sum (see the class comment). */
        PARTIAL
    }

    /** Which kind of coalesced segment the frame is, if any. */
    public enum Segmentation {
        NONE,
        /** A TCP segment in IPv4 longer than one segment of {@link #segmentSize()}. */
        TCP_V4,
        /** A TCP segment in IPv6 longer than one segment of {@link #segmentSize()}. */
        TCP_V6
    }

    private Checksum checksum = Checksum.NONE;
    private int checksumStart;
    private int checksumOffset;
    private Segmentation segmentation = Segmentation.NONE;
    private int segmentSize;

    /** Nothing offloaded: a plain frame. Returns this. */
    public FrameOffload clear() {
        checksum = Checksum.NONE;
        checksumStart = 0;
        checksumOffset = 0;
        segmentation = Segmentation.NONE;
        segmentSize = 0;
        return this;
    }

    /** Marks the transport checksum as checked and correct. Returns this. */
    public FrameOffload checksumVerified() {
        checksum = Checksum.VERIFIED;
        checksumStart = 0;
        checksumOffset = 0;
        return this;
    }

    /**
     * Marks the checksum as partial: the transport header starts {@code start} bytes into the
     * frame (Ethernet header included) and its checksum field is {@code offset} bytes into that
     * header. Returns this.
     */
    public FrameOffload checksumPartial(int start, int offset) {
        if (start < 0 || offset < 0) {
            throw new IllegalArgumentException("checksum start and offset must be non-negative, got " + start
                    + " and " + offset);
        }
        checksum = Checksum.PARTIAL;
        checksumStart = start;
        checksumOffset = offset;
        return this;
    }

    /**
     * Marks the frame as a coalesced TCP segment cut, or to be cut, at {@code segmentSize} payload
     * bytes. Returns this.
     */
    public FrameOffload coalesced(Segmentation type, int segmentSize) {
        if (type == Segmentation.NONE ? segmentSize != 0 : segmentSize <= 0) {
            throw new IllegalArgumentException("a coalesced segment needs a positive segment size, and"
                    + " NONE a size of 0; got " + type + " with " + segmentSize);
        }
        segmentation = type;
        this.segmentSize = segmentSize;
        return this;
    }

    /**
     * For sending: a large TCP segment to cut at {@code segmentSize} payload bytes, its TCP header
     * {@code tcpStart} bytes into the frame with the checksum field (offset 16) left partial.
     * Returns this.
     */
    public FrameOffload segmentedTcp(boolean ipv6, int tcpStart, int segmentSize) {
        checksumPartial(tcpStart, 16);
        return coalesced(ipv6 ? Segmentation.TCP_V6 : Segmentation.TCP_V4, segmentSize);
    }

    public Checksum checksum() {
        return checksum;
    }

    /** For {@link Checksum#PARTIAL}: where the transport header starts in the frame; 0 otherwise. */
    public int checksumStart() {
        return checksumStart;
    }

    /** For {@link Checksum#PARTIAL}: where the checksum field is in that header; 0 otherwise. */
    public int checksumOffset() {
        return checksumOffset;
    }

    public Segmentation segmentation() {
        return segmentation;
    }

    /** Payload bytes per original segment of a coalesced frame (the sender's MSS); 0 for none. */
    public int segmentSize() {
        return segmentSize;
    }

    /** True when nothing is offloaded. */
    public boolean isEmpty() {
        return checksum == Checksum.NONE && segmentation == Segmentation.NONE;
    }

    @Override
    public String toString() {
        return "FrameOffload[checksum=" + checksum
                + (checksum == Checksum.PARTIAL ? " start=" + checksumStart + " offset=" + checksumOffset : "")
                + ", segmentation=" + segmentation + (segmentSize > 0 ? " size=" + segmentSize : "") + "]";
    }
}
