package io.miragej.unix;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.MacAddress;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A host network interface used raw, through a Linux packet socket (AF_PACKET): the stack on it
 * sends and receives whole Ethernet frames under its own MAC address, beside (not through) the
 * host's stack. The interface is put in promiscuous mode so frames for that MAC arrive. Give the
 * stack an interface of its own (a veth end, a spare NIC) without host addresses, or the host
 * answers too. Needs CAP_NET_RAW.
 *
 * <p>On veth pairs, the kernel may hand over frames whose checksums were never filled in
 * (checksum offload); turn offload off on the peer ({@code ethtool -K IF tx off}) so the stack
 * sees real checksums.
 */
public final class PacketSocketNetwork extends FrameDevice {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final short ETH_P_ALL_BE = 0x0300; // htons(0x0003)
    private static final int SOL_PACKET = 263;
    private static final int PACKET_ADD_MEMBERSHIP = 1;
    private static final short PACKET_MR_PROMISC = 1;
    private static final int PACKET_OUTGOING = 4;

    private final PollableFd socket;
    /** struct sockaddr_ll and its length, filled by recvfrom; used by the reader thread only. */
    private final MemorySegment from;
    private final MemorySegment fromLength;

    private PacketSocketNetwork(String name, PollableFd socket, MacAddress mac, int mtu, Counters counters) {
        super(name, mac, mtu, counters);
        this.socket = socket;
        Arena arena = Arena.ofAuto();
        this.from = arena.allocate(20);
        this.fromLength = arena.allocate(ValueLayout.JAVA_INT);
    }

    /** Binds a packet socket to interface {@code name}; {@code mac} is the stack's own address. */
    public static PacketSocketNetwork open(String name, MacAddress mac, int mtu, Counters counters) throws IOException {
        int index = Posix.ifNameToIndex(name);
        if (index == 0) {
            throw new IOException("no network interface named '" + name + "' (see 'ip link')");
        }
        // Non-blocking, so the reader drains every queued frame before it waits in poll(2) again.
        int fd = Posix.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, ETH_P_ALL_BE);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ll = a.allocate(20);
            ll.set(ValueLayout.JAVA_SHORT, 0, (short) AF_PACKET);
            ll.set(ValueLayout.JAVA_SHORT, 2, ETH_P_ALL_BE);
            ll.set(ValueLayout.JAVA_INT, 4, index);
            Posix.bind(fd, ll, "binding a packet socket to " + name + " (needs root or CAP_NET_RAW)");
            MemorySegment mreq = a.allocate(16);
            mreq.set(ValueLayout.JAVA_INT, 0, index);
            mreq.set(ValueLayout.JAVA_SHORT, 4, PACKET_MR_PROMISC);
            Posix.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, "promiscuous mode on " + name);
            return new PacketSocketNetwork(name, new PollableFd(fd), mac, mtu, counters);
        } catch (IOException | RuntimeException e) {
            Posix.close(fd);
            throw e;
        }
    }

    @Override
    boolean readFrame(PacketBuffer b) throws IOException {
        long n;
        while (true) {
            fromLength.set(ValueLayout.JAVA_INT, 0, 20);
            n = Posix.recvfrom(socket.fd, Posix.address(b, 0), b.tailroom(), from, fromLength);
            if (n >= 0) {
                break;
            }
            if (n == -Posix.EAGAIN) {
                if (!socket.awaitReadable()) {
                    return false;
                }
            } else if (n != -Posix.EINTR) {
                throw Posix.failure("recvfrom on " + name(), (int) -n);
            }
        }
        // The socket also sees what this host sends on the interface, our own frames included.
        if ((from.get(ValueLayout.JAVA_BYTE, 10) & 0xff) != PACKET_OUTGOING) {
            b.extend((int) n);
        }
        return true;
    }

    @Override
    boolean writeFrame(PacketBuffer frame) {
        return Posix.write(socket.fd, Posix.address(frame, 0), frame.length()) == frame.length();
    }

    @Override
    void wakeReader() {
        socket.wake();
    }

    @Override
    void free() {
        socket.close();
    }
}
