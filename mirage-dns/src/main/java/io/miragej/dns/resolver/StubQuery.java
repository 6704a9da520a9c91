package io.miragej.dns.resolver;

import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Edns;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Question;
import io.miragej.dns.tsig.Tsig;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.tsig.TsigRecord;
import io.miragej.dns.tsig.TsigSession;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import java.util.List;

/**
 * One stub resolver query as a sans-IO state machine (RFC 1035 §7, RFC 5452): time and received
 * bytes go in, what to send and the next deadline come out. Each attempt uses a fresh random ID
 * (and the adapter a fresh random port); servers are tried in turn; a response is accepted only
 * from the server asked, with the ID and question asked (case-insensitively); a truncated answer
 * is asked again over TCP (RFC 7766 §5).
 *
 * <p>With a TSIG key (RFC 8945) every attempt, UDP or TCP, is signed afresh at the wall time given
 * (§5.1), and a response is the answer only when its TSIG record verifies with the key, its MAC
 * chained on the request's (§5.3, §5.4): an unsigned response, one signed with another key, a bad
 * MAC or a malformed TSIG record is not accepted, counted by {@link #rejected} and the wait goes
 * on until the attempt's deadline (an off-path forger cannot end the query). A TSIG error from the
 * server (BADKEY or BADSIG, unsigned as §5.3.2 wants; BADTIME, signed) or a verified response
 * signed outside the fudge ends the query with {@link Failed} saying what to check.
 */
public final class StubQuery {
    /** What the adapter does next. */
    public sealed interface Step permits SendUdp, SendTcp, Wait, Done, Failed {}

    /** Send {@code message} over UDP from a new random port to {@code server}, then wait. */
    public record SendUdp(Endpoint server, byte[] message) implements Step {}

    /** Send {@code message} over a TCP connection to {@code server} and pass back the response. */
    public record SendTcp(Endpoint server, byte[] message) implements Step {}

    /** Nothing to do until the deadline or the next datagram. */
    public record Wait(long deadline) implements Step {}

    public record Done(Message response) implements Step {}

    public record Failed(String reason) implements Step {}

    /** Why a response was not accepted as the answer of a signed query. */
    public enum Rejection {
        /** No TSIG record (RFC 8945 §5.4: treated as a format error and discarded). */
        UNSIGNED,
        /** Signed with another key or algorithm. */
        OTHER_KEY,
        /** Our key, but the MAC does not verify (forged, altered, or not chained on our request). */
        BAD_MAC,
        /** A malformed TSIG record, or a MAC of a forbidden length. */
        MALFORMED
    }

    /** Passed as the wall time by the methods without one: fine only for unsigned queries. */
    public static final long NO_WALL_TIME = Long.MIN_VALUE;

    private final Question question;
    private final Edns edns;
    private final boolean recursionDesired;
    private final List<Endpoint> servers;
    private final int attempts;
    private final long timeoutNanos;
    private final io.miragej.device.Random random;
    private final TsigKey key;
    private final int[] rejected = new int[Rejection.values().length];
    /** The TSIG conversation of the message in flight (a new one per message sent), or null. */
    private TsigSession tsig;
    private int rejectedThisAttempt;
    private boolean tsigFailed;
    private int attempt;
    private int id;
    private Endpoint server;
    private long deadline;
    private boolean overTcp;
    private String lastProblem = "no answer";
    private Step state;

    /**
     * @param attempts how many times to send in all, across the servers in turn
     * @param timeoutNanos how long to wait for each attempt
     */
    public StubQuery(Question question, Edns edns, boolean recursionDesired, List<Endpoint> servers,
            int attempts, long timeoutNanos, io.miragej.device.Random random) {
        this(question, edns, recursionDesired, servers, attempts, timeoutNanos, random, null);
    }

    /**
     * A query signed with {@code key} (null: unsigned); drive it with the methods that take the
     * wall time, in seconds since 1970.
     */
    public StubQuery(Question question, Edns edns, boolean recursionDesired, List<Endpoint> servers,
            int attempts, long timeoutNanos, io.miragej.device.Random random, TsigKey key) {
        if (servers.isEmpty() || attempts < 1 || timeoutNanos <= 0) {
            throw new IllegalArgumentException("a query needs a server, at least one attempt and a positive timeout");
        }
        this.question = question;
        this.edns = edns;
        this.recursionDesired = recursionDesired;
        this.servers = List.copyOf(servers);
        this.attempts = attempts;
        this.timeoutNanos = timeoutNanos;
        this.random = random;
        this.key = key;
    }

    public Step start(long now) {
        return start(now, NO_WALL_TIME);
    }

