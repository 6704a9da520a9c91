package io.miragej.block.fat;

import io.miragej.block.MemoryBlock;
import io.miragej.kv.ReadWriteKv;
import io.miragej.testkit.ReadWriteKvContract;

/** The key-value contract on a FAT16 volume. */
class Fat16KvContractTest extends ReadWriteKvContract {
    @Override
    protected ReadWriteKv emptyStore() throws Exception {
        return FatFileSystem.format(MemoryBlock.ofSize(16L << 20), FatFormat.defaults().withType(FatType.FAT16),
                FatTestSupport.CLOCK);
    }
}
