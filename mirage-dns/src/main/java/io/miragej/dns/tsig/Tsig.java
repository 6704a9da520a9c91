package io.miragej.dns.tsig;

import io.miragej.dns.Name;
import io.miragej.dns.RrClass;
import io.miragej.dns.RrType;
import java.util.function.Function;

/**
 * TSIG (RFC 8945), sans-IO: the server's check of a signed request (§5.2) and the error records of
 * §5.3.2. Signing and verifying a conversation (request, response, the messages of a transfer) is
 * {@link TsigSession}'s job. The time is always a parameter, in seconds since 1970.
 */
public final class Tsig {
    private Tsig() {}

    /** TSIG error field values (RFC 8945 §3); the RCODE of such a response is NOTAUTH. */
    public static final int NOERROR = 0;
    public static final int BADSIG = 16;
    public static final int BADKEY = 17;
    public static final int BADTIME = 18;
    public static final int BADTRUNC = 22;
    /** Not a TSIG error field value: the request is malformed, answer FORMERR (RFC 8945 §5.2.2.1). */
    public static final int FORMERR = -1;

    /** Seconds of clock difference allowed (RFC 8945 §10 recommends 300). */
    public static final int DEFAULT_FUDGE = 300;

    public static String errorName(int error) {
        return switch (error) {
            case NOERROR -> "NOERROR";
            case BADSIG -> "BADSIG";
            case BADKEY -> "BADKEY";
            case BADTIME -> "BADTIME";
            case BADTRUNC -> "BADTRUNC";
            case FORMERR -> "FORMERR";
            default -> "TSIG error " + error;
        };
    }

    /**
     * The outcome of checking a signed request.
     *
     * @param error {@link #NOERROR}, {@link #BADKEY}, {@link #BADSIG}, {@link #BADTIME} or {@link
     *     #FORMERR}
     * @param session for NOERROR and BADTIME: the session that signs the response(s); else null
     */
    public record Check(int error, TsigRecord record, TsigKey key, TsigSession session) {
        public boolean ok() {
            return error == NOERROR;
        }
    }

    /**
     * Checks the request {@code msg[0, length)} whose TSIG record is {@code tsig} against the keys
     * known ({@code keys} maps a key name to its key, or null), at time {@code now}: the key
     * (§5.2.1), the MAC and its length (§5.2.2, §5.2.2.1), the time (§5.2.3), in that order.
     */
    public static Check verifyRequest(byte[] msg, TsigRecord tsig, Function<Name, TsigKey> keys, long now) {
        TsigKey key = keys.apply(tsig.keyName());
        if (key == null || !key.algorithm().algorithmName().equals(tsig.algorithm())) {
            return new Check(BADKEY, tsig, null, null);
        }
        TsigAlgorithm a = key.algorithm();
        int size = tsig.mac().length;
        if (size > a.macLength() || size < a.minimumMacLength()) {
            return new Check(FORMERR, tsig, key, null);
        }
        TsigSession check = new TsigSession(key, null);
        byte[] expected = check.digest(msg, tsig.start(), tsig.originalId(), true, true, tsig.timeSigned(),
                tsig.fudge(), tsig.error(), tsig.otherData());
        if (!TsigSession.macMatches(expected, tsig.mac())) {
            return new Check(BADSIG, tsig, key, null);
        }
        TsigSession answer = new TsigSession(key, tsig.mac());
        if (Math.abs(now - tsig.timeSigned()) > tsig.fudge()) {
            return new Check(BADTIME, tsig, key, answer);
        }
        return new Check(NOERROR, tsig, key, answer);
    }

    /** Bytes of the unsigned error record {@link #writeUnsignedError} writes for {@code tsig}. */
    public static int unsignedErrorLength(TsigRecord tsig) {
        return tsig.keyName().wireLength() + 10 + tsig.algorithm().wireLength() + TsigRecord.FIXED;
    }

    /**
     * Appends to the response {@code buf[off, off+len)} the unsigned TSIG record of RFC 8945 §5.3.2
     * (MAC size 0) carrying {@code error} (BADKEY or BADSIG) for the request's key and algorithm,
     * and counts it in ARCOUNT; returns the new length.
     */
    public static int writeUnsignedError(byte[] buf, int off, int len, TsigRecord tsig, int error, long now) {
        byte[] owner = tsig.keyName().toWire();
        byte[] alg = tsig.algorithm().toWire();
        return writeRecord(buf, off, len, owner, alg, now, tsig.fudge(), new byte[0], tsig.originalId(), error,
                new byte[0]);
    }

    static int writeRecord(byte[] buf, int off, int len, byte[] owner, byte[] alg, long time, int fudge, byte[] mac,
            int originalId, int error, byte[] other) {
        int p = off + len;
        System.arraycopy(owner, 0, buf, p, owner.length);
        p += owner.length;
        p = put16(buf, p, RrType.TSIG);
        p = put16(buf, p, RrClass.ANY);
        p = put16(buf, p, 0);
        p = put16(buf, p, 0);
        int rdlength = alg.length + TsigRecord.FIXED + mac.length + other.length;
        p = put16(buf, p, rdlength);
        System.arraycopy(alg, 0, buf, p, alg.length);
        p += alg.length;
        p = put16(buf, p, (int) (time >>> 32) & 0xffff);
        p = put16(buf, p, (int) (time >>> 16) & 0xffff);
        p = put16(buf, p, (int) time & 0xffff);
        p = put16(buf, p, fudge);
        p = put16(buf, p, mac.length);
        System.arraycopy(mac, 0, buf, p, mac.length);
        p += mac.length;
        p = put16(buf, p, originalId);
        p = put16(buf, p, error);
        p = put16(buf, p, other.length);
        System.arraycopy(other, 0, buf, p, other.length);
        p += other.length;
        put16(buf, off + 10, TsigRecord.u16(buf, off + 10) + 1);
        return p - off;
    }

    static int put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
        return at + 2;
    }

    /** The six-byte Other Data of a BADTIME response: the server's time. */
    static byte[] time48(long t) {
        byte[] b = new byte[6];
        put16(b, 0, (int) (t >>> 32) & 0xffff);
        put16(b, 2, (int) (t >>> 16) & 0xffff);
        put16(b, 4, (int) t & 0xffff);
        return b;
    }
}
