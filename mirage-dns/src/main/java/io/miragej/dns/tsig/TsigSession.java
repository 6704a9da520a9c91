package io.miragej.dns.tsig;

import io.miragej.dns.DnsFormatException;
import io.miragej.dns.RrClass;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One TSIG-signed conversation, sans-IO (RFC 8945 §5.3): a request and its response, or a request
 * and the many messages of a zone transfer, each MAC chained on the one before. A client makes one
 * with {@link #client}, signs its request, then verifies every response message; a server gets one
 * from {@link Tsig#verifyRequest} and signs every message it answers with.
 *
 * <p>The first response's MAC covers the request's MAC, the response and all TSIG variables; every
 * later message's covers the previous MAC, the unsigned messages since it, the message and only
 * the timers (§5.3.1). This side signs every message; when verifying, up to {@link #MAX_UNSIGNED}
 * unsigned messages in a row are accepted and folded into the next MAC, and {@link
 * #lastVerified()} says whether the latest message was signed (a transfer must end on one).
 * One thread at a time.
 */
public final class TsigSession {
    /** Unsigned messages accepted in a row between signed ones (RFC 8945 §5.3.1: sign every 100th). */
    public static final int MAX_UNSIGNED = 99;

    /** What {@link #verify} found. */
    public enum Result {
        /** Signed with our key, MAC and time good. */
        OK,
        /** An unsigned message inside a multi-message answer, accepted for now. */
        UNSIGNED,
        /** Not signed where it must be, or too many unsigned messages in a row. */
        MISSING,
        /** Malformed TSIG record, or a MAC of a forbidden length. */
        FORMERR,
        /** Signed with another key or algorithm, or the peer answered BADKEY. */
        BADKEY,
        /** The MAC does not match, or the peer answered BADSIG. */
        BADSIG,
        /** The time signed is outside the fudge, or the peer answered BADTIME. */
        BADTIME,
        /** The peer answered with another TSIG error. */
        PEER_ERROR
    }

    private final TsigKey key;
    private final Mac mac;
    private final byte[] ownerWire;
    private final byte[] canonicalKeyName;
    private final byte[] algorithmWire;
    private final int fudge;
    private byte[] prior;
    /** Whether the next message's MAC covers all variables (the first of each direction) or the timers. */
    private boolean full = true;
    /** The prior MAC and unsigned messages are already in {@link #mac}. */
    private boolean chainStarted;
    private int unsigned;
    private boolean lastVerified;
    private String problem = "";
    private long peerTime = -1;

    TsigSession(TsigKey key, byte[] prior) {
        this.key = key;
        this.prior = prior == null ? null : prior.clone();
        this.mac = key.algorithm().newMac();
        try {
            mac.init(new SecretKeySpec(key.secret(), mac.getAlgorithm()));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("TSIG key " + key.name() + " rejected by the JDK", e);
        }
        this.ownerWire = key.name().toWire();
        this.canonicalKeyName = key.name().toLowerCase().toWire();
        this.algorithmWire = key.algorithm().algorithmName().toWire();
        this.fudge = Tsig.DEFAULT_FUDGE;
    }

    /** A client's session: sign a request with {@link #sign}, then {@link #verify} the answers. */
    public static TsigSession client(TsigKey key) {
        return new TsigSession(key, null);
    }

    public TsigKey key() {
        return key;
    }

    /** Bytes a signed message grows by (the TSIG record with a full MAC and no other data). */
    public int overhead() {
        return ownerWire.length + 10 + algorithmWire.length + TsigRecord.FIXED + key.algorithm().macLength();
    }

    /** Bytes of the BADTIME response's record (a full MAC and six bytes of other data). */
    int overheadWithTime() {
        return overhead() + 6;
    }

    /** Returns a copy of {@code msg} with a TSIG record appended, signed at {@code now}. */
    public byte[] sign(byte[] msg, long now) {
        byte[] b = Arrays.copyOf(msg, msg.length + overhead());
        int n = sign(b, 0, msg.length, now);
        return n == b.length ? b : Arrays.copyOf(b, n);
    }

    /**
     * Signs the message {@code buf[off, off+len)} in place: appends the TSIG record after it
     * ({@link #overhead()} bytes must be free there) and counts it in ARCOUNT. Returns the new
     * length.
     */
    public int sign(byte[] buf, int off, int len, long now) {
        return sign(buf, off, len, now, Tsig.NOERROR, new byte[0]);
    }

    /**
     * Signs a BADTIME response (RFC 8945 §5.2.3): the request's time as Time Signed, the server's
     * time {@code now} in Other Data.
     */
    public int signBadTime(byte[] buf, int off, int len, long requestTime, long now) {
        return sign(buf, off, len, requestTime, Tsig.BADTIME, Tsig.time48(now));
    }

    private int sign(byte[] buf, int off, int len, long time, int error, byte[] other) {
        int id = TsigRecord.u16(buf, off);
        boolean request = prior == null;
        byte[] m = digestAt(buf, off, off + len, id, false, full, time, fudge, error, other);
        prior = m;
        full = request; // the answer to a request starts with all variables again
        return Tsig.writeRecord(buf, off, len, ownerWire, algorithmWire, time, fudge, m, id, error, other);
    }

    /**
     * Sends {@code buf[off, off+len)} unsigned inside a multi-message answer (RFC 8945 §5.3.1
     * allows up to 99 in a row): its bytes go into the next signed message's MAC.
     */
    public void skip(byte[] buf, int off, int len) {
        if (full) {
            throw new IllegalStateException("the first message of an answer must be signed");
        }
        startChain();
        mac.update(buf, off, len);
    }

    /**
     * Verifies the next message received, {@code msg[0, length)}, at {@code now}. After anything
     * but OK and UNSIGNED the conversation is broken: drop it.
     */
    public Result verify(byte[] msg, int length, long now) {
        peerTime = -1;
        TsigRecord t;
        try {
            t = TsigRecord.find(msg, length);
        } catch (DnsFormatException e) {
            return fail(Result.FORMERR, "malformed message or TSIG record: " + e.getMessage());
        }
        if (t == null) {
            if (full) {
                return fail(Result.MISSING, "the answer is not signed");
            }
            if (unsigned >= MAX_UNSIGNED) {
                return fail(Result.MISSING, "more than " + MAX_UNSIGNED + " unsigned messages in a row");
            }
            startChain();
            mac.update(msg, 0, length);
            unsigned++;
            lastVerified = false;
            return Result.UNSIGNED;
        }
        if (!t.keyName().equals(key.name()) || !t.algorithm().equals(key.algorithm().algorithmName())) {
            return fail(Result.BADKEY, "signed with key " + t.keyName() + " (" + t.algorithm() + "), expected " + key);
        }
        if (t.mac().length == 0 && t.error() != Tsig.NOERROR) {
            Result r = switch (t.error()) {
                case Tsig.BADKEY -> Result.BADKEY;
                case Tsig.BADSIG -> Result.BADSIG;
                case Tsig.BADTIME -> Result.BADTIME;
                default -> Result.PEER_ERROR;
            };
            return fail(r, "the peer answered " + Tsig.errorName(t.error()) + " (key " + key.name() + ")");
        }
        TsigAlgorithm a = key.algorithm();
        if (t.mac().length > a.macLength() || t.mac().length < a.minimumMacLength()) {
            return fail(Result.FORMERR, "a MAC of " + t.mac().length + " bytes (RFC 8945 §5.2.2.1)");
        }
        byte[] expected = digestAt(msg, 0, t.start(), t.originalId(), true, full, t.timeSigned(), t.fudge(),
                t.error(), t.otherData());
        if (!macMatches(expected, t.mac())) {
            return fail(Result.BADSIG, "the MAC does not match (key " + key.name() + ")");
        }
        prior = t.mac();
        full = false;
        unsigned = 0;
        if (t.error() == Tsig.BADTIME) {
            peerTime = t.serverTime();
            return fail(Result.BADTIME, "the peer answered BADTIME: its clock says " + peerTime + ", ours " + now);
        }
        if (t.error() != Tsig.NOERROR) {
            return fail(Result.PEER_ERROR, "the peer answered " + Tsig.errorName(t.error()));
        }
        if (Math.abs(now - t.timeSigned()) > t.fudge()) {
            return fail(Result.BADTIME, "signed at " + t.timeSigned() + ", now " + now + ", fudge " + t.fudge());
        }
        lastVerified = true;
        return Result.OK;
    }

    private Result fail(Result r, String why) {
        problem = why;
        lastVerified = false;
        return r;
    }

    /** Whether the latest message verified was signed and good. */
    public boolean lastVerified() {
        return lastVerified;
    }

    /** Words for the latest failure of {@link #verify}. */
    public String problem() {
        return problem;
    }

    /** The peer's clock from its latest BADTIME answer, or -1. */
    public long peerTime() {
        return peerTime;
    }

    /** The MAC of the latest message signed or verified. */
    public byte[] lastMac() {
        return prior == null ? null : prior.clone();
    }

    private void startChain() {
        if (!chainStarted) {
            if (prior != null) {
                mac.update((byte) (prior.length >>> 8));
                mac.update((byte) prior.length);
                mac.update(prior);
            }
            chainStarted = true;
        }
    }

    byte[] digest(byte[] msg, int end, int originalId, boolean hasTsig, boolean allVariables, long time, int fudge,
            int error, byte[] other) {
        return digestAt(msg, 0, end, originalId, hasTsig, allVariables, time, fudge, error, other);
    }

    /**
     * The MAC over the chain so far, the message {@code msg[off, end)} (without its TSIG record;
     * ID replaced by {@code originalId}; ARCOUNT one less when {@code hasTsig}) and the variables.
     */
    private byte[] digestAt(byte[] msg, int off, int end, int originalId, boolean hasTsig, boolean allVariables,
            long time, int fudge, int error, byte[] other) {
        startChain();
        mac.update((byte) (originalId >>> 8));
        mac.update((byte) originalId);
        mac.update(msg, off + 2, 8);
        int ar = TsigRecord.u16(msg, off + 10) - (hasTsig ? 1 : 0);
        mac.update((byte) (ar >>> 8));
        mac.update((byte) ar);
        mac.update(msg, off + 12, end - off - 12);
        byte[] v = new byte[allVariables ? canonicalKeyName.length + 2 + 4 + algorithmWire.length + 12 : 8];
        int p = 0;
        if (allVariables) {
            System.arraycopy(canonicalKeyName, 0, v, 0, canonicalKeyName.length);
            p = Tsig.put16(v, canonicalKeyName.length, RrClass.ANY);
            p += 4; // TTL 0
            System.arraycopy(algorithmWire, 0, v, p, algorithmWire.length);
            p += algorithmWire.length;
        }
        p = Tsig.put16(v, p, (int) (time >>> 32) & 0xffff);
        p = Tsig.put16(v, p, (int) (time >>> 16) & 0xffff);
        p = Tsig.put16(v, p, (int) time & 0xffff);
        p = Tsig.put16(v, p, fudge);
        if (allVariables) {
            p = Tsig.put16(v, p, error);
            Tsig.put16(v, p, other.length);
        }
        mac.update(v);
        if (allVariables) {
            mac.update(other);
        }
        chainStarted = false;
        return mac.doFinal();
    }

    /** Constant-time comparison of a received, possibly truncated MAC with the full one. */
    static boolean macMatches(byte[] full, byte[] received) {
        return received.length <= full.length
                && MessageDigest.isEqual(Arrays.copyOf(full, received.length), received);
    }
}
