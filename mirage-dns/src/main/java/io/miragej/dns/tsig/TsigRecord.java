package io.miragej.dns.tsig;

import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Name;
import io.miragej.dns.NameCodec;
import io.miragej.dns.RrClass;
import io.miragej.dns.RrType;

/**
 * A TSIG record (RFC 8945 §4.2) as found at the end of a message, with where it starts: the MAC
 * covers the message up to {@link #start}.
 *
 * @param start offset of the TSIG record in the message (the message without it ends there)
 * @param timeSigned seconds since 1970 (48 bits)
 * @param error the TSIG error field (0, or {@link Tsig#BADSIG} and the like)
 */
public record TsigRecord(int start, Name keyName, Name algorithm, long timeSigned, int fudge, byte[] mac,
        int originalId, int error, byte[] otherData) {
    /** Bytes of the fixed fields of the RDATA after the algorithm name, without MAC and other data. */
    static final int FIXED = 6 + 2 + 2 + 2 + 2 + 2;

    /**
     * The TSIG record of {@code msg[0, length)}, or null when it has none.
     *
     * @throws DnsFormatException when the message is malformed, or holds a TSIG record that is not
     *     the last record of the additional section, not of class ANY with TTL 0, or whose RDATA
     *     does not parse exactly (RFC 8945 §5.2: FORMERR)
     */
    public static TsigRecord find(byte[] msg, int length) throws DnsFormatException {
        if (length < 12 || length > msg.length) {
            throw new DnsFormatException("a message is at least 12 bytes, got " + length);
        }
        byte[] scratch = new byte[Name.MAX_LENGTH];
        int qd = u16(msg, 4);
        int records = u16(msg, 6) + u16(msg, 8) + u16(msg, 10);
        int p = 12;
        for (int i = 0; i < qd; i++) {
            int r = NameCodec.decode(msg, length, p, scratch);
            if (r < 0) {
                throw new DnsFormatException(NameCodec.describe(r));
            }
            p = NameCodec.end(r) + 4;
            if (p > length) {
                throw new DnsFormatException("a question runs past the end of the message");
            }
        }
        for (int i = 0; i < records; i++) {
            int start = p;
            int r = NameCodec.decode(msg, length, p, scratch);
            if (r < 0) {
                throw new DnsFormatException(NameCodec.describe(r));
            }
            p = NameCodec.end(r);
            if (p + 10 > length) {
                throw new DnsFormatException("a record runs past the end of the message");
            }
            int type = u16(msg, p);
            int rdlength = u16(msg, p + 8);
            int rdata = p + 10;
            if (rdata + rdlength > length) {
                throw new DnsFormatException("RDATA runs past the end of the message");
            }
            p = rdata + rdlength;
            if (type != RrType.TSIG) {
                continue;
            }
            if (i != records - 1 || u16(msg, 10) == 0) {
                throw new DnsFormatException("a TSIG record that is not the last of the additional section (RFC 8945 §5.1)");
            }
            if (u16(msg, p - rdlength - 8) != RrClass.ANY || u32(msg, p - rdlength - 6) != 0) {
                throw new DnsFormatException("a TSIG record of class other than ANY or TTL other than 0");
            }
            Name key = Name.fromWire(scratch, 0, NameCodec.length(r));
            return rdata(msg, start, key, rdata, rdlength, scratch);
        }
        return null;
    }

    private static TsigRecord rdata(byte[] msg, int start, Name key, int at, int rdlength, byte[] scratch)
            throws DnsFormatException {
        int end = at + rdlength;
        int r = NameCodec.decode(msg, end, at, scratch);
        if (r < 0) {
            throw new DnsFormatException("TSIG algorithm name: " + NameCodec.describe(r));
        }
        Name algorithm = Name.fromWire(scratch, 0, NameCodec.length(r));
        int p = NameCodec.end(r);
        if (p + 10 > end) {
            throw new DnsFormatException("the TSIG RDATA is cut off");
        }
        long time = ((long) u16(msg, p) << 32) | u32(msg, p + 2);
        int fudge = u16(msg, p + 6);
        int macSize = u16(msg, p + 8);
        p += 10;
        if (p + macSize + 6 > end) {
            throw new DnsFormatException("the TSIG MAC runs past the RDATA");
        }
        byte[] mac = java.util.Arrays.copyOfRange(msg, p, p + macSize);
        p += macSize;
        int originalId = u16(msg, p);
        int error = u16(msg, p + 2);
        int otherLength = u16(msg, p + 4);
        p += 6;
        if (p + otherLength != end) {
            throw new DnsFormatException("the TSIG other data does not end the RDATA");
        }
        byte[] other = java.util.Arrays.copyOfRange(msg, p, end);
        return new TsigRecord(start, key, algorithm, time, fudge, mac, originalId, error, other);
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }

    /** The Other Data of a BADTIME response: the server's time, or -1 when it holds none. */
    public long serverTime() {
        if (otherData.length != 6) {
            return -1;
        }
        return ((long) u16(otherData, 0) << 32) | u32(otherData, 2);
    }
}
