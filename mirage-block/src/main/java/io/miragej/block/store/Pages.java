package io.miragej.block.store;

import io.miragej.block.internal.ByteIo;
import java.util.zip.CRC32C;

/** Checksums and self-identification shared by every kind of page. */
final class Pages {
    private Pages() {}

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /** Writes the page's checksum into its last four bytes. */
    static void seal(byte[] b) {
        ByteIo.put32(b, b.length - 4, crc(b, 0, b.length - 4) & 0xFFFF_FFFFL);
    }

    /** The CRC-32C a parent records for a whole page (including its own checksum). */
    static int refCrc(byte[] b) {
        return crc(b, 0, b.length);
    }

    /**
     * Checks a metadata page read from {@code page} against the CRC-32C its parent recorded, its
     * own checksum, magic and page number.
     */
    static void check(byte[] b, long page, int expectedCrc, String what) throws StoreCorruptException {
        if (refCrc(b) != expectedCrc) {
            throw new StoreCorruptException(what + " at page " + page + " does not match the checksum its parent"
                    + " recorded: the page is damaged or was lost");
        }
        if (crc(b, 0, b.length - 4) != (int) ByteIo.u32(b, b.length - 4) || ByteIo.u16(b, 0) != Node.MAGIC
                || ByteIo.u64(b, 8) != page) {
            throw new StoreCorruptException(what + " at page " + page + " fails its own checks");
        }
    }
}
