package io.miragej.examples.dns;

import io.miragej.dns.Name;
import io.miragej.dns.server.AuthoritativeServer;
import io.miragej.dns.server.DnsService;
import io.miragej.dns.server.Notifier;
import io.miragej.dns.server.SecondaryService;
import io.miragej.dns.tsig.TsigKey;
import io.miragej.dns.zone.Zone;
import io.miragej.dns.zone.ZoneException;
import io.miragej.dns.zone.ZoneFile;
import io.miragej.net.Endpoint;
import io.miragej.net.IpAddress;
import io.miragej.net.IpPrefix;
import io.miragej.net.Ipv6Address;
import io.miragej.platform.ConfigException;
import io.miragej.platform.Devices;
import io.miragej.platform.Key;
import io.miragej.platform.Mirage;
import io.miragej.platform.Unikernel;
import io.miragej.stack.Stack;
import io.miragej.stack.Udp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An authoritative DNS server: {@code ./mirage run dns-server --zone=FILE [--zone=FILE ...]
 * --address=ADDR --port=N}. Each zone's name is its file's SOA owner. Zone files are checked for
 * changes and reloaded without dropping queries; secondaries named with {@code --notify} are told.
 * With {@code --secondary=ZONE@ADDR:PORT} it also keeps copies of zones from their primaries.
 * TSIG (RFC 8945): {@code --tsig-key=NAME:ALGORITHM:SECRET} declares keys, {@code
 * --transfer-key=NAME} makes transfers need one (NOTIFY sent signed with the first), and {@code
 * --allow-transfer=ZONE=ADDR/PREFIX} and {@code --transfer-key=ZONE=NAME} give one zone its own
 * transfer policy (NSD's per-zone provide-xfr, BIND's per-zone allow-transfer); {@code
 * --secondary=ZONE@ADDR:PORT:KEYNAME} signs and checks everything exchanged with that primary.
 */
public final class DnsServer implements Unikernel {
    static final Key<List<Path>> ZONE = Key.path("zone", null,
            "zone file to serve (RFC 1035 master file); its SOA owner names the zone").repeatable();
    static final Key<IpAddress> ADDRESS = Key.ipAddress("address", Ipv6Address.ANY,
            "address to answer on (:: is every address, IPv4 included)");
    static final Key<Integer> PORT = Key.port("port", 53, "UDP and TCP port to answer on");
    static final Key<List<ForZone<IpPrefix>>> ALLOW_TRANSFER = Key.of("allow-transfer", "[ZONE=]ADDR/PREFIX",
            "an IPv4 or IPv6 prefix for every zone, like 192.0.2.0/24, or a zone name, '=' and a prefix for that"
                    + " zone only, like example.com=192.0.2.0/24", null, t -> ForZone.parse(t, IpPrefix::parse),
            "clients allowed to transfer zones by AXFR; a zone given its own prefixes uses only those").repeatable();
    static final Key<List<Endpoint>> NOTIFY = Key.endpoint("notify", null,
            "secondary to send NOTIFY to when a zone changes, like 192.0.2.2:53").repeatable();
    static final Key<List<Secondary>> SECONDARY = Key.of("secondary", "ZONE@ADDR:PORT[:KEYNAME]",
            "a zone name, '@', its primary's endpoint and optionally ':' and a --tsig-key name,"
                    + " like example.com@192.0.2.1:53 or example.com@192.0.2.1:53:xfr.example", null,
            DnsServer::parseSecondary, "zone to copy from a primary by AXFR, refreshed on its SOA and NOTIFY;"
                    + " with a key, queries, transfers and NOTIFY for it are signed with it").repeatable();
    static final Key<List<TsigKey>> TSIG_KEY = Key.of("tsig-key", "NAME:ALGORITHM:SECRET",
            "a key name, an algorithm (hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1) and the"
                    + " base64 secret as tsig-keygen prints it, like xfr.example:hmac-sha256:c2VjcmV0c2VjcmV0", null,
            TsigKey::parse, "a TSIG key (RFC 8945); signed queries with it are verified and answered signed").repeatable().secret();
    static final Key<List<ForZone<Name>>> TRANSFER_KEY = Key.of("transfer-key", "[ZONE=]NAME",
            "the name of a --tsig-key for every zone, like xfr.example, or a zone name, '=' and a key name for that"
                    + " zone only, like example.com=xfr.example", null, t -> ForZone.parse(t, DnsServer::keyName),
            "transfers must be signed with this key (repeatable: any of them), besides coming from --allow-transfer;"
                    + " a zone given its own keys uses only those; NOTIFY for a zone is signed with its first key")
            .repeatable();
    static final Key<Integer> UDP_THREADS = Key.integer("udp-threads", 1, 1, Udp.MAX_PARALLELISM,
            "threads answering UDP, each on a socket of its own (socket stack; the direct stack answers on its loop)");
    static final Key<Duration> RELOAD = Key.duration("reload-interval", Duration.ofSeconds(2),
            "how often zone files are checked for changes (0s: never)");

    private final Map<Path, FileTime> loadedAt = new HashMap<>();

