package io.miragej.block.store;

import io.miragej.block.internal.ByteIo;
import java.nio.charset.StandardCharsets;

/**
 * One of the two superblocks, each in the first device sector of pages 0 and 1: the generation
 * of the commit that wrote it and the root of that commit's tree. The valid one with the higher
 * generation is the store's state; a commit of generation g writes slot g % 2.
 *
 * <p>Layout: "MJKVSTR1", version u32, page size u32, page count u64, generation u64, root page
 * u64 (0: empty), root CRC u32, value count u64, then a CRC-32C of bytes 0-59 at 60.
 */
record Superblock(long generation, int pageSize, long pageCount, long rootPage, int rootCrc, long values) {
    static final String MAGIC = "MJKVSTR1";
    static final int VERSION = 1;
    static final int SIZE = 64;

    Node.Ref root() {
        return rootPage == 0 ? null : new Node.Ref(rootPage, rootCrc);
    }

    byte[] encode(int sectorSize) {
        byte[] b = new byte[sectorSize];
        System.arraycopy(MAGIC.getBytes(StandardCharsets.US_ASCII), 0, b, 0, 8);
        ByteIo.put32(b, 8, VERSION);
        ByteIo.put32(b, 12, pageSize);
        ByteIo.put64(b, 16, pageCount);
        ByteIo.put64(b, 24, generation);
        ByteIo.put64(b, 32, rootPage);
        ByteIo.put32(b, 40, rootCrc & 0xFFFF_FFFFL);
        ByteIo.put64(b, 44, values);
        ByteIo.put32(b, 60, Pages.crc(b, 0, 60) & 0xFFFF_FFFFL);
        return b;
    }

    static boolean hasMagic(byte[] b) {
        return ByteIo.startsWith(b, 0, MAGIC);
    }

    /** The superblock in {@code b}, or null when it is missing or fails its checks. */
    static Superblock decode(byte[] b) {
        if (b.length < SIZE || !hasMagic(b) || Pages.crc(b, 0, 60) != (int) ByteIo.u32(b, 60)
                || ByteIo.u32(b, 8) != VERSION) {
            return null;
        }
        long pageSize = ByteIo.u32(b, 12);
        long pageCount = ByteIo.u64(b, 16);
        long root = ByteIo.u64(b, 32);
        if (pageSize < 512 || pageSize > (1 << 16) || Long.bitCount(pageSize) != 1 || pageCount < 4
                || root == 1 || (root != 0 && (root < 2 || root >= pageCount))) {
            return null;
        }
        return new Superblock(ByteIo.u64(b, 24), (int) pageSize, pageCount, root, (int) ByteIo.u32(b, 40), ByteIo.u64(b, 44));
    }
}
