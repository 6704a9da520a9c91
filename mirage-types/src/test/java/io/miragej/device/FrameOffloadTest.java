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
}
