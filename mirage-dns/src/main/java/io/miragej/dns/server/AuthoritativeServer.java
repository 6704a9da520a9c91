package io.miragej.dns.server;

import io.miragej.device.WallClock;
import io.miragej.dns.DnsWriter;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Question;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.zone.Zone;
import io.miragej.net.IpAddress;
import io.miragej.net.IpPrefix;
import io.miragej.net.Ipv4Address;
import io.miragej.net.Ipv6Address;
import io.miragej.stats.Counters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;

/**
 * An authoritative DNS server as a sans-IO core: it holds the zones (an {@link Authority}
 * snapshot, replaced atomically on reload), hands out {@link Responder}s that turn query bytes into
 * response bytes, builds zone transfers, and decides who may transfer zones and send NOTIFY.
 * Adapters ({@link DnsService}) connect it to the {@code Udp} and {@code Tcp} signatures.
 */
public final class AuthoritativeServer {
    /**
     * A server's settings.
     *
     * @param transferAllowed clients (by prefix) that may transfer zones; none by default
     * @param tsigKeys the TSIG keys this server knows (RFC 8945): requests signed with them are
     *     verified and answered signed, requests signed with others get BADKEY
     * @param transferKeys when not empty, a transfer must also be signed with one of these keys
     *     (names from {@code tsigKeys}); an unsigned transfer request is then REFUSED, as NSD does
     * @param zoneTransferAllowed per zone, the clients that may transfer it instead of {@code
     *     transferAllowed} (BIND's per-zone {@code allow-transfer}); zones not in the map use {@code
     *     transferAllowed}
     * @param zoneTransferKeys per zone, the keys that may sign its transfer instead of {@code
     *     transferKeys} (an empty list: unsigned transfers allowed for that zone); zones not in the
     *     map use {@code transferKeys}
     */
    public record Options(int maxUdpPayload, List<IpPrefix> transferAllowed, List<TsigKey> tsigKeys,
            List<Name> transferKeys, Map<Name, List<IpPrefix>> zoneTransferAllowed,
            Map<Name, List<Name>> zoneTransferKeys) {
        /** 1232 bytes (the DNS flag day 2020 figure), no zone transfers, no TSIG keys. */
        public static Options defaults() {
            return new Options(1232, List.of());
        }

        public Options(int maxUdpPayload, List<IpPrefix> transferAllowed) {
            this(maxUdpPayload, transferAllowed, List.of(), List.of());
        }

        /** One transfer policy for every zone. */
        public Options(int maxUdpPayload, List<IpPrefix> transferAllowed, List<TsigKey> tsigKeys,
                List<Name> transferKeys) {
            this(maxUdpPayload, transferAllowed, tsigKeys, transferKeys, Map.of(), Map.of());
        }

        public Options {
            if (maxUdpPayload < 512 || maxUdpPayload > 65535) {
                throw new IllegalArgumentException("the UDP payload size is 512-65535, got " + maxUdpPayload);
            }
            transferAllowed = List.copyOf(transferAllowed);
            tsigKeys = List.copyOf(tsigKeys);
            transferKeys = List.copyOf(transferKeys);
            java.util.Set<Name> names = new java.util.HashSet<>();
            for (TsigKey k : tsigKeys) {
                if (!names.add(k.name())) {
                    throw new IllegalArgumentException("two TSIG keys are named " + k.name());
                }
            }
            checkKnown(transferKeys, names, "the transfer key ");
            Map<Name, List<IpPrefix>> allowed = new HashMap<>();
            zoneTransferAllowed.forEach((zone, prefixes) -> allowed.put(zone, List.copyOf(prefixes)));
            zoneTransferAllowed = Map.copyOf(allowed);
            Map<Name, List<Name>> keys = new HashMap<>();
            zoneTransferKeys.forEach((zone, list) -> {
                checkKnown(list, names, "the transfer key for zone " + zone + ", ");
                keys.put(zone, List.copyOf(list));
            });
            zoneTransferKeys = Map.copyOf(keys);
        }

        private static void checkKnown(List<Name> keys, java.util.Set<Name> known, String what) {
            for (Name n : keys) {
                if (!known.contains(n)) {
                    throw new IllegalArgumentException(what + n + " is not among the TSIG keys " + known
                            + "; give it with the keys (withTsigKeys before)");
                }
            }
        }

        public Options withTransferAllowed(List<IpPrefix> allowed) {
            return new Options(maxUdpPayload, allowed, tsigKeys, transferKeys, zoneTransferAllowed, zoneTransferKeys);
        }

        public Options withTsigKeys(List<TsigKey> keys) {
            return new Options(maxUdpPayload, transferAllowed, keys, transferKeys, zoneTransferAllowed, zoneTransferKeys);
        }

        /** Transfers must be signed with one of {@code keys} (names of TSIG keys given too). */
        public Options withTransferKeys(List<Name> keys) {
            return new Options(maxUdpPayload, transferAllowed, tsigKeys, keys, zoneTransferAllowed, zoneTransferKeys);
        }

        /** {@code zone} may be transferred by {@code allowed} clients, whatever {@link #transferAllowed} says. */
        public Options withZoneTransferAllowed(Name zone, List<IpPrefix> allowed) {
            Map<Name, List<IpPrefix>> m = new HashMap<>(zoneTransferAllowed);
            m.put(zone, allowed);
            return new Options(maxUdpPayload, transferAllowed, tsigKeys, transferKeys, m, zoneTransferKeys);
        }

        /**
         * Transfers of {@code zone} must be signed with one of {@code keys} (none: may be unsigned),
         * whatever {@link #transferKeys} says.
         */
        public Options withZoneTransferKeys(Name zone, List<Name> keys) {
            Map<Name, List<Name>> m = new HashMap<>(zoneTransferKeys);
            m.put(zone, keys);
            return new Options(maxUdpPayload, transferAllowed, tsigKeys, transferKeys, zoneTransferAllowed, m);
        }

        /** The clients that may transfer {@code zone}: its own list, else the server's. */
        public List<IpPrefix> transferAllowed(Name zone) {
            return zoneTransferAllowed.getOrDefault(zone, transferAllowed);
        }

        /** The keys one of which must sign a transfer of {@code zone} (none: any or none). */
        public List<Name> transferKeys(Name zone) {
            return zoneTransferKeys.getOrDefault(zone, transferKeys);
        }
    }

