package io.miragej.dns.zone;

import io.miragej.dns.Name;
import io.miragej.dns.Rdata;
import io.miragej.dns.Record;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * A zone's records kept as one byte array in wire form, decoded when asked for: a 10,000-name
 * zone of A records takes about 25 bytes a record here against about 140 as objects (a record,
 * its data, its owner and their arrays), and a server holds its zones for as long as it runs.
 *
 * <p>Each record is {@code owner, type u16, class u16, TTL u32, RDLENGTH u16, RDATA}. An owner
 * whose wire bytes end with the apex's exact bytes (case included) is written as its labels above
 * the apex, {@code [0][length][labels]}; any other as {@code [1][length][whole name]}. Every
 * owner is inside the zone (the checker saw to it), so nearly all take the short form.
 */
final class PackedRecords extends AbstractList<Record> implements RandomAccess {
    private static final int RELATIVE = 0;
    private static final int WHOLE = 1;

    private final byte[] apex;
    private final byte[] image;
    private final int[] starts;

    PackedRecords(Name apex, List<Record> records) {
        this.apex = apex.toWire();
        starts = new int[records.size()];
        int size = 0;
        for (Record r : records) {
            size += 2 + r.owner().wireLength() + 10 + r.rdata().length();
        }
        byte[] out = new byte[size];
        int p = 0;
        for (int i = 0; i < starts.length; i++) {
            Record r = records.get(i);
            starts[i] = p;
            byte[] owner = r.owner().toWire();
            int prefix = owner.length - this.apex.length;
            if (prefix >= 0 && Arrays.equals(owner, prefix, owner.length, this.apex, 0, this.apex.length)) {
                out[p++] = RELATIVE;
                out[p++] = (byte) prefix;
                System.arraycopy(owner, 0, out, p, prefix);
                p += prefix;
            } else {
                out[p++] = WHOLE;
                out[p++] = (byte) owner.length;
                System.arraycopy(owner, 0, out, p, owner.length);
                p += owner.length;
            }
            byte[] data = r.rdata().toWire();
            p = putU16(out, p, r.type());
            p = putU16(out, p, r.rrClass());
            p = putU16(out, p, (int) (r.ttl() >>> 16));
            p = putU16(out, p, (int) r.ttl());
            p = putU16(out, p, data.length);
            System.arraycopy(data, 0, out, p, data.length);
            p += data.length;
        }
        image = p == size ? out : Arrays.copyOf(out, p);
    }

    @Override
    public int size() {
        return starts.length;
    }

    @Override
    public Record get(int index) {
        int p = starts[index]; // bounds checked by the array
        int kind = image[p];
        int length = image[p + 1] & 0xff;
        p += 2;
        Name owner;
        if (kind == RELATIVE) {
            byte[] wire = new byte[length + apex.length];
            System.arraycopy(image, p, wire, 0, length);
            System.arraycopy(apex, 0, wire, length, apex.length);
            owner = Name.fromWire(wire, 0, wire.length);
        } else {
            owner = Name.fromWire(image, p, length);
        }
        p += length;
        int type = u16(p);
        int rrClass = u16(p + 2);
        long ttl = ((long) u16(p + 4) << 16) | u16(p + 6);
        int rdLength = u16(p + 8);
        p += 10;
        return new Record(owner, rrClass, ttl, Rdata.of(type, Arrays.copyOfRange(image, p, p + rdLength)));
    }

    private int u16(int p) {
        return ((image[p] & 0xff) << 8) | (image[p + 1] & 0xff);
    }

    private static int putU16(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
        return p + 2;
    }
}
