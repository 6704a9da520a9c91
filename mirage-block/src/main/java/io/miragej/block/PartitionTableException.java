package io.miragej.block;

import java.io.IOException;

/** A partition table that cannot be trusted: what is wrong with it, and where. */
public final class PartitionTableException extends IOException {
    private static final long serialVersionUID = 1L;

    public PartitionTableException(String message) {
        super(message);
    }
}
