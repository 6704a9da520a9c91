package io.miragej.dns.server;

import io.miragej.device.MonotonicClock;
import io.miragej.device.Random;
import io.miragej.device.Time;
import io.miragej.device.Timer;
import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Rcode;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.resolver.StubResolver;
import io.miragej.dns.zone.Zone;
import io.miragej.dns.zone.ZoneException;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.stack.Flow;
import io.miragej.stack.Stack;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private volatile boolean closed;

    private final class Entry {
        final SecondaryZone state;
        final Endpoint primary;
        final Semaphore wake = new Semaphore(0);
        volatile Timer timer;
        Thread thread;

        Entry(SecondaryZone state, Endpoint primary) {
            this.state = state;
            this.primary = primary;
        }
    }

    public SecondaryService(Stack stack, AuthoritativeServer server, Time time, MonotonicClock clock, Random random,
            Counters counters, Duration timeout) {
        this.stack = stack;
        this.server = server;
        this.time = time;
        this.clock = clock;
        this.random = random;
        this.timeout = timeout;
        transfersIn = counters.counter("dns.axfr.in");
        transferFailures = counters.counter("dns.axfr.in.failures");
        expired = counters.counter("dns.secondary.expired");
        server.setNotifyListener(this);
    }

    /** Starts keeping {@code zone} as a copy of the one at {@code primary}. */
    public void add(Name zone, Endpoint primary) {
        Entry e = new Entry(new SecondaryZone(zone, clock.nanos()), primary);
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
        return e != null && AuthoritativeServer.unmap(e.primary.address()).equals(from);
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
                Zone z = transfer(zone, e.primary);
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

    /** Pulls {@code zone} from {@code primary} by AXFR over TCP. */
    public Zone transfer(Name zone, Endpoint primary) throws IOException, ZoneException {
        int id = random.nextInt(65536);
        ZoneTransferReader reader = new ZoneTransferReader(zone, id);
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