    /** Receives NOTIFY messages (RFC 1996) for secondary zones. */
    public interface NotifyListener {
        /**
         * Whether {@code zone} is a secondary zone whose primary is {@code from}, the NOTIFY signed
         * with the TSIG key {@code key} (verified; null when unsigned).
         */
        boolean accepts(Name zone, IpAddress from, Name key);

        /** Called on the thread that received the NOTIFY; must only schedule work. */
        void notified(Name zone, IpAddress from);
    }

    final ServerCounters counters;
    private final Options options;
    private final WallClock clock;
    private final Map<Name, TsigKey> keys = new HashMap<>();
    /** Per key, the latest Time Signed of a request that verified (RFC 8945 §5.2.3). */
    private final Map<Name, java.util.concurrent.atomic.AtomicLong> latestSigned = new HashMap<>();
    private volatile Authority authority;
    private volatile NotifyListener notifyListener;

    /**
     * A server; {@code clock} is read only for TSIG-signed requests (their time is checked and
     * responses carry it) and may be null when no keys are configured.
     */
    public AuthoritativeServer(Counters counters, Options options, WallClock clock) {
        this.counters = new ServerCounters(counters);
        this.options = Objects.requireNonNull(options);
        if (clock == null && !options.tsigKeys().isEmpty()) {
            throw new IllegalArgumentException("TSIG keys need the wall clock: give one to the server");
        }
        this.clock = clock;
        for (TsigKey k : options.tsigKeys()) {
            keys.put(k.name(), k);
            latestSigned.put(k.name(), new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE));
        }
        this.authority = Authority.of(List.of(), options.maxUdpPayload());
    }

    public AuthoritativeServer(Counters counters, Options options) {
        this(counters, options, null);
    }

    public AuthoritativeServer(Counters counters) {
        this(counters, Options.defaults());
    }

    public Options options() {
        return options;
    }

    /** The zones being served now. */
    public Authority authority() {
        return authority;
    }

    /**
     * Replaces every zone at once. Queries in flight finish on the old snapshot; the next ones see
     * the new one.
     *
     * @throws IllegalArgumentException when two zones have the same name
     */
    public synchronized void load(List<Zone> zones) {
        authority = Authority.of(zones, options.maxUdpPayload());
    }

    /** Adds {@code zone}, or replaces the zone of the same name. */
    public synchronized void put(Zone zone) {
        List<Zone> zones = new ArrayList<>(authority.zones());
        zones.removeIf(z -> z.name().equals(zone.name()));
        zones.add(zone);
        authority = Authority.of(zones, options.maxUdpPayload());
    }

    /** A new responder, for one thread. */
    public Responder responder() {
        return new Responder(this);
    }

    public void setNotifyListener(NotifyListener listener) {
        this.notifyListener = listener;
    }

    /** The key named {@code name}, or null. */
    TsigKey tsigKey(Name name) {
        return keys.get(name);
    }

    /**
     * Seconds since 1970 for TSIG, from the wall clock; without one (no keys configured, so every
     * signed request is BADKEY) the request's own time.
     */
    long epochSeconds(long fallback) {
        return clock == null ? fallback : Math.floorDiv(clock.epochNanos(), 1_000_000_000L);
    }

    /**
     * Records that a request signed with {@code key} at {@code timeSigned} verified; false when a
     * request with a later Time Signed verified before, so this one is stale or replayed and gets
     * BADTIME (RFC 8945 §5.2.3: the latest Time Signed is kept per key). Equal times pass: one
     * client sends several requests a second. Bounded: one value per configured key.
     */
    boolean freshTimeSigned(Name key, long timeSigned) {
        java.util.concurrent.atomic.AtomicLong latest = latestSigned.get(key);
        if (latest == null) {
            return true;
        }
        return latest.accumulateAndGet(timeSigned, Math::max) == timeSigned;
    }

    private static boolean keyAccepted(List<Name> keys, Name key) {
        return keys.isEmpty() || (key != null && keys.contains(key));
    }

    /**
     * Whether {@code client} may transfer {@code zone} with a request signed with {@code key}
     * (verified; null when unsigned): the zone's own prefixes and keys when it has them, else the
     * server's.
     */
    public boolean transferPermitted(Name zone, IpAddress client, Name key) {
        return contains(options.transferAllowed(zone), unmap(client)) && keyAccepted(options.transferKeys(zone), key);
    }

    boolean acceptNotify(Name zone, IpAddress from, Name key) {
        NotifyListener l = notifyListener;
        if (l == null || !l.accepts(zone, unmap(from), key)) {
            return false;
        }
        l.notified(zone, unmap(from));
        return true;
    }

    private static boolean contains(List<IpPrefix> prefixes, IpAddress c) {
        for (IpPrefix p : prefixes) {
            if (p.contains(c)) {
                return true;
            }
        }
        return false;
    }

    /** IPv4 clients of a dual-stack socket arrive as ::ffff:a.b.c.d; ACLs are written for IPv4. */
    static IpAddress unmap(IpAddress a) {
        if (a instanceof Ipv6Address v6 && v6.isIpv4Mapped()) {
            return new Ipv4Address((int) v6.low());
        }
        return a;
    }

    /**
     * The messages of a zone transfer (RFC 5936): the SOA, every record, the SOA again, packed into
     * messages of at most {@code maxMessage} bytes with names compressed; the first carries the
     * question. Null when the zone is not served.
     */
    public List<byte[]> transferMessages(int id, Name zoneName, int maxMessage) {
        return transferMessages(id, zoneName, RrType.AXFR, maxMessage);
    }

    /**
     * The same, for a query of {@code type} AXFR or IXFR (answered with the whole zone, RFC 1995
     * §4); the question echoes {@code zoneName} as asked.
     */
    public List<byte[]> transferMessages(int id, Name zoneName, int type, int maxMessage) {
        Zone zone = authority.zone(zoneName);
        if (zone == null) {
            return null;
        }
        List<Record> all = new ArrayList<>(zone.records()); // SOA first
        all.add(zone.soa());
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        boolean first = true;
        while (i < all.size()) {
            DnsWriter w = new DnsWriter(maxMessage);
            int flags = Message.QR | Message.AA;
            w.u16(id).u16(flags).u16(first ? 1 : 0).u16(0).u16(0).u16(0);
            if (first) {
                Question q = Question.of(zoneName, type);
                w.name(q.name(), true);
                w.u16(q.type()).u16(q.qclass());
            }
            int count = 0;
            while (i < all.size()) {
                int mark = w.mark();
                try {
                    all.get(i).write(w);
                } catch (DnsWriter.Overflow e) {
                    w.rollback(mark);
                    if (count == 0) {
                        throw new IllegalStateException("record " + all.get(i) + " does not fit in a message");
                    }
                    break;
                }
                count++;
                i++;
            }
            w.setU16(6, count);
            out.add(w.toByteArray());
            first = false;
        }
        return out;
    }
}
