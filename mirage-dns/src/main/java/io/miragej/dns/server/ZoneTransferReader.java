package io.miragej.dns.server;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.zone.Zone;
import io.miragej.dns.zone.ZoneException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the messages of an incoming zone transfer (RFC 5936 §2.2): they must answer the query
 * asked (its ID; the question in the first), have RCODE NOERROR, start with the zone's SOA and end
 * at the second copy of it. Bounded: at most {@link #MAX_RECORDS} records.
 */
public final class ZoneTransferReader {
    public static final int MAX_RECORDS = 5_000_000;

    private final Name zone;
    private final int id;
    private final List<Record> records = new ArrayList<>();
    private Record soa;
    private boolean complete;
    private boolean first = true;

    private final int maxRecords;

    public ZoneTransferReader(Name zone, int id) {
        this(zone, id, MAX_RECORDS);
    }

    /** A reader that refuses transfers of more than {@code maxRecords} records. */
    public ZoneTransferReader(Name zone, int id, int maxRecords) {
        this.zone = zone;
        this.id = id;
        this.maxRecords = maxRecords;
    }

    /**
     * Takes the next message.
     *
     * @throws ZoneException when it is not a valid part of the transfer
     */
    public void accept(Message m) throws ZoneException {
        if (complete) {
            throw problem("a message after the transfer ended");
        }
        if (!m.isResponse() || m.id() != id) {
            throw problem("a message that does not answer the transfer query (ID " + m.id() + ")");
        }
        if (m.rcode() != Rcode.NOERROR) {
            throw problem("the primary answered " + Rcode.toString(m.rcode()));
        }
        if (first && !m.questions().isEmpty() && !m.question().name().equals(zone)) {
            throw problem("the first message asks about " + m.question().name());
        }
        for (Record r : m.answers()) {
            if (complete) {
                throw problem("records after the closing SOA");
            }
            if (soa == null) {
                if (r.type() != RrType.SOA || !r.owner().equals(zone)) {
                    throw problem("the transfer does not start with the SOA of " + zone);
                }
                soa = r;
                records.add(r);
                continue;
            }
            if (r.type() == RrType.SOA && r.owner().equals(zone)) {
                if (!r.rdata().equals(soa.rdata())) {
                    throw problem("the closing SOA differs from the opening one (the zone changed during the transfer)");
                }
                complete = true;
                continue;
            }
            if (records.size() >= maxRecords) {
                throw problem("more than " + maxRecords + " records");
            }
            records.add(r);
        }
        if (first && soa == null) {
            throw problem("the first message holds no SOA");
        }
        first = false;
    }

    public boolean complete() {
        return complete;
    }

    /** The zone received, checked as any zone is. */
    public Zone zone() throws ZoneException {
        if (!complete) {
            throw problem("the transfer did not end with the zone's SOA");
        }
        return Zone.of(records);
    }

    private ZoneException problem(String what) {
        return new ZoneException(null, 0, "zone transfer of " + zone + ": " + what);
    }
}
