package io.miragej.dns.server;

import io.miragej.device.MonotonicClock;
import io.miragej.device.Random;
import io.miragej.device.WallClock;
import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Message;
import io.miragej.dns.Opcode;
import io.miragej.dns.Question;
import io.miragej.dns.Rcode;
import io.miragej.dns.RrType;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.tsig.TsigSession;
import io.miragej.dns.zone.Zone;
import io.miragej.net.Endpoint;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import io.miragej.stack.Datagram;
import io.miragej.stack.Stack;
import io.miragej.stack.UdpSocket;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tells secondaries that a zone changed (RFC 1996 §3): a NOTIFY with the zone's SOA to each,
 * over UDP, sent again until the secondary answers or the attempts run out. Blocks the calling
 * thread; run it on a virtual thread.
 */
public final class Notifier {
    private final Stack stack;
    private final Random random;
    private final MonotonicClock clock;
    private final Counter sent;
    private final Counter acknowledged;
    private final Counter tsigFailures;
    private final Counter refused;
    private final WallClock wallClock;

    public Notifier(Stack stack, Random random, MonotonicClock clock, Counters counters) {
        this(stack, random, clock, null, counters);
    }

    /** With the wall clock that TSIG-signed NOTIFY needs. */
    public Notifier(Stack stack, Random random, MonotonicClock clock, WallClock wallClock, Counters counters) {
        this.stack = stack;
        this.random = random;
        this.clock = clock;
        this.wallClock = wallClock;
        this.sent = counters.counter("dns.notify.out");
        this.acknowledged = counters.counter("dns.notify.out.acked");
        this.tsigFailures = counters.counter("dns.notify.out.tsig.failures");
        this.refused = counters.counter("dns.notify.out.refused");
    }

    /** Notifies every target; returns those that acknowledged. */
    public List<Endpoint> notify(Zone zone, List<Endpoint> targets, int attempts, Duration interval) {
        return notify(zone, targets, null, attempts, interval);
    }

    /**
     * Notifies every target, each NOTIFY signed with {@code key} when it is not null (RFC 8945) and
     * only an acknowledgement signed with it counted (a bad one is counted in {@code
     * dns.notify.out.tsig.failures}); returns those that acknowledged.
     */
    public List<Endpoint> notify(Zone zone, List<Endpoint> targets, TsigKey key, int attempts, Duration interval) {
        if (key != null && wallClock == null) {
            throw new IllegalStateException("a signed NOTIFY needs the wall clock: use the constructor with one");
        }
        List<Endpoint> acked = new ArrayList<>();
        for (Endpoint t : targets) {
            if (notifyOne(zone, t, key, attempts, interval)) {
                acked.add(t);
            }
        }
        return acked;
    }

    private long epochSeconds() {
        return Math.floorDiv(wallClock.epochNanos(), 1_000_000_000L);
    }

    private boolean notifyOne(Zone zone, Endpoint target, TsigKey key, int attempts, Duration interval) {
        int id = random.nextInt(65536);
        Message m = new Message(id, (Opcode.NOTIFY << 11) | Message.AA, List.of(Question.of(zone.name(), RrType.SOA)),
                List.of(zone.soa()), List.of(), List.of(), null);
        byte[] bytes = m.encode();
        TsigSession tsig = null;
        if (key != null) {
            tsig = TsigSession.client(key);
            bytes = tsig.sign(bytes, epochSeconds());
        }
        Endpoint any = new Endpoint(target.address() instanceof Ipv4Address ? Ipv4Address.ANY : Ipv6Address.ANY, 0);
        try (UdpSocket s = stack.udp().bind(any)) {
            for (int i = 0; i < attempts; i++) {
                s.send(target, bytes);
                sent.increment();
                long deadline = clock.nanos() + interval.toNanos();
                while (true) {
                    long left = deadline - clock.nanos();
                    if (left <= 0) {
                        break;
                    }
                    Optional<Datagram> d = s.receive(Duration.ofNanos(Math.max(left, 1_000_000)));
                    if (d.isEmpty()) {
                        break;
                    }
                    try {
                        byte[] payload = d.get().payload();
                        Message r = Message.decode(payload);
                        if (r.isResponse() && r.id() == id && r.opcode() == Opcode.NOTIFY) {
                            if (tsig != null) {
                                TsigSession.Result v = tsig.verify(payload, payload.length, epochSeconds());
                                if (v != TsigSession.Result.OK) {
                                    tsigFailures.increment();
                                    return false;
                                }
                            }
                            if (r.rcode() != Rcode.NOERROR) {
                                refused.increment(); // e.g. NOTAUTH or REFUSED: not an acknowledgement
                                return false;
                            }
                            acknowledged.increment();
                            return true;
                        }
                    } catch (DnsFormatException e) {
                        // not the acknowledgement
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