    /**
     * A setting for one zone ({@code ZONE=VALUE}), or for every zone without its own ({@code zone}
     * null, plain {@code VALUE}).
     */
    record ForZone<T>(Name zone, T value) {
        static <T> ForZone<T> parse(String text, java.util.function.Function<String, T> value) {
            int eq = text.indexOf('=');
            if (eq < 0) {
                return new ForZone<>(null, value.apply(text));
            }
            if (eq == 0 || eq == text.length() - 1) {
                throw new IllegalArgumentException("a zone name and a value around '='");
            }
            String zone = text.substring(0, eq);
            return new ForZone<>(Name.of(zone.endsWith(".") ? zone : zone + "."), value.apply(text.substring(eq + 1)));
        }

        /** The values for every zone. */
        static <T> List<T> global(List<ForZone<T>> all) {
            return all.stream().filter(f -> f.zone() == null).map(ForZone::value).toList();
        }

        /** The values per zone, for the zones given their own. */
        static <T> Map<Name, List<T>> byZone(List<ForZone<T>> all) {
            Map<Name, List<T>> m = new java.util.LinkedHashMap<>();
            for (ForZone<T> f : all) {
                if (f.zone() != null) {
                    m.computeIfAbsent(f.zone(), z -> new ArrayList<>()).add(f.value());
                }
            }
            return m;
        }
    }

    /** A zone kept as a copy of its primary's, with the TSIG key that signs what they exchange (or null). */
    record Secondary(Name zone, Endpoint primary, Name key) {}

    static Name keyName(String text) {
        return Name.of(text.endsWith(".") ? text : text + ".");
    }

