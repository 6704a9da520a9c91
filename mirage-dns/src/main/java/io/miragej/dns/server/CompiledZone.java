package io.miragej.dns.server;

import io.miragej.dns.zone.Zone;

/** A zone as the server holds it: the zone itself and its NSEC or NSEC3 chain. */
final class CompiledZone {
    final Zone zone;
    /** Null for a zone without NSEC or NSEC3 records. */
    final Proofs proofs;

    CompiledZone(Zone zone, Proofs proofs) {
        this.zone = zone;
        this.proofs = proofs;
    }
}
