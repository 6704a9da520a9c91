package io.miragej.buffer.bench;

import io.miragej.buffer.PacketBuffer;
import io.miragej.buffer.PacketPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the packet path does to every frame: take a pooled native buffer, read header fields,
 * prepend and write a header, give the buffer back. Run with {@code bench/jmh.sh mirage-types -prof
 * gc PacketBuffer}: gc.alloc.rate.norm should be ~0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PacketBufferBenchmark {
    private PacketPool pool;

    @Setup
    public void setup() {
        pool = PacketPool.nativePool(64, 2048, 128);
    }

    @Benchmark
    public long parseAndRewriteHeaders() {
        PacketBuffer b = pool.acquire();
        b.extend(1400);
        long sum = b.getU16(12) + b.getU32(26) + b.getU32(30) + b.getU16(34) + b.getU16(36);
        b.advance(14);
        b.prepend(14).setU16(12, 0x0800).setU32(6, sum).setU16(10, 0x0102);
        sum += b.length();
        b.release();
        return sum;
    }
}
