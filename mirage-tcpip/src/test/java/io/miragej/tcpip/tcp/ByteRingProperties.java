package io.miragej.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.buffer.PacketBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** TCP's byte ring against a plain model: bytes in order, out-of-order writes, growth, the bound. */
class ByteRingProperties {
    record Op(int kind, int len, int gap) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 9000),
                Arbitraries.integers().between(0, 5000)).as(Op::new).list().ofMaxSize(80);
    }

    @Property
    void keepsEveryByteWhereItWasPutAndNeverHoldsMoreThanItsCapacity(@ForAll("ops") List<Op> ops) {
        int capacity = 20_000;
        ByteRing ring = new ByteRing(capacity);
        byte[] model = new byte[1 << 20]; // by absolute stream position
        long head = 0;
        long tail = 0;
        byte next = 1;
        for (Op op : ops) {
            switch (op.kind()) {
                case 0 -> { // append in order
                    byte[] b = new byte[op.len()];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = next++;
                    }
                    int n = ring.append(b, 0, b.length);
                    assertEquals(Math.min(b.length, capacity - (int) (tail - head)), n);
                    System.arraycopy(b, 0, model, (int) tail, n);
                    tail += n;
                }
                case 1 -> { // out-of-order data past the tail, then made readable as a hole fills
                    int size = (int) (tail - head);
                    int gap = Math.min(op.gap(), capacity - size);
                    int len = Math.min(op.len(), capacity - size - gap);
                    byte[] b = new byte[gap + len];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = next++;
                    }
                    ring.writeAt(size + gap, PacketBuffer.wrap(b), gap, len);
                    ring.writeAt(size, PacketBuffer.wrap(b), 0, gap);
                    ring.grow(gap + len);
                    System.arraycopy(b, 0, model, (int) tail, b.length);
                    tail += b.length;
                }
                case 2 -> { // read
                    byte[] out = new byte[op.len()];
                    int n = ring.read(out, 0, out.length);
                    assertEquals(Math.min(out.length, (int) (tail - head)), n);
                    for (int i = 0; i < n; i++) {
                        assertEquals(model[(int) head + i], out[i], "byte " + (head + i));
                    }
                    head += n;
                }
                default -> { // peek into a packet, then consume
                    int n = (int) Math.min(op.len(), tail - head);
                    PacketBuffer p = PacketBuffer.allocate(n);
                    ring.copyTo(0, p, 0, n);
                    byte[] expected = new byte[n];
                    System.arraycopy(model, (int) head, expected, 0, n);
                    assertArrayEquals(expected, p.toByteArray());
                    ring.consume(n);
                    head += n;
                }
            }
            assertEquals(tail - head, ring.size());
            assertTrue(ring.allocated() <= capacity, "memory within the bound: " + ring.allocated());
            if (tail > model.length - 40_000) {
                return;
            }
        }
    }

    @Test
    void memoryGrowsWithWhatIsHeldNotWithTheCapacity() {
        ByteRing ring = new ByteRing(4 << 20);
        assertEquals(ByteRing.INITIAL, ring.allocated(), "an idle ring costs a few KiB");
        byte[] chunk = new byte[1000];
        for (int i = 0; i < 100; i++) {
            ring.append(chunk, 0, chunk.length);
            ring.read(chunk, 0, chunk.length);
        }
        assertEquals(ByteRing.INITIAL, ring.allocated(), "a small flow through it needs no more");
        for (int i = 0; i < 5000; i++) {
            ring.append(chunk, 0, chunk.length);
        }
        assertEquals(4 << 20, ring.capacity());
        assertEquals(4 << 20, ring.allocated(), "grown to the bound, never past it");
        assertEquals(4 << 20, ring.size() + ring.free());
    }
}
