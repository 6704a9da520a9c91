package io.miragej.tcpip.tcp;

/**
 * Connections by (local address, local port, remote address, remote port): an open-addressing
 * hash table with linear probing and backward-shift deletion, so lookups on the packet path
 * allocate nothing. Its capacity is fixed at twice the connection bound.
 */
final class ConnectionTable {
    private final TcpConnection[] slots;
    private final int mask;
    private int size;

    ConnectionTable(int maxConnections) {
        int cap = Integer.highestOneBit(Math.max(4, maxConnections) * 2 - 1) << 1;
        slots = new TcpConnection[cap];
        mask = cap - 1;
    }

    int size() {
        return size;
    }

    private static int hash(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow,
            int remotePort) {
        long h = localLow * 0x9E3779B97F4A7C15L;
        h ^= remoteLow * 0xC2B2AE3D27D4EB4FL;
        h ^= (localHigh ^ Long.rotateLeft(remoteHigh, 17)) * 0x165667B19E3779F9L;
        h ^= ((long) localPort << 16 | remotePort) * 0xD6E8FEB86659FD93L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    TcpConnection find(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow, int remotePort) {
        int i = hash(localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort) & mask;
        while (true) {
            TcpConnection c = slots[i];
            if (c == null) {
                return null;
            }
            if (c.remotePort == remotePort && c.localPort == localPort && c.remoteLow == remoteLow
                    && c.localLow == localLow && c.remoteHigh == remoteHigh && c.localHigh == localHigh) {
                return c;
            }
            i = (i + 1) & mask;
        }
    }

    void put(TcpConnection c) {
        int i = hash(c.localHigh, c.localLow, c.localPort, c.remoteHigh, c.remoteLow, c.remotePort) & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = c;
        c.tableIndex = i;
        size++;
    }

    void remove(TcpConnection c) {
        int i = c.tableIndex;
        if (i < 0 || slots[i] != c) {
            return;
        }
        slots[i] = null;
        c.tableIndex = -1;
        size--;
        // Backward-shift: move later entries of the probe run into the gap when that keeps them
        // reachable from their home slot.
        int gap = i;
        int j = (i + 1) & mask;
        while (slots[j] != null) {
            TcpConnection x = slots[j];
            int home = hash(x.localHigh, x.localLow, x.localPort, x.remoteHigh, x.remoteLow, x.remotePort) & mask;
            boolean movable = gap <= j ? (home <= gap || home > j) : (home <= gap && home > j);
            if (movable) {
                slots[gap] = x;
                x.tableIndex = gap;
                slots[j] = null;
                gap = j;
            }
            j = (j + 1) & mask;
        }
    }
}