    static Secondary parseSecondary(String text) {
        int at = text.indexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("no '@'");
        }
        Name zone = Name.of(text.substring(0, at));
        String rest = text.substring(at + 1);
        try {
            return new Secondary(zone, Endpoint.parse(rest), null);
        } catch (RuntimeException e) {
            int colon = rest.lastIndexOf(':');
            if (colon <= 0) {
                throw e;
            }
            return new Secondary(zone, Endpoint.parse(rest.substring(0, colon)), keyName(rest.substring(colon + 1)));
        }
    }

    /** The key named {@code name}, or a start-up error naming the key that referred to it. */
    private static TsigKey key(List<TsigKey> keys, Name name, String referrer) {
        for (TsigKey k : keys) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        throw new ConfigException(referrer + ": no --tsig-key is named " + name + " (declared: "
                + keys.stream().map(k -> k.name().toString()).toList() + ")");
    }

    /** A start-up error unless {@code zone} is served here (from a --zone file or as a --secondary). */
    private static void checkServed(java.util.Set<Name> served, Name zone, String referrer) {
        if (!served.contains(zone)) {
            throw new ConfigException(referrer + ": " + zone + " is not a zone served here (zones: "
                    + served.stream().map(Name::toString).toList() + "); give a zone by the SOA owner of a --zone"
                    + " file or the name of a --secondary zone");
        }
    }

    @Override
    public void start(Devices devices) throws Exception {
        var config = devices.config();
        List<Path> files = config.get(ZONE);
        List<Secondary> secondaries = config.get(SECONDARY);
        List<TsigKey> tsigKeys = config.get(TSIG_KEY);
        List<ForZone<Name>> transferKeyArgs = config.get(TRANSFER_KEY);
        List<ForZone<IpPrefix>> allowArgs = config.get(ALLOW_TRANSFER);
        List<Name> transferKeys = ForZone.global(transferKeyArgs);
        Map<Name, List<Name>> zoneTransferKeys = ForZone.byZone(transferKeyArgs);
        java.util.Set<Name> seen = new java.util.HashSet<>();
        for (TsigKey k : tsigKeys) {
            if (!seen.add(k.name())) {
                throw new ConfigException("--tsig-key: two keys are named " + k.name() + "; give each key once");
            }
        }
        for (ForZone<Name> f : transferKeyArgs) {
            key(tsigKeys, f.value(), "--transfer-key=" + (f.zone() == null ? "" : f.zone() + "=") + f.value());
        }
        for (Secondary s : secondaries) {
            if (s.key() != null) {
                key(tsigKeys, s.key(), "--secondary=" + s.zone() + "@" + s.primary() + ":" + s.key());
            }
        }
        if (files.isEmpty() && secondaries.isEmpty()) {
            throw new ConfigException("no zones: give --zone=FILE (repeatable) for each zone file to serve,"
                    + " or --secondary=ZONE@ADDR:PORT");
        }
        List<Zone> zones = loadAll(files);
        AuthoritativeServer.Options options = AuthoritativeServer.Options.defaults()
                .withTransferAllowed(ForZone.global(allowArgs)).withTsigKeys(tsigKeys).withTransferKeys(transferKeys);
        java.util.Set<Name> served = new java.util.LinkedHashSet<>();
        zones.forEach(z -> served.add(z.name()));
        secondaries.forEach(s -> served.add(s.zone()));
        for (var e : ForZone.byZone(allowArgs).entrySet()) {
            checkServed(served, e.getKey(), "--allow-transfer=" + e.getKey() + "=" + e.getValue().getFirst());
            options = options.withZoneTransferAllowed(e.getKey(), e.getValue());
        }
        for (var e : zoneTransferKeys.entrySet()) {
            checkServed(served, e.getKey(), "--transfer-key=" + e.getKey() + "=" + e.getValue().getFirst());
            options = options.withZoneTransferKeys(e.getKey(), e.getValue());
        }
        AuthoritativeServer server = new AuthoritativeServer(devices.counters(), options, devices.wallClock());
        server.load(zones);
        // Parsing and compiling the zones left garbage several times the size of what is kept.
        // Collecting it once now lets a small heap give those pages back to the OS (the bench runs
        // with -XX:MaxHeapFreeRatio), which is most of the server's resident memory.
        System.gc();
        Stack stack = devices.stack();
        Endpoint local = new Endpoint(config.get(ADDRESS), config.get(PORT));
        DnsService service = DnsService.start(stack, server, local, devices.time(), devices.monotonicClock(),
                devices.counters(), DnsService.Options.defaults().withUdpThreads(config.get(UDP_THREADS)));
        if (!secondaries.isEmpty()) {
            SecondaryService copies = new SecondaryService(stack, server, devices.time(), devices.monotonicClock(),
                    devices.wallClock(), devices.random(), devices.counters(), Duration.ofSeconds(10));
            for (Secondary s : secondaries) {
                copies.add(s.zone(), s.primary(), s.key() == null ? null : key(tsigKeys, s.key(), "--secondary"));
            }
        }
        List<Endpoint> notify = config.get(NOTIFY);
        Notifier notifier = new Notifier(stack, devices.random(), devices.monotonicClock(), devices.wallClock(),
                devices.counters());
        // NOTIFY for a zone is signed with the zone's first transfer key, else the first for every zone.
        java.util.function.Function<Name, TsigKey> notifyKey = zone -> {
            List<Name> keys = zoneTransferKeys.getOrDefault(zone, transferKeys);
            return keys.isEmpty() ? null : key(tsigKeys, keys.getFirst(), "--transfer-key");
        };
        Duration interval = config.get(RELOAD);
        if (!interval.isZero() && !files.isEmpty()) {
            Thread.ofVirtual().name("zone-reload").start(() -> watch(devices, server, files, notify, notifier, notifyKey,
                    interval));
        }
        devices.console().println("dns-server: " + zones.size() + " zone(s) on " + service.local() + " (UDP and TCP, "
                + stack.mode() + " stack): " + String.join(" ", zones.stream().map(z -> z.name().toString()).toList()));
    }

    private List<Zone> loadAll(List<Path> files) throws IOException {
        List<Zone> zones = new ArrayList<>();
        for (Path f : files) {
            try {
                FileTime t = Files.getLastModifiedTime(f);
                zones.add(ZoneFile.load(f));
                loadedAt.put(f, t);
            } catch (ZoneException e) {
                throw new ConfigException("--zone=" + f + ": " + e.getMessage());
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ConfigException("--zone=" + f + ": the file does not exist");
            }
        }
        return zones;
    }

    /** Reloads every zone when a file changed; a zone that fails to load keeps the old copy in service. */
    private void watch(Devices devices, AuthoritativeServer server, List<Path> files, List<Endpoint> notify,
            Notifier notifier, java.util.function.Function<Name, TsigKey> notifyKey, Duration interval) {
        while (true) {
            try {
                devices.time().sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            boolean changed = false;
            for (Path f : files) {
                try {
                    changed |= !Objects.equals(Files.getLastModifiedTime(f), loadedAt.get(f));
                } catch (IOException e) {
                    // a file being replaced; try next time
                }
            }
            if (!changed) {
                continue;
            }
            List<Zone> before = server.authority().zones();
            List<Zone> zones = new ArrayList<>(before);
            for (Path f : files) {
                try {
                    FileTime t = Files.getLastModifiedTime(f);
                    if (Objects.equals(t, loadedAt.get(f))) {
                        continue;
                    }
                    Zone z = ZoneFile.load(f);
                    loadedAt.put(f, t);
                    zones.removeIf(old -> old.name().equals(z.name()));
                    zones.add(z);
                    devices.console().println("dns-server: reloaded " + z.name() + " serial " + z.serial() + " from " + f);
                } catch (ZoneException | IOException e) {
                    devices.console().println("dns-server: not reloading " + f + ", still serving the old copy: "
                            + e.getMessage());
                }
            }
            try {
                server.load(zones);
            } catch (IllegalArgumentException e) {
                devices.console().println("dns-server: reload refused: " + e.getMessage());
                continue;
            }
            if (!notify.isEmpty()) {
                for (Zone z : zones) {
                    if (before.stream().noneMatch(b -> b.name().equals(z.name()) && b.serial() == z.serial())) {
                        notifier.notify(z, notify, notifyKey.apply(z.name()), 5, Duration.ofSeconds(2));
                    }
                }
            }
        }
    }

    public static void main(String[] args) {
        Mirage.run(new DnsServer(), args);
    }
}
