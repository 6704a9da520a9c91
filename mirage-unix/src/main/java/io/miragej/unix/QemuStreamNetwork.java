package io.miragej.unix;

import io.miragej.buffer.PacketBuffer;
import io.miragej.net.Endpoint;
import io.miragej.net.MacAddress;
import io.miragej.stats.Counters;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A network device that speaks QEMU's stream network backend ({@code -netdev stream}, and the
 * older {@code -netdev socket}): Ethernet frames over a TCP connection, each preceded by its
 * length as a 32-bit big-endian number. The device either connects to a QEMU that listens
 * ({@code server=on}) or listens for a QEMU that connects ({@code server=off}); a MirageJ stack on
 * it then shares a virtual Ethernet with the guest.
 */
public final class QemuStreamNetwork extends FrameDevice {
    private final ServerSocketChannel server;
    private volatile SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocateDirect(4).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer frameIn;
    private final ByteBuffer sendHeader = ByteBuffer.allocateDirect(4).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer frameOut;
    private final MemorySegment frameInMemory;
    private final MemorySegment frameOutMemory;

    private QemuStreamNetwork(String name, ServerSocketChannel server, SocketChannel channel, MacAddress mac,
            int mtu, Counters counters) {
        super(name, mac, mtu, counters);
        this.server = server;
        this.channel = channel;
        this.frameIn = ByteBuffer.allocateDirect(ETHERNET_HEADER + mtu + 4);
        this.frameOut = ByteBuffer.allocateDirect(ETHERNET_HEADER + mtu + 4);
        // Views made once, so the frame path allocates nothing.
        this.frameInMemory = MemorySegment.ofBuffer(frameIn);
        this.frameOutMemory = MemorySegment.ofBuffer(frameOut);
    }

    /** Connects to QEMU listening at {@code qemu} ({@code -netdev stream,server=on,...}). */
    public static QemuStreamNetwork connect(Endpoint qemu, MacAddress mac, int mtu, Counters counters) throws IOException {
        SocketChannel ch = SocketChannel.open(qemu.toInetSocketAddress());
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new QemuStreamNetwork("qemu-" + qemu.port(), null, ch, mac, mtu, counters);
    }

    /**
     * Listens at {@code local} for QEMU to connect ({@code -netdev stream,server=off,...}); the
     * connection is accepted by the device's reader once it {@link #listen listens}.
     */
    public static QemuStreamNetwork listen(Endpoint local, MacAddress mac, int mtu, Counters counters) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        s.bind(local.toInetSocketAddress(), 1);
        return new QemuStreamNetwork("qemu-" + ((java.net.InetSocketAddress) s.getLocalAddress()).getPort(), s, null,
                mac, mtu, counters);
    }

    /** The local endpoint a listening device waits on. */
    public Endpoint listening() throws IOException {
        return Endpoint.of((java.net.InetSocketAddress) server.getLocalAddress());
    }

    @Override
    boolean readFrame(PacketBuffer b) throws IOException {
        try {
            if (channel == null) {
                SocketChannel ch = server.accept();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel = ch;
            }
            header.clear();
            if (!fill(header)) {
                return false;
            }
            int len = header.getInt(0);
            if (len < 0 || len > frameIn.capacity()) {
                throw new IOException("QEMU sent a frame of " + len + " bytes, more than the device's MTU allows");
            }
            frameIn.clear().limit(len);
            if (!fill(frameIn)) {
                return false;
            }
            if (len > b.tailroom()) {
                return true; // a frame too long for this device: dropped
            }
            b.extend(len);
            MemorySegment.copy(frameInMemory, 0, b.memory(), b.offset(), len);
            return true;
        } catch (AsynchronousCloseException e) {
            return false;
        }
    }

    /** Reads until {@code bb} is full; false at end of stream. */
    private boolean fill(ByteBuffer bb) throws IOException {
        while (bb.hasRemaining()) {
            if (channel.read(bb) < 0) {
                if (bb.position() == 0) {
                    return false;
                }
                throw new EOFException("QEMU closed the connection in the middle of a frame");
            }
        }
        return true;
    }

    @Override
    synchronized boolean writeFrame(PacketBuffer frame) throws IOException {
        SocketChannel ch = channel;
        if (ch == null) {
            return false; // QEMU has not connected yet: the wire is down
        }
        sendHeader.clear();
        sendHeader.putInt(0, frame.length());
        frameOut.clear();
        MemorySegment.copy(frame.memory(), frame.offset(), frameOutMemory, 0, frame.length());
        frameOut.limit(frame.length());
        while (sendHeader.hasRemaining()) {
            ch.write(sendHeader);
        }
        while (frameOut.hasRemaining()) {
            ch.write(frameOut);
        }
        return true;
    }

    @Override
    void wakeReader() {
        try {
            if (server != null) {
                server.close();
            }
            SocketChannel ch = channel;
            if (ch != null) {
                ch.close();
            }
        } catch (IOException e) {
            // closing is best effort
        }
    }

    @Override
    void free() {
        wakeReader();
    }
}
