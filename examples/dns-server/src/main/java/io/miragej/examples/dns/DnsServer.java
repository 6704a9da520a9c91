package io.miragej.examples.dns;

import io.miragej.dns.Name;
import io.miragej.dns.server.AuthoritativeServer;
import io.miragej.dns.server.DnsService;
import io.miragej.dns.server.Notifier;
import io.miragej.dns.server.SecondaryService;
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
 */
public final class DnsServer implements Unikernel {
    static final Key<List<Path>> ZONE = Key.path("zone", null,
            "zone file to serve (RFC 1035 master file); its SOA owner names the zone").repeatable();
    static final Key<IpAddress> ADDRESS = Key.ipAddress("address", Ipv6Address.ANY,
            "address to answer on (:: is every address, IPv4 included)");
    static final Key<Integer> PORT = Key.port("port", 53, "UDP and TCP port to answer on");
    static final Key<List<IpPrefix>> ALLOW_TRANSFER = Key.of("allow-transfer", "ADDR/PREFIX",
            "an IPv4 or IPv6 prefix, like 192.0.2.0/24", null, IpPrefix::parse,
            "clients allowed to transfer zones by AXFR").repeatable();
    static final Key<List<Endpoint>> NOTIFY = Key.endpoint("notify", null,
            "secondary to send NOTIFY to when a zone changes, like 192.0.2.2:53").repeatable();
    static final Key<List<String>> SECONDARY = Key.of("secondary", "ZONE@ADDR:PORT",
            "a zone name, '@' and its primary's endpoint, like example.com@192.0.2.1:53", null,
            DnsServer::checkSecondary, "zone to copy from a primary by AXFR, refreshed on its SOA and NOTIFY").repeatable();
    static final Key<Integer> UDP_THREADS = Key.integer("udp-threads", 1, 1, Udp.MAX_PARALLELISM,
            "threads answering UDP, each on a socket of its own (socket stack; the direct stack answers on its loop)");
    static final Key<Duration> RELOAD = Key.duration("reload-interval", Duration.ofSeconds(2),
            "how often zone files are checked for changes (0s: never)");

    private final Map<Path, FileTime> loadedAt = new HashMap<>();

    static String checkSecondary(String text) {
        int at = text.indexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("no '@'");
        }
        Name.of(text.substring(0, at));
        Endpoint.parse(text.substring(at + 1));
        return text;
    }

    @Override
    public void start(Devices devices) throws Exception {
        var config = devices.config();
        List<Path> files = config.get(ZONE);
        List<String> secondaries = config.get(SECONDARY);
        if (files.isEmpty() && secondaries.isEmpty()) {
            throw new ConfigException("no zones: give --zone=FILE (repeatable) for each zone file to serve,"
                    + " or --secondary=ZONE@ADDR:PORT");
        }
        AuthoritativeServer server = new AuthoritativeServer(devices.counters(),
                AuthoritativeServer.Options.defaults().withTransferAllowed(config.get(ALLOW_TRANSFER)));
        List<Zone> zones = loadAll(files);
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
                    devices.random(), devices.counters(), Duration.ofSeconds(10));
            for (String s : secondaries) {
                int at = s.indexOf('@');
                copies.add(Name.of(s.substring(0, at)), Endpoint.parse(s.substring(at + 1)));
            }
        }
        List<Endpoint> notify = config.get(NOTIFY);
        Notifier notifier = new Notifier(stack, devices.random(), devices.monotonicClock(), devices.counters());
        Duration interval = config.get(RELOAD);
        if (!interval.isZero() && !files.isEmpty()) {
            Thread.ofVirtual().name("zone-reload").start(() -> watch(devices, server, files, notify, notifier, interval));
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
            Notifier notifier, Duration interval) {
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
                        notifier.notify(z, notify, 5, Duration.ofSeconds(2));
                    }
                }
            }
        }
    }

    public static void main(String[] args) {
        Mirage.run(new DnsServer(), args);
    }
}
