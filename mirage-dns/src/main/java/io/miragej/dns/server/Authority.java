package io.miragej.dns.server;

import io.miragej.dns.Name;
import io.miragej.dns.zone.Zone;
import java.util.List;

/**
 * An immutable snapshot of every zone the server answers for, compiled into its lookup table.
 * The server swaps snapshots atomically, so a reload never drops or mixes queries.
 */
public final class Authority {
    final NameTable table;
    final List<CompiledZone> compiled;
    final int maxUdpPayload;

    Authority(NameTable table, List<CompiledZone> compiled, int maxUdpPayload) {
        this.table = table;
        this.compiled = compiled;
        this.maxUdpPayload = maxUdpPayload;
    }

    /** Compiles {@code zones}; UDP answers grow to at most {@code maxUdpPayload} bytes. */
    public static Authority of(List<Zone> zones, int maxUdpPayload) {
        return Compiler.compile(zones, maxUdpPayload);
    }

    public List<Zone> zones() {
        return compiled.stream().map(c -> c.zone).toList();
    }

    /** The zone whose apex is {@code apex}, or null. */
    public Zone zone(Name apex) {
        for (CompiledZone c : compiled) {
            if (c.zone.name().equals(apex)) {
                return c.zone;
            }
        }
        return null;
    }

    /** Number of names in the lookup table (empty non-terminals included). */
    public int names() {
        return table.size();
    }
}
