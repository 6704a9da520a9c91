package io.miragej.unix;

import io.miragej.device.Random;
import java.security.SecureRandom;

/** The host's cryptographically strong random source. */
public final class HostRandom implements Random {
    private final SecureRandom random = new SecureRandom();

    @Override
    public void nextBytes(byte[] bytes, int offset, int length) {
        if (offset == 0 && length == bytes.length) {
            random.nextBytes(bytes);
            return;
        }
        byte[] tmp = new byte[length];
        random.nextBytes(tmp);
        System.arraycopy(tmp, 0, bytes, offset, length);
    }

    @Override
    public long nextLong() {
        return random.nextLong();
    }
}
