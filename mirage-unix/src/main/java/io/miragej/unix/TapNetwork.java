package io.miragej.unix;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.MacAddress;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TAP device as a {@link io.miragej.device.Network}: whole Ethernet frames through
 * {@code /dev/net/tun}, opened with the foreign-function API. Opening attaches to the TAP device
 * of that name, and the kernel creates it when there is none (that needs CAP_NET_ADMIN); a device
 * created this way disappears when it is closed.
 */
public final class TapNetwork extends FrameDevice {
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;

    private final PollableFd tap;

    private TapNetwork(String name, PollableFd tap, MacAddress mac, int mtu, Counters counters) {
        super(name, mac, mtu, counters);
        this.tap = tap;
    }

    /**
     * Opens (creating if needed) the TAP device {@code name}. {@code mac} is the address the
     * stack on this device uses, distinct from the host side's address.
     *
     * @throws IOException naming the device and what to do, e.g. when not permitted
     */
    public static TapNetwork open(String name, MacAddress mac, int mtu, Counters counters) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length > 15) {
            throw new IllegalArgumentException("a TAP device name has 1-15 characters, got '" + name + "'");
        }
        // Non-blocking, so the reader drains every queued frame before it waits in poll(2) again.
        int fd = Posix.open("/dev/net/tun", Posix.O_RDWR | Posix.O_CLOEXEC | Posix.O_NONBLOCK);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifreq = a.allocate(40);
            MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            ifreq.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI));
            Posix.ioctl(fd, TUNSETIFF, ifreq, "attaching to TAP device " + name
                    + " (creating one needs root or CAP_NET_ADMIN; an existing one must be a TAP, not a TUN, device)");
            return new TapNetwork(name, new PollableFd(fd), mac, mtu, counters);
        } catch (IOException | RuntimeException e) {
            Posix.close(fd);
            throw e;
        }
    }

    @Override
    boolean readFrame(PacketBuffer b) throws IOException {
        while (true) {
            long n = Posix.read(tap.fd, Posix.address(b, 0), b.tailroom());
            if (n > 0) {
                b.extend((int) n);
                return true;
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

    @Override
    boolean writeFrame(PacketBuffer frame) {
        return Posix.write(tap.fd, Posix.address(frame, 0), frame.length()) == frame.length();
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
