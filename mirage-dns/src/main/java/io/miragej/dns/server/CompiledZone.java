package io.miragej.dns.server;

import io.miragej.dns.zone.Zone;

/** A zone as the server holds it: the zone itself and its apex node. */
final class CompiledZone {
    final Zone zone;
    Node apex;

    CompiledZone(Zone zone) {
        this.zone = zone;
    }
}
