package io.miragej.unix;

import io.miragej.buffer.PacketBuffer;
import io.miragej.device.FrameOffload;
import io.miragej.net.MacAddress;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux TAP device as a {@link io.miragej.device.Network}: whole Ethernet frames through
 * {@code /dev/net/tun}, opened with the foreign-function API. Opening attaches to the TAP device
 * of that name, and the kernel creates it when there is none (that needs CAP_NET_ADMIN); a device
 * created this way disappears when it is closed.
 *
 * <p>Offloads: opened {@linkplain #open(String, MacAddress, int, boolean, Counters) with offloads},
 * every frame in and out carries a 12-byte virtio-net header ({@code IFF_VNET_HDR}, {@code
 * TUNSETVNETHDRSZ}, little-endian by {@code TUNSETVNETLE}). When the receiver {@linkplain
 * io.miragej.device.FrameReceiver#acceptsOffloads() accepts offloads}, {@code TUNSETOFFLOAD}
 * tells the kernel it may hand over TCP segments of up to 64 KB (TSO4, TSO6) with checksums left
 * partial (CSUM): one read then brings what took 45 reads of 1,448-byte frames, and the frames go
 * to the receiver with their {@link FrameOffload}. Receive buffers are then {@value
 * #OFFLOAD_BUFFERS} of 68 KiB each, lazily mapped (only pages frames touched become resident).
 *
 * <p>Sending with offloads, the device takes TCP segments of up to {@value #MAX_OFFLOAD_FRAME}
 * bytes (an IPv4 packet of 65,535 behind its Ethernet header) through {@link
 * #send(PacketBuffer, FrameOffload)}: the header says {@code NEEDS_CSUM} and the GSO type, and the
 * kernel takes the frame whole (a local TCP receiver gets it as one large segment) or cuts it,
 * completing the checksums. One {@code write} then carries what took 45. Plain frames get an
 * all-zero header.
 *
 * <p>Counters, besides {@link FrameDevice}'s: {@code netif.NAME.rx.coalesced} (frames longer than
 * one segment), {@code .rx.drop.vnet-short}, {@code .rx.drop.vnet-unknown}, {@code
 * .rx.drop.vnet-unsupported}, {@code .rx.drop.vnet-inconsistent} (malformed headers, see {@link
 * VirtioNetHeader.Verdict}).
 */
public final class TapNetwork extends FrameDevice {
    private static final Logger LOG = LoggerFactory.getLogger(TapNetwork.class);
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;
    private static final long TUNSETVNETLE = 0x400454dcL;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final int TUN_F_CSUM = 1;
    private static final int TUN_F_TSO4 = 2;
    private static final int TUN_F_TSO6 = 4;
    /** Receive buffers of a device with offloads: the bound on what it holds for the loop. */
    static final int OFFLOAD_BUFFERS = 512;
    /** The longest frame sent with offloads: the longest IPv4 packet behind an Ethernet header. */
    static final int MAX_OFFLOAD_FRAME = ETHERNET_HEADER + 65_535;

    private final PollableFd tap;
    /** Length of the virtio-net header in front of every frame; 0 without offloads. */
    private final int headerLength;
    /** The reader thread's, for checking headers before queueing. */
    private final FrameOffload checked = new FrameOffload();
    private final Counter rxCoalesced;
    private final Counter[] rxBadHeader;

    private TapNetwork(String name, PollableFd tap, MacAddress mac, int mtu, int headerLength, boolean sendOffloads,
            Counters counters) {
        super(name, mac, mtu, headerLength == 0 ? ETHERNET_HEADER + mtu : Math.max(FrameOffload.MAX_FRAME,
                ETHERNET_HEADER + mtu), headerLength == 0 ? QUEUE + 64 : OFFLOAD_BUFFERS,
                headerLength == 0 || !sendOffloads ? 0 : MAX_OFFLOAD_FRAME, counters);
        this.tap = tap;
        this.headerLength = headerLength;
        String p = "netif." + name + ".";
        rxCoalesced = counters.counter(p + "rx.coalesced");
        VirtioNetHeader.Verdict[] verdicts = VirtioNetHeader.Verdict.values();
        rxBadHeader = new Counter[verdicts.length];
        for (VirtioNetHeader.Verdict v : verdicts) {
            if (v != VirtioNetHeader.Verdict.OK) {
                rxBadHeader[v.ordinal()] = counters.counter(p + "rx.drop.vnet-" + v.name().toLowerCase());
            }
        }
    }

    /** Opens {@code name} without offloads; see {@link #open(String, MacAddress, int, boolean, Counters)}. */
    public static TapNetwork open(String name, MacAddress mac, int mtu, Counters counters) throws IOException {
        return open(name, mac, mtu, false, counters);
    }

    /**
     * Opens (creating if needed) the TAP device {@code name}. {@code mac} is the address the
     * stack on this device uses, distinct from the host side's address. With {@code offloads},
     * frames carry virtio-net headers and a receiver that accepts offloads gets large segments.
     *
     * @throws IOException naming the device and what to do, e.g. when not permitted
     */
    public static TapNetwork open(String name, MacAddress mac, int mtu, boolean offloads, Counters counters)
            throws IOException {
        return open(name, mac, mtu, offloads, offloads, counters);
    }

    /**
     * As {@link #open(String, MacAddress, int, boolean, Counters)}, and with {@code sendOffloads}
     * false a device with virtio-net headers still receives large segments but offers no
     * segmentation offload on send ({@link #maxOffloadFrame()} is 0): every segment goes out as
     * the stack cut it, for comparing or for a peer that mishandles what the kernel cuts.
     */
    public static TapNetwork open(String name, MacAddress mac, int mtu, boolean offloads, boolean sendOffloads,
            Counters counters) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length > 15) {
            throw new IllegalArgumentException("a TAP device name has 1-15 characters, got '" + name + "'");
        }
        // Non-blocking, so the reader drains every queued frame before it waits in poll(2) again.
        int fd = Posix.open("/dev/net/tun", Posix.O_RDWR | Posix.O_CLOEXEC | Posix.O_NONBLOCK);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifreq = a.allocate(40);
            MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            ifreq.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0)));
            Posix.ioctl(fd, TUNSETIFF, ifreq, "attaching to TAP device " + name
                    + " (creating one needs root or CAP_NET_ADMIN; an existing one must be a TAP, not a TUN, device)");
            int headerLength = 0;
            if (offloads) {
                headerLength = VirtioNetHeader.LENGTH;
                Posix.ioctl(fd, TUNSETVNETLE, a.allocateFrom(ValueLayout.JAVA_INT, 1),
                        "making TAP device " + name + "'s virtio-net headers little-endian (TUNSETVNETLE)");
                Posix.ioctl(fd, TUNSETVNETHDRSZ, a.allocateFrom(ValueLayout.JAVA_INT, headerLength),
                        "setting TAP device " + name + "'s virtio-net header length (TUNSETVNETHDRSZ)");
            }
            return new TapNetwork(name, new PollableFd(fd), mac, mtu, headerLength, offloads && sendOffloads, counters);
        } catch (IOException | RuntimeException e) {
            Posix.close(fd);
            throw e;
        }
    }

    /** True when frames carry virtio-net headers (opened with offloads). */
    public boolean hasVirtioNetHeaders() {
        return headerLength > 0;
    }

    @Override
    boolean enableOffloads(boolean receiverAccepts) {
        if (headerLength == 0) {
            return false;
        }
        int features = receiverAccepts ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 : 0;
        try {
            // The argument is the flags themselves, passed where a pointer would go.
            Posix.ioctl(tap.fd, TUNSETOFFLOAD, MemorySegment.ofAddress(features),
                    "turning on TAP device " + name() + "'s offloads (TUNSETOFFLOAD)");
        } catch (IOException e) {
            LOG.warn("{}: receiving without offloads: {}", name(), e.getMessage());
            return false;
        }
        return receiverAccepts;
    }

    @Override
    boolean readFrame(PacketBuffer b) throws IOException {
        if (headerLength > 0) {
            b.reset(b.headroom() - headerLength, 0); // the header lands in the headroom
        }
        while (true) {
            long n = Posix.read(tap.fd, Posix.address(b, 0), b.tailroom());
            if (n > 0) {
                b.extend((int) n);
                return headerLength == 0 || checkHeader(b);
            }
            if (n == -Posix.EAGAIN) {
                // Nothing queued: only now wait (one system call per frame under load, not two).
                if (!tap.awaitReadable()) {
                    return false;
                }
            } else if (n != -Posix.EINTR) {
                throw Posix.failure("read from TAP " + name(), (int) (n == 0 ? 5 : -n));
            }
        }
    }

    /** Moves the window past a good header (left in the headroom for {@link #describe}); empties it otherwise. */
    private boolean checkHeader(PacketBuffer b) {
        VirtioNetHeader.Verdict v = VirtioNetHeader.parse(b, headerLength, checked);
        if (v != VirtioNetHeader.Verdict.OK) {
            rxBadHeader[v.ordinal()].increment();
            b.reset(b.headroom() + headerLength, 0);
            return true;
        }
        if (checked.segmentation() != FrameOffload.Segmentation.NONE) {
            rxCoalesced.increment();
        }
        b.advance(headerLength);
        return true;
    }

    @Override
    void describe(PacketBuffer frame, FrameOffload out) {
        // Checked by the reader already; parsed again here, on the loop, into the loop's instance.
        frame.prepend(headerLength);
        VirtioNetHeader.parse(frame, headerLength, out);
        frame.advance(headerLength);
    }

    @Override
    boolean writeFrame(PacketBuffer frame) {
        if (headerLength == 0) {
            return Posix.write(tap.fd, Posix.address(frame, 0), frame.length()) == frame.length();
        }
        return writeWithHeader(frame, null);
    }

    @Override
    boolean writeOffloaded(PacketBuffer frame, FrameOffload offload) {
        return headerLength > 0 && writeWithHeader(frame, offload);
    }

    /** Writes the virtio-net header (plain for a null offload) and the frame in one {@code write}. */
    private boolean writeWithHeader(PacketBuffer frame, FrameOffload offload) {
        PacketBuffer out = frame;
        if (frame.headroom() < headerLength) {
            // A slice or a wrapped segment: copied behind room for the header.
            out = allocate(frame.length());
            if (out == null) {
                return false;
            }
            out.extend(frame.length()).setBytes(0, frame);
        }
        try {
            out.prepend(headerLength);
            if (offload == null) {
                VirtioNetHeader.writePlain(out, headerLength);
            } else if (!VirtioNetHeader.writeOffload(out, headerLength, offload)) {
                return false;
            }
            return Posix.write(tap.fd, Posix.address(out, 0), out.length()) == out.length();
        } finally {
            out.advance(headerLength);
            if (out != frame) {
                out.release();
            }
        }
    }

    @Override
    void wakeReader() {
        tap.wake();
    }

    @Override
    void free() {
        tap.close();
    }
}
