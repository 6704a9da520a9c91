package io.miragej.dns.server;

import io.miragej.device.MonotonicClock;
import io.miragej.device.Random;
import io.miragej.device.Time;
import io.miragej.device.Timer;
import io.miragej.device.WallClock;
import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.resolver.StubResolver;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.tsig.TsigSession;
import io.miragej.dns.zone.Zone;
import io.miragej.dns.zone.ZoneException;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import io.miragej.stack.Datagram;
import io.miragej.stack.UdpSocket;
import io.miragej.stack.Flow;
import io.miragej.stack.Stack;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secondary zones: each is pulled from its primary by AXFR over TCP (RFC 5936), checked by SOA
 * serial every REFRESH and on NOTIFY (RFC 1996), and put into the server, replacing the old copy
 * atomically. One virtual thread per zone drives its {@link SecondaryZone} state machine.
 */
public final class SecondaryService implements AutoCloseable, AuthoritativeServer.NotifyListener {
    private static final Logger LOG = LoggerFactory.getLogger(SecondaryService.class);

    private final Stack stack;
    private final AuthoritativeServer server;
    private final Time time;
    private final MonotonicClock clock;
    private final Random random;
    private final Duration timeout;
    private final Map<Name, Entry> zones = new ConcurrentHashMap<>();
    private final Counter transfersIn;
    private final Counter transferFailures;
    private final Counter expired;
    private final Counter tsigFailures;
    private final WallClock wallClock;
    private volatile boolean closed;

    private final class Entry {
        final SecondaryZone state;
        final Endpoint primary;
        /** The key that signs our SOA queries and AXFR requests and that the primary signs with; or null. */
        final TsigKey key;
        final Semaphore wake = new Semaphore(0);
        volatile Timer timer;
        Thread thread;

        Entry(SecondaryZone state, Endpoint primary, TsigKey key) {
            this.state = state;
            this.primary = primary;
            this.key = key;
        }
    }

    public SecondaryService(Stack stack, AuthoritativeServer server, Time time, MonotonicClock clock, Random random,
            Counters counters, Duration timeout) {
        this(stack, server, time, clock, null, random, counters, timeout);
    }

    /** With the wall clock TSIG needs (its MACs carry the time): zones with keys need it. */
    public SecondaryService(Stack stack, AuthoritativeServer server, Time time, MonotonicClock clock,
            WallClock wallClock, Random random, Counters counters, Duration timeout) {
        this.stack = stack;
        this.server = server;
        this.time = time;
        this.clock = clock;
        this.wallClock = wallClock;
        this.random = random;
        this.timeout = timeout;
        transfersIn = counters.counter("dns.axfr.in");
        transferFailures = counters.counter("dns.axfr.in.failures");
        expired = counters.counter("dns.secondary.expired");
        tsigFailures = counters.counter("dns.secondary.tsig.failures");
        server.setNotifyListener(this);
    }

    /** Starts keeping {@code zone} as a copy of the one at {@code primary}. */
    public void add(Name zone, Endpoint primary) {
        add(zone, primary, null);
    }

    /**
     * Starts keeping {@code zone} as a copy of the one at {@code primary}, with TSIG (RFC 8945)
     * when {@code key} is not null: SOA queries and AXFR requests signed with it, every answer
     * verified (a failure is counted in {@code dns.secondary.tsig.failures} and retried after
     * RETRY), and NOTIFY for the zone accepted only signed with it.
     */
    public void add(Name zone, Endpoint primary, TsigKey key) {
        if (key != null && wallClock == null) {
            throw new IllegalStateException("TSIG for " + zone + " needs the wall clock: use the constructor with one");
        }
        if (key != null && !key.equals(server.tsigKey(key.name()))) {
            throw new IllegalArgumentException("the TSIG key " + key.name() + " of secondary zone " + zone
                    + " must be among the server's keys too (Options.withTsigKeys): NOTIFY from the primary is signed with it");
        }
        Entry e = new Entry(new SecondaryZone(zone, clock.nanos()), primary, key);
        if (zones.putIfAbsent(zone, e) != null) {
            throw new IllegalArgumentException(zone + " is already a secondary zone");
        }
        e.thread = Thread.ofVirtual().name("secondary-" + zone).start(() -> run(e));
    }

    /** The serial held for {@code zone}, or -1. */
    public long serial(Name zone) {
        Entry e = zones.get(zone);
        return e == null ? -1 : e.state.serial();
    }

