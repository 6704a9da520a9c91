package io.miragej.dns;

/**
 * A resource record (RFC 1035 §3.2.1): owner name, class, TTL and typed data.
 *
 * @param ttl seconds, 0 to 2^32-1 as on the wire (RFC 2181 §8 reads values over 2^31-1 as 0)
 */
public record Record(Name owner, int rrClass, long ttl, Rdata rdata) {
    public Record {
        if (owner == null || rdata == null) {
            throw new NullPointerException("owner and rdata are required");
        }
        if (rrClass < 0 || rrClass > 0xffff || ttl < 0 || ttl > 0xffff_ffffL) {
            throw new IllegalArgumentException("class " + rrClass + " or TTL " + ttl + " out of range");
        }
    }

    /** An IN-class record. */
    public static Record of(Name owner, long ttl, Rdata rdata) {
        return new Record(owner, RrClass.IN, ttl, rdata);
    }

    /** An IN-class record from presentation text, like {@code of("www.example.", 300, A, "192.0.2.1")}. */
    public static Record of(String owner, long ttl, int type, String rdata) {
        Name o = Name.of(owner);
        return new Record(o, RrClass.IN, ttl, Rdata.parse(type, rdata, o));
    }

    public int type() {
        return rdata.type();
    }

    /** The same record with another TTL. */
    public Record withTtl(long newTtl) {
        return new Record(owner, rrClass, newTtl, rdata);
    }

    /** The same record with another owner (wildcard synthesis, RFC 4592 §3.3.1). */
    public Record withOwner(Name newOwner) {
        return new Record(newOwner, rrClass, ttl, rdata);
    }

    /** Writes the record, compressing its owner and, where the type allows, names in its data. */
    public void write(DnsWriter w) {
        w.name(owner, true);
        w.u16(rdata.type()).u16(rrClass).u32(ttl);
        int lengthAt = w.position();
        w.u16(0);
        rdata.write(w);
        w.setU16(lengthAt, w.position() - lengthAt - 2);
    }

    /** Zone file form: {@code owner TTL CLASS TYPE data}. */
    @Override
    public String toString() {
        return owner + "\t" + ttl + "\t" + RrClass.toString(rrClass) + "\t" + RrType.toString(type())
                + "\t" + rdata;
    }
}
