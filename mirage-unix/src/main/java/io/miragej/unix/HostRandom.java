package io.miragej.unix;

import io.miragej.device.Random;
import java.security.SecureRandom;

/**
 * The host's cryptographically strong random source, made on first use: a program that never
 * asks for randomness does not load the JDK's security providers (about 100 classes).
 */
public final class HostRandom implements Random {
    private volatile SecureRandom random;

    private SecureRandom random() {
        SecureRandom r = random;
        if (r == null) {
            synchronized (this) {
                r = random;
                if (r == null) {
                    r = new SecureRandom();
                    random = r;
                }
            }
        }
        return r;
    }

    @Override
    public void nextBytes(byte[] bytes, int offset, int length) {
        if (offset == 0 && length == bytes.length) {
            random().nextBytes(bytes);
            return;
        }
        byte[] tmp = new byte[length];
        random().nextBytes(tmp);
        System.arraycopy(tmp, 0, bytes, offset, length);
    }

    @Override
    public long nextLong() {
        return random().nextLong();
    }
}
