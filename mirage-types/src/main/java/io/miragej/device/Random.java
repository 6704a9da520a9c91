package io.miragej.device;

/**
 * Random bytes. Backends give cryptographically strong randomness (TCP initial sequence numbers,
 * DNS query ids and ports depend on it); simulations give a reproducible stream from a seed.
 * Safe from any thread.
 */
public interface Random {
    /** Fills {@code bytes[offset, offset+length)}. */
    void nextBytes(byte[] bytes, int offset, int length);

    default long nextLong() {
        byte[] b = new byte[8];
        nextBytes(b, 0, 8);
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    default int nextInt() {
        return (int) nextLong();
    }

    /** Uniform in [0, bound). */
    default int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long limit = (1L << 32) - ((1L << 32) % bound);
        while (true) {
            long v = nextInt() & 0xffff_ffffL;
            if (v < limit) {
                return (int) (v % bound);
            }
        }
    }
}
