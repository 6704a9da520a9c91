package io.miragej.dns.server;

import io.miragej.dns.Name;

/**
 * One name of a served zone with everything needed to answer for it, prepared ahead of time (and
 * then laid out by {@link NameTable.Builder}, which is what the responder reads): an
 * answer per type present, one for any other type (NODATA, or the end of a CNAME chain), one for
 * ANY, and, for names below it that do not exist, what to say instead (NXDOMAIN, a referral, or
 * the wildcard child whose answers are synthesized, RFC 4592).
 */
final class Node {
    final Name name;
    /** Index of the zone in the compilation, for its NSEC or NSEC3 chain. */
    final int zone;
    /** Types with their own answer, ascending; parallel to {@link #typed}. */
    int[] types = new int[0];
    Answer[] typed = new Answer[0];
    /** For a type not in {@link #types}. */
    Answer otherwise;
    /** For a wildcard node asked for by its own name, a type it lacks (no synthesis to prove). */
    Answer literalOtherwise;
    /** For QTYPE ANY (RFC 8482: one RRset). */
    Answer any;
    /** For a name below this one that does not exist, when {@link #wildcard} is null. */
    Answer below;
    /** The {@code *} child, whose answers are synthesized for names below this one. */
    Node wildcard;
    /** The DNAME here, which rewrites every name below this one (RFC 6672), or null. */
    Dname dname;

    /**
     * A prebuilt DNAME RRset (anchored at the DNAME's owner) and where its target name sits in
     * those bytes, for the CNAME synthesized per query.
     */
    record Dname(Answer answer, int targetOffset, int targetLength, long ttl) {}

    Node(Name name, int zone) {
        this.name = name;
        this.zone = zone;
    }

    /** The first type and its answer, copied here so most lookups stop at the node. */
    int firstType = -1;
    Answer firstAnswer;

    void setTyped(int[] t, Answer[] a) {
        types = t;
        typed = a;
        firstType = t.length > 0 ? t[0] : -1;
        firstAnswer = t.length > 0 ? a[0] : null;
    }
}