    /**
     * @param now monotonic nanoseconds, for deadlines
     * @param epochSeconds the wall time, seconds since 1970, for TSIG (or {@link #NO_WALL_TIME}
     *     when unsigned)
     */
    public Step start(long now, long epochSeconds) {
        return next(now, epochSeconds);
    }

    private Step next(long now, long epochSeconds) {
        if (attempt >= attempts) {
            return state = new Failed(lastProblem + " after " + attempts + " attempts to " + servers);
        }
        server = servers.get(attempt % servers.size());
        attempt++;
        id = random.nextInt(65536);
        rejectedThisAttempt = 0;
        deadline = now + timeoutNanos;
        overTcp = false;
        return state = new SendUdp(server, encode(epochSeconds));
    }

    /** The query for the current ID; with a key, signed in a new conversation (RFC 8945 §5.1). */
    private byte[] encode(long epochSeconds) {
        Message m = new Message(id, recursionDesired ? Message.RD : 0, List.of(question), List.of(), List.of(),
                List.of(), edns);
        byte[] plain = m.encode();
        if (key == null) {
            return plain;
        }
        if (epochSeconds == NO_WALL_TIME) {
            throw new IllegalStateException("a query signed with TSIG key " + key.name()
                    + " needs the wall time: call the methods that take epochSeconds");
        }
        tsig = TsigSession.client(key);
        return tsig.sign(plain, epochSeconds);
    }

    /** The time by which the adapter must call {@link #onTimeout}. */
    public long deadline() {
        return deadline;
    }

    /** A datagram arrived on the query's port. */
    public Step onDatagram(Endpoint from, byte[] bytes, long now) {
        return onDatagram(from, bytes, now, NO_WALL_TIME);
    }

    /** A datagram arrived on the query's port; {@code epochSeconds} checks its TSIG time. */
    public Step onDatagram(Endpoint from, byte[] bytes, long now, long epochSeconds) {
        if (overTcp || state instanceof Done || state instanceof Failed) {
            return state;
        }
        if (!sameAddress(from.address(), server.address()) || from.port() != server.port()) {
            return new Wait(deadline); // not from the server asked: ignore (RFC 5452 §9.1)
        }
        Message m;
        try {
            m = Message.decode(bytes);
        } catch (DnsFormatException e) {
            lastProblem = "a malformed response (" + e.getMessage() + ")";
            return new Wait(deadline);
        }
        if (!matches(m)) {
            return new Wait(deadline);
        }
        if (key != null) {
            Step s = checkTsig(bytes, epochSeconds);
            if (s != null) {
                return s; // rejected (wait on) or a TSIG error (failed)
            }
        }
        if (m.tc()) {
            overTcp = true;
            deadline = now + timeoutNanos;
            return state = new SendTcp(server, encode(epochSeconds));
        }
        return state = new Done(m);
    }

    /** The TCP exchange ended: {@code bytes} is the response, or null when the connection failed. */
    public Step onTcpResponse(byte[] bytes, long now) {
        return onTcpResponse(bytes, now, NO_WALL_TIME);
    }

    /**
     * The TCP exchange ended: {@code bytes} is the response, or null when the connection failed. A
     * response that fails TSIG verification is counted and the next attempt starts.
     */
    public Step onTcpResponse(byte[] bytes, long now, long epochSeconds) {
        if (bytes != null) {
            try {
                Message m = Message.decode(bytes);
                if (matches(m)) {
                    Step s = key == null ? null : checkTsig(bytes, epochSeconds);
                    if (s instanceof Failed) {
                        return s;
                    }
                    if (s == null) {
                        return state = new Done(m);
                    }
                    return next(now, epochSeconds); // rejected: lastProblem says why
                }
                lastProblem = "a TCP response that does not match the query";
            } catch (DnsFormatException e) {
                lastProblem = "a malformed TCP response (" + e.getMessage() + ")";
            }
        } else {
            lastProblem = "the TCP connection to " + server + " failed";
        }
        return next(now, epochSeconds);
    }

    /** The deadline passed without an answer. */
    public Step onTimeout(long now) {
        return onTimeout(now, NO_WALL_TIME);
    }

    /** The deadline passed without an answer; {@code epochSeconds} signs the next attempt. */
    public Step onTimeout(long now, long epochSeconds) {
        if (state instanceof Done || state instanceof Failed || now < deadline) {
            return state instanceof Done || state instanceof Failed ? state : new Wait(deadline);
        }
        if (rejectedThisAttempt == 0) {
            lastProblem = "no answer within " + timeoutNanos / 1_000_000 + " ms";
        }
        return next(now, epochSeconds);
    }

