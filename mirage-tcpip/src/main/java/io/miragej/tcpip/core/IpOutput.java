package io.miragej.tcpip.core;

import io.miragej.buffer.PacketBuffer;

/**
 * How a transport (UDP, TCP, ICMP) sends: the IP layers of both families behind one face.
 * Addresses are (high, low) pairs as in {@link IpContext}, IPv4 mapped into IPv6.
 */
public interface IpOutput {
    /**
     * A buffer for a transport message of {@code length} bytes, headroom for every lower header,
     * window empty; null when none is free. Messages longer than the link MTU get a heap buffer
     * (the IP layer fragments them).
     */
    PacketBuffer allocate(int length);

    /**
     * Sends {@code payload} (its window is the transport message) from {@code source} to {@code
     * destination}, taking ownership.
     *
     * @return false when it was dropped (and counted)
     */
    boolean send(PacketBuffer payload, int protocol, long sourceHigh, long sourceLow, long destinationHigh,
            long destinationLow, boolean dontFragment, long now);

    /**
     * The longest transport message (TCP header included) to {@code destination} that the device
     * takes as one packet and cuts into segments itself ({@link #sendSegmented}); 0, the default,
     * when it does no TCP segmentation offload or the destination is not reached through it.
     */
    default int maxSegmentedPayload(long destinationHigh, long destinationLow) {
        return 0;
    }

    /**
     * A buffer for a TCP segment of up to {@code length} bytes (at most {@link
     * #maxSegmentedPayload}) for {@link #sendSegmented}, headroom for every lower header, window
     * empty; null when none is free.
     */
    default PacketBuffer allocateSegmented(int length) {
        return null;
    }

    /**
     * Sends {@code payload}, one TCP segment longer than the MTU whose checksum field holds only
     * the folded pseudo-header sum (not complemented), for the device to cut into segments of
     * {@code segmentSize} payload bytes and complete their checksums; takes ownership. The default,
     * for links without the offload, drops it.
     *
     * @return false when it was dropped (and counted)
     */
    default boolean sendSegmented(PacketBuffer payload, long sourceHigh, long sourceLow, long destinationHigh,
            long destinationLow, int segmentSize, long now) {
        payload.release();
        return false;
    }

    /** True when there is a route to the destination. */
    boolean hasRoute(long destinationHigh, long destinationLow);

    /** Largest transport message to {@code destination} that needs no fragmentation. */
    int maxPayload(long destinationHigh, long destinationLow);

    /**
     * Our source address for sending to {@code destination}: writes it to {@code out[0]} (high)
     * and {@code out[1]} (low). False when we have no address of that family.
     */
    boolean sourceFor(long destinationHigh, long destinationLow, long[] out);

    /** True when the address is one of ours (a transport refuses to bind others). */
    boolean isLocal(long high, long low);

    /** Unfolded sum of the pseudo-header addresses (without protocol and length) of either family. */
    static long pseudoAddressSum(long sourceHigh, long sourceLow, long destinationHigh, long destinationLow) {
        if (IpContext.isMapped(sourceHigh, sourceLow)) {
            int s = (int) sourceLow;
            int d = (int) destinationLow;
            return (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff);
        }
        return words(sourceHigh) + words(sourceLow) + words(destinationHigh) + words(destinationLow);
    }

    private static long words(long v) {
        return (v >>> 48) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
    }
}
