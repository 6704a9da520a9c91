/**
 * Block storage over the {@link io.miragej.device.Block} signature: devices in memory, views,
 * slices, partition tables, a fault-injecting test device, the FAT file system, a tar archive
 * store and a crash-safe key-value store.
 */
module io.miragej.block {
    requires transitive io.miragej.types;

    exports io.miragej.block;
    exports io.miragej.block.fat;
    exports io.miragej.block.tar;
    exports io.miragej.block.store;
}