    /** Responses not accepted for {@code why} so far, over all attempts. */
    public int rejected(Rejection why) {
        return rejected[why.ordinal()];
    }

    /**
     * Checks the TSIG record of a response that matches the query: null when it verifies, a
     * {@link Wait} when it is rejected (counted), a {@link Failed} for a TSIG error.
     */
    private Step checkTsig(byte[] bytes, long epochSeconds) {
        if (epochSeconds == NO_WALL_TIME) {
            throw new IllegalStateException("a query signed with TSIG key " + key.name()
                    + " needs the wall time: call the methods that take epochSeconds");
        }
        TsigRecord t;
        try {
            t = TsigRecord.find(bytes, bytes.length);
        } catch (DnsFormatException e) {
            return reject(Rejection.MALFORMED, "a malformed TSIG record (" + e.getMessage() + ")");
        }
        if (t == null) {
            return reject(Rejection.UNSIGNED, "an unsigned response (a server that does not know TSIG, or a forger)");
        }
        if (!t.keyName().equals(key.name()) || !t.algorithm().equals(key.algorithm().algorithmName())) {
            return reject(Rejection.OTHER_KEY, "a response signed with key " + t.keyName() + " (" + t.algorithm()
                    + ") instead of " + key);
        }
        if (t.error() != Tsig.NOERROR && t.mac().length == 0) {
            // BADKEY and BADSIG come unsigned (RFC 8945 §5.3.2): the server could not use our key.
            return tsigError(serverError(t.error(), -1, epochSeconds));
        }
        TsigSession.Result r = tsig.verify(bytes, bytes.length, epochSeconds);
        return switch (r) {
            case OK -> null;
            case BADSIG -> reject(Rejection.BAD_MAC, "a response whose MAC does not verify with key " + key.name()
                    + " and our request's MAC");
            case BADTIME -> tsigError(t.error() == Tsig.BADTIME
                    ? serverError(Tsig.BADTIME, t.serverTime(), epochSeconds)
                    : "the response was signed at " + t.timeSigned() + " by the server's clock, ours says "
                            + epochSeconds + " (" + Math.abs(epochSeconds - t.timeSigned()) + " s apart, more than the fudge of "
                            + t.fudge() + " s): check that both clocks are right (NTP)");
            case PEER_ERROR -> tsigError(serverError(t.error(), -1, epochSeconds));
            default -> reject(Rejection.MALFORMED, tsig.problem());
        };
    }

    private Step tsigError(String reason) {
        tsigFailed = true;
        return state = new Failed(reason);
    }

    /** Whether the query failed on a TSIG error from the server (or a clock difference). */
    public boolean tsigFailed() {
        return tsigFailed;
    }

    private Step reject(Rejection why, String what) {
        rejected[why.ordinal()]++;
        rejectedThisAttempt++;
        lastProblem = "only responses that failed TSIG verification with key " + key.name() + ", the last "
                + what;
        return new Wait(deadline);
    }

    /** What a TSIG error from the server means and what to check. */
    private String serverError(int error, long serverTime, long ourTime) {
        String k = "key " + key.name() + " (" + key.algorithm() + ")";
        return switch (error) {
            case Tsig.BADKEY -> "the server " + server + " answered BADKEY: it does not know " + k
                    + "; check that the key name and algorithm are the same in the server's configuration";
            case Tsig.BADSIG -> "the server " + server + " answered BADSIG: our MAC with " + k
                    + " does not verify there; check that the secret is the same on both sides";
            case Tsig.BADTIME -> "the server " + server + " answered BADTIME: its clock"
                    + (serverTime < 0 ? "" : " (" + serverTime + ", ours " + ourTime + ", "
                            + Math.abs(serverTime - ourTime) + " s apart)")
                    + " and ours differ by more than the fudge of " + Tsig.DEFAULT_FUDGE
                    + " s; check that both clocks are right (NTP)";
            default -> "the server " + server + " answered TSIG error " + Tsig.errorName(error) + " with " + k;
        };
    }

    private boolean matches(Message m) {
        if (!m.isResponse() || m.id() != id || m.questions().size() != 1) {
            return false;
        }
        Question q = m.question();
        return q.type() == question.type() && q.qclass() == question.qclass() && q.name().equals(question.name());
    }

    private static boolean sameAddress(IpAddress a, IpAddress b) {
        return unmap(a).equals(unmap(b));
    }

    private static IpAddress unmap(IpAddress a) {
        if (a instanceof Ipv6Address v6 && v6.isIpv4Mapped()) {
            return new Ipv4Address((int) v6.low());
        }
        return a;
    }

    public Name name() {
        return question.name();
    }
}