    @Override
    public boolean accepts(Name zone, IpAddress from, Name key) {
        Entry e = zones.get(zone);
        return e != null && AuthoritativeServer.unmap(e.primary.address()).equals(from)
                && (e.key == null || e.key.name().equals(key));
    }

    @Override
    public void notified(Name zone, IpAddress from) {
        Entry e = zones.get(zone);
        if (e != null) {
            synchronized (e.state) {
                e.state.notified(clock.nanos());
            }
            e.wake.release();
        }
    }

    private void run(Entry e) {
        while (!closed) {
            SecondaryZone.Action a;
            long deadline;
            synchronized (e.state) {
                long now = clock.nanos();
                if (e.state.expired(now)) {
                    e.state.withdraw();
                    expire(e);
                }
                a = e.state.poll(now);
                deadline = e.state.deadline();
            }
            if (a == SecondaryZone.Action.QUERY_SOA) {
                check(e);
                continue;
            }
            long wait = deadline - clock.nanos();
            Timer t = time.schedule(Duration.ofNanos(Math.max(wait, 1)), e.wake::release);
            e.timer = t;
            try {
                e.wake.acquire();
            } catch (InterruptedException ie) {
                return;
            } finally {
                t.cancel();
            }
            e.wake.drainPermits();
        }
    }

    private void check(Entry e) {
        Name zone = e.state.name();
        try {
            long primarySerial = primarySerial(e);
            SecondaryZone.Action next;
            synchronized (e.state) {
                next = e.state.soa(primarySerial, clock.nanos());
            }
            if (next == SecondaryZone.Action.TRANSFER) {
                Zone z = transfer(zone, e.primary, e.key);
                server.put(z);
                transfersIn.increment();
                synchronized (e.state) {
                    e.state.transferred(z, clock.nanos());
                }
                LOG.info("secondary {}: serial {} from {}", zone, z.serial(), e.primary);
            }
        } catch (IOException | ZoneException ex) {
            transferFailures.increment();
            LOG.warn("secondary {}: refresh from {} failed: {}", zone, e.primary, ex.getMessage());
            synchronized (e.state) {
                e.state.failed(clock.nanos());
            }
        }
    }

    private void expire(Entry e) {
        expired.increment();
        LOG.warn("secondary {}: expired, no longer served", e.state.name());
        List<Zone> kept = server.authority().zones().stream().filter(z -> !z.name().equals(e.state.name())).toList();
        server.load(kept);
    }

    private long primarySerial(Entry e) throws IOException {
        if (e.key != null) {
            return signedSerial(e);
        }
        StubResolver r = new StubResolver(stack, List.of(e.primary), random, clock, time,
                new StubResolver.Options(timeout, 2, false, 1232));
        Message m = r.query(e.state.name(), RrType.SOA);
        if (m.rcode() != Rcode.NOERROR || !m.aa()) {
            throw new IOException("the primary answered the SOA query with " + Rcode.toString(m.rcode())
                    + (m.aa() ? "" : " without authority"));
        }
        for (Record rec : m.answers()) {
            if (rec.type() == RrType.SOA && rec.owner().equals(e.state.name())) {
                return rec.rdata().numberField(2);
            }
        }
        throw new IOException("the primary's answer holds no SOA");
    }

    private long epochSeconds() {
        return Math.floorDiv(wallClock.epochNanos(), 1_000_000_000L);
    }

