package io.miragej.block.fat;

import io.miragej.block.MemoryBlock;
import io.miragej.kv.ReadWriteKv;
import io.miragej.testkit.ReadWriteKvContract;

/** The key-value contract on a FAT32 volume. */
class Fat32KvContractTest extends ReadWriteKvContract {
    @Override
    protected ReadWriteKv emptyStore() throws Exception {
        return FatFileSystem.format(MemoryBlock.ofSize(40L << 20), FatFormat.defaults().withType(FatType.FAT32).withSectorsPerCluster(1),
                FatTestSupport.CLOCK);
    }
}
