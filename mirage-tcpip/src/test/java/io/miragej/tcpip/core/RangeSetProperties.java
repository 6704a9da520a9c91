package io.miragej.tcpip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RangeSetProperties {
    record Op(int start, int len, int shift) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 300), Arbitraries.integers().between(0, 40),
                Arbitraries.integers().between(0, 30).injectNull(0.7).map(s -> s == null ? 0 : s))
                .as(Op::new).list().ofMaxSize(60);
    }

    /** The set agrees with a bit set model, and stays sorted, disjoint and non-adjacent. */
    @Property
    void behavesLikeABitSet(@ForAll("ops") List<Op> ops) {
        RangeSet set = new RangeSet(8);
        BitSet model = new BitSet();
        for (Op op : ops) {
            BitSet attempt = (BitSet) model.clone();
            attempt.set(op.start(), op.start() + op.len());
            boolean added = set.add(op.start(), op.start() + op.len());
            if (added) {
                model = attempt;
            } else {
                assertEquals(8, set.size(), "refused only when full");
            }
            if (op.shift() > 0) {
                set.shift(op.shift());
                model = model.get(op.shift(), Math.max(op.shift(), model.length()));
            }
            check(set, model);
        }
    }

    private static void check(RangeSet set, BitSet model) {
        BitSet actual = new BitSet();
        for (int i = 0; i < set.size(); i++) {
            assertTrue(set.start(i) < set.end(i));
            if (i > 0) {
                assertTrue(set.end(i - 1) < set.start(i), "disjoint and not touching: " + set);
            }
            actual.set(set.start(i), set.end(i));
        }
        assertEquals(model, actual);
        assertEquals(model.get(0) ? model.nextClearBit(0) : 0, set.contiguousFromZero());
    }

    @Test
    void refusesANewRangeWhenFullButStillMerges() {
        RangeSet s = new RangeSet(2);
        assertTrue(s.add(0, 10));
        assertTrue(s.add(20, 30));
        assertFalse(s.add(40, 50));
        assertTrue(s.add(10, 20), "joining two ranges needs no new slot");
        assertEquals(1, s.size());
        assertEquals(30, s.contiguousFromZero());
        assertTrue(s.covers(5, 25));
        assertTrue(s.intersects(29, 31));
        assertFalse(s.intersects(30, 31));
    }

    @Test
    void mostRecentIsTheRangeHoldingTheLastAddition() {
        RangeSet s = new RangeSet(4);
        s.add(10, 20);
        s.add(30, 40);
        assertEquals(1, s.mostRecent());
        s.add(5, 10);
        assertEquals(0, s.mostRecent());
    }
}
