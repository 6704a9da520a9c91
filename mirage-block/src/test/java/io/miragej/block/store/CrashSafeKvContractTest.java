package io.miragej.block.store;

import io.miragej.block.MemoryBlock;
import io.miragej.kv.ReadWriteKv;
import io.miragej.testkit.ReadWriteKvContract;

/** The key-value contract on the crash-safe store. */
class CrashSafeKvContractTest extends ReadWriteKvContract {
    @Override
    protected ReadWriteKv emptyStore() throws Exception {
        return CrashSafeKv.format(MemoryBlock.ofSize(1L << 20), StoreTestSupport.CLOCK);
    }
}
