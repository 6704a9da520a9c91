package io.miragej.device;

import java.io.IOException;

/** A block request that the device could not carry out, and why. */
public final class BlockException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a request failed. */
    public enum Reason {
        /** The device refuses writes. */
        READ_ONLY,
        /** The device reported an error reading or writing, or is gone. */
        IO,
        /** The device was closed. */
        CLOSED
    }

    private final Reason reason;

    public BlockException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BlockException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
