package io.miragej.block.fat;

import io.miragej.block.MemoryBlock;
import io.miragej.kv.ReadWriteKv;
import io.miragej.testkit.ReadWriteKvContract;

/** The key-value contract on a FAT12 volume. */
class Fat12KvContractTest extends ReadWriteKvContract {
    @Override
    protected ReadWriteKv emptyStore() throws Exception {
        return FatFileSystem.format(MemoryBlock.ofSize(4L << 20), FatFormat.defaults().withType(FatType.FAT12),
                FatTestSupport.CLOCK);
    }
}
