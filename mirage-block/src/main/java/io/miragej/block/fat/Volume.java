package io.miragej.block.fat;

import io.miragej.block.internal.ByteIo;
import io.miragej.device.Block;
import java.io.IOException;

/** A mounted volume's device, geometry and table, with cluster-level I/O. */
final class Volume {
    final Block device;
    final BootSector bs;
    final FatTable fat;

    Volume(Block device, BootSector bs) {
        this.device = device;
        this.bs = bs;
        this.fat = new FatTable(device, bs);
    }

    /**
     * Makes the table and everything written so far durable: what is new must be on the disk
     * before anything points at it, so a power cut never leaves a reachable link to a free or
     * unwritten cluster.
     */
    void barrier() throws IOException {
        fat.writeBack();
        device.flush();
    }

    long clusterOffset(long cluster) {
        return (bs.firstDataSector() + (cluster - 2) * bs.sectorsPerCluster()) * bs.bytesPerSector();
    }

    void readCluster(long cluster, byte[] dst, int off) throws IOException {
        ByteIo.read(device, clusterOffset(cluster), dst, off, bs.clusterBytes());
    }

    void zeroCluster(long cluster) throws IOException {
        byte[] zero = new byte[bs.clusterBytes()];
        ByteIo.write(device, clusterOffset(cluster), zero, 0, zero.length);
    }

    /** Writes {@code len} bytes at {@code offsetInCluster} of {@code cluster}. */
    void write(long cluster, int offsetInCluster, byte[] src, int off, int len) throws IOException {
        ByteIo.write(device, clusterOffset(cluster) + offsetInCluster, src, off, len);
    }

    /** Reads {@code len} bytes at {@code offsetInCluster} of {@code cluster} and the clusters after it on disk. */
    void read(long cluster, int offsetInCluster, byte[] dst, int off, int len) throws IOException {
        ByteIo.read(device, clusterOffset(cluster) + offsetInCluster, dst, off, len);
    }
}
