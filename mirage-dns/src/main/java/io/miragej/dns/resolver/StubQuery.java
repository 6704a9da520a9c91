package io.miragej.dns.resolver;

import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Edns;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Question;
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

    private final Question question;
    private final Edns edns;
    private final boolean recursionDesired;
    private final List<Endpoint> servers;
    private final int attempts;
    private final long timeoutNanos;
    private final io.miragej.device.Random random;
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
    }

    public Step start(long now) {
        return next(now);
    }

    private Step next(long now) {
        if (attempt >= attempts) {
            return state = new Failed(lastProblem + " after " + attempts + " attempts to " + servers);
        }
        server = servers.get(attempt % servers.size());
        attempt++;
        id = random.nextInt(65536);
        deadline = now + timeoutNanos;
        overTcp = false;
        return state = new SendUdp(server, encode());
    }

    private byte[] encode() {
        Message m = new Message(id, recursionDesired ? Message.RD : 0, List.of(question), List.of(), List.of(),
                List.of(), edns);
        return m.encode();
    }

    /** The time by which the adapter must call {@link #onTimeout}. */
    public long deadline() {
        return deadline;
    }

    /** A datagram arrived on the query's port. */
    public Step onDatagram(Endpoint from, byte[] bytes, long now) {
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
        if (m.tc()) {
            overTcp = true;
            deadline = now + timeoutNanos;
            return state = new SendTcp(server, encode());
        }
        return state = new Done(m);
    }

    /** The TCP exchange ended: {@code bytes} is the response, or null when the connection failed. */
    public Step onTcpResponse(byte[] bytes, long now) {
        if (bytes != null) {
            try {
                Message m = Message.decode(bytes);
                if (matches(m)) {
                    return state = new Done(m);
                }
                lastProblem = "a TCP response that does not match the query";
            } catch (DnsFormatException e) {
                lastProblem = "a malformed TCP response (" + e.getMessage() + ")";
            }
        } else {
            lastProblem = "the TCP connection to " + server + " failed";
        }
        return next(now);
    }

    /** The deadline passed without an answer. */
    public Step onTimeout(long now) {
        if (state instanceof Done || state instanceof Failed || now < deadline) {
            return state instanceof Done || state instanceof Failed ? state : new Wait(deadline);
        }
        lastProblem = "no answer within " + timeoutNanos / 1_000_000 + " ms";
        return next(now);
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