    /** The SOA query over UDP signed with the zone's key, the answer verified; two attempts. */
    private long signedSerial(Entry e) throws IOException {
        Name zone = e.state.name();
        TsigSession tsig = TsigSession.client(e.key);
        int id = random.nextInt(65536);
        byte[] q = tsig.sign(Message.query(id, zone, RrType.SOA).encode(), epochSeconds());
        Endpoint any = new Endpoint(e.primary.address() instanceof Ipv4Address ? Ipv4Address.ANY : Ipv6Address.ANY, 0);
        try (UdpSocket s = stack.udp().bind(any)) {
            for (int attempt = 0; attempt < 2; attempt++) {
                s.send(e.primary, q);
                long deadline = clock.nanos() + timeout.toNanos();
                long left;
                while ((left = deadline - clock.nanos()) > 0) {
                    Optional<Datagram> d = s.receive(Duration.ofNanos(Math.max(left, 1_000_000)));
                    if (d.isEmpty()) {
                        break;
                    }
                    byte[] b = d.get().payload();
                    if (b.length < 12 || ((b[0] & 0xff) << 8 | (b[1] & 0xff)) != id || (b[2] & 0x80) == 0) {
                        continue; // not the answer
                    }
                    TsigSession.Result r = tsig.verify(b, b.length, epochSeconds());
                    if (r != TsigSession.Result.OK) {
                        tsigFailures.increment();
                        throw new IOException("the primary's SOA answer fails TSIG (" + r + "): " + tsig.problem());
                    }
                    Message m;
                    try {
                        m = Message.decode(b);
                    } catch (DnsFormatException ex) {
                        throw new IOException("a malformed SOA answer: " + ex.getMessage());
                    }
                    if (m.rcode() != Rcode.NOERROR || !m.aa()) {
                        throw new IOException("the primary answered the SOA query with " + Rcode.toString(m.rcode())
                                + (m.aa() ? "" : " without authority"));
                    }
                    for (Record rec : m.answers()) {
                        if (rec.type() == RrType.SOA && rec.owner().equals(zone)) {
                            return rec.rdata().numberField(2);
                        }
                    }
                    throw new IOException("the primary's answer holds no SOA");
                }
            }
        }
        throw new IOException("no answer to the signed SOA query within " + timeout + ", twice");
    }

    /** Pulls {@code zone} from {@code primary} by AXFR over TCP. */
    public Zone transfer(Name zone, Endpoint primary) throws IOException, ZoneException {
        return transfer(zone, primary, null);
    }

    /**
     * Pulls {@code zone} from {@code primary} by AXFR over TCP, the request signed with {@code key}
     * and every message of the answer verified when it is not null (RFC 8945 §5.3.1: the first and
     * the last message must be signed, at most 99 unsigned in a row between).
     */
    public Zone transfer(Name zone, Endpoint primary, TsigKey key) throws IOException, ZoneException {
        int id = random.nextInt(65536);
        ZoneTransferReader reader = new ZoneTransferReader(zone, id);
        TsigSession tsig = key == null ? null : TsigSession.client(key);
        try (Flow flow = stack.tcp().connect(primary, timeout)) {
            // The transfer as a whole may take long; each read gets the timeout.
            Timer[] watchdog = {null};
            Runnable arm = () -> {
                if (watchdog[0] != null) {
                    watchdog[0].cancel();
                }
                watchdog[0] = time.schedule(timeout, () -> {
                    try {
                        flow.close();
                    } catch (IOException ignored) {
                        // closing ends the blocked read
                    }
                });
            };
            arm.run();
            try {
                byte[] q = Message.query(id, zone, RrType.AXFR).encode();
                if (tsig != null) {
                    q = tsig.sign(q, epochSeconds());
                }
                byte[] framed = new byte[q.length + 2];
                framed[0] = (byte) (q.length >>> 8);
                framed[1] = (byte) q.length;
                System.arraycopy(q, 0, framed, 2, q.length);
                flow.write(framed);
                flow.flush();
                byte[] prefix = new byte[2];
                byte[] buf = new byte[65535];
                while (!reader.complete()) {
                    int len = DnsService.readLength(flow, prefix);
                    if (len < 0) {
                        throw new IOException("the primary closed the connection before the transfer ended");
                    }
                    DnsService.readFully(flow, buf, len);
                    arm.run();
                    if (tsig != null) {
                        TsigSession.Result r = tsig.verify(buf, len, epochSeconds());
                        if (r != TsigSession.Result.OK && r != TsigSession.Result.UNSIGNED) {
                            tsigFailures.increment();
                            throw new IOException("transfer message fails TSIG (" + r + "): " + tsig.problem());
                        }
                    }
                    try {
                        reader.accept(Message.decode(java.util.Arrays.copyOf(buf, len)));
                    } catch (DnsFormatException ex) {
                        throw new IOException("a malformed transfer message: " + ex.getMessage());
                    }
                }
            } finally {
                watchdog[0].cancel();
            }
        }
        if (tsig != null && !tsig.lastVerified()) {
            tsigFailures.increment();
            throw new IOException("the transfer's last message is not signed (RFC 8945 §5.3.1)");
        }
        return reader.zone();
    }

    @Override
    public void close() {
        closed = true;
        for (Entry e : zones.values()) {
            e.wake.release();
            if (e.thread != null) {
                e.thread.interrupt();
            }
        }
        server.setNotifyListener(null);
    }
}
