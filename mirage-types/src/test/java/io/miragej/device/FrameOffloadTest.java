package io.miragej.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameOffloadTest {
    @Test
    void settersDescribeTheFrameAndClearForgetsEverything() {
        FrameOffload o = new FrameOffload();
        assertTrue(o.isEmpty());
        o.checksumPartial(34, 16).coalesced(FrameOffload.Segmentation.TCP_V4, 1448);
        assertEquals(FrameOffload.Checksum.PARTIAL, o.checksum());
        assertEquals(34, o.checksumStart());
        assertEquals(16, o.checksumOffset());
        assertEquals(FrameOffload.Segmentation.TCP_V4, o.segmentation());
        assertEquals(1448, o.segmentSize());
        assertFalse(o.isEmpty());
        o.checksumVerified();
        assertEquals(0, o.checksumStart());
        assertTrue(o.clear().isEmpty());
        assertEquals(0, o.segmentSize());
    }

    @Test
    void impossibleValuesAreRefused() {
        FrameOffload o = new FrameOffload();
        assertThrows(IllegalArgumentException.class, () -> o.checksumPartial(-1, 16));
        assertThrows(IllegalArgumentException.class, () -> o.coalesced(FrameOffload.Segmentation.TCP_V6, 0));
        assertThrows(IllegalArgumentException.class, () -> o.coalesced(FrameOffload.Segmentation.NONE, 1448));
        assertTrue(o.isEmpty());
    }

    @Test
    void aReceiverThatKnowsNothingOfOffloadsGetsPlainFramesThroughTheDefault() {
        List<PacketBuffer> got = new ArrayList<>();
        FrameReceiver plain = got::add;
        assertFalse(plain.acceptsOffloads());
        PacketBuffer frame = PacketBuffer.allocate(60);
        plain.receive(frame, new FrameOffload());
        assertEquals(List.of(frame), got);
    }

    @Test
    void segmentedTcpSetsAPartialChecksumAtTheTcpHeaderAndTheSegmentSize() {
        FrameOffload o = new FrameOffload().segmentedTcp(true, 54, 1428);
        assertEquals(FrameOffload.Checksum.PARTIAL, o.checksum());
        assertEquals(54, o.checksumStart());
        assertEquals(16, o.checksumOffset());
        assertEquals(FrameOffload.Segmentation.TCP_V6, o.segmentation());
        assertEquals(1428, o.segmentSize());
        assertEquals(FrameOffload.Segmentation.TCP_V4, o.segmentedTcp(false, 34, 1448).segmentation());
    }

    /** A device written before send offloads: only the abstract methods. */
    static final class PlainDevice implements Network {
        final List<PacketBuffer> sent = new ArrayList<>();

        @Override public String name() { return "plain"; }
        @Override public io.miragej.net.MacAddress mac() { return io.miragej.net.MacAddress.parse("02:00:00:00:00:01"); }
        @Override public int mtu() { return 1500; }
        @Override public void listen(EventLoop loop, FrameReceiver receiver) {}
        @Override public PacketBuffer allocate() { return PacketBuffer.allocate(HEADROOM, 1514).truncate(0); }
        @Override public boolean send(PacketBuffer frame) { sent.add(frame); return true; }
        @Override public void close() {}
    }

    @Test
    void aDeviceThatKnowsNothingOfSendOffloadsOffersNoneAndRefusesOffloadedFrames() {
        PlainDevice d = new PlainDevice();
        assertEquals(0, d.maxOffloadFrame());
        assertTrue(d.allocate(1514) != null, "a frame of the MTU is an ordinary buffer");
        assertEquals(null, d.allocate(1515), "no buffer longer than a frame of the MTU");
        PacketBuffer plain = PacketBuffer.allocate(60);
        assertTrue(d.send(plain, new FrameOffload()), "an empty offload is a plain send");
        assertEquals(List.of(plain), d.sent);
        io.miragej.buffer.PacketPool pool = io.miragej.buffer.PacketPool.heapPool(1, 256, 64);
        PacketBuffer large = pool.acquire().extend(60);
        assertFalse(d.send(large, new FrameOffload().segmentedTcp(false, 34, 1448)));
        assertEquals(1, d.sent.size(), "the offloaded frame is refused, not sent");
        assertEquals(1, pool.available(), "and released");
    }
}
