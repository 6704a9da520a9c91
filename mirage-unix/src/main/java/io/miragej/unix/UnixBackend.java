package io.miragej.unix;

import io.miragej.device.Block;
import io.miragej.device.Console;
import io.miragej.device.EventLoop;
import io.miragej.device.MonotonicClock;
import io.miragej.device.Network;
import io.miragej.device.Random;
import io.miragej.device.Time;
import io.miragej.device.WallClock;
import io.miragej.kv.ReadOnlyKv;
import io.miragej.kv.ReadWriteKv;
import io.miragej.net.Endpoint;
import io.miragej.net.MacAddress;
import io.miragej.platform.Backend;
import io.miragej.platform.Config;
import io.miragej.platform.ConfigException;
import io.miragej.platform.Devices;
import io.miragej.platform.Key;
import io.miragej.platform.StackProvider;
import io.miragej.stack.Stack;
import io.miragej.stats.Counters;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The unix backend: MirageJ hosted as an ordinary process on Linux. */
public final class UnixBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(UnixBackend.class);

    /** Which network stack applications get from {@link Devices#stack()}. */
    public static final Key<String> NET = Key.choice("net", "socket",
            "network stack: socket (the host's sockets) or direct (MirageJ's own TCP/IP, needs mirage-tcpip)",
            "socket", "direct");

    public static final Key<String> TAP = deviceName("tap",
            "TAP device for --net=direct: attached to if it exists, created if not (needs root)");
    public static final Key<Boolean> TAP_OFFLOAD = Key.flag("tap-offload", true,
            "open --tap with virtio-net headers, so the kernel hands the direct stack TCP segments of up to 64 KB"
                    + " with checksums left to it (TSO/checksum offloads): fewer, larger reads");
    public static final Key<Boolean> TAP_TSO = Key.flag("tap-tso", true,
            "with --tap-offload, let the kernel cut the direct stack's large TCP segments (segmentation offload on"
                    + " send); false sends every segment as the stack cut it");
    public static final Key<String> NETIF = deviceName("netif",
            "host interface for --net=direct, used raw through a packet socket (needs root)");
    public static final Key<Endpoint> QEMU_LISTEN = Key.endpoint("qemu-listen", null,
            "for --net=direct: wait here for QEMU's -netdev stream,server=off to connect");
    public static final Key<Endpoint> QEMU_CONNECT = Key.endpoint("qemu-connect", null,
            "for --net=direct: connect to QEMU's -netdev stream,server=on here");
    public static final Key<MacAddress> MAC = Key.of("mac", "MAC", "a MAC address like 02:00:5e:10:00:01", null,
            MacAddress::parse, "MAC address of the direct stack; without it, a random locally administered one");
    public static final Key<Integer> MTU = Key.integer("mtu", 1500, 576, 9000, "MTU of the network device");
    public static final Key<java.nio.file.Path> DISK = Key.path("disk", null,
            "disk image file the application's block device lives in; created (see --disk-size) when missing");
    public static final Key<Long> DISK_SIZE = Key.size("disk-size", 64L << 20,
            "size of the disk image --disk creates when the file does not exist");

    private static Key<String> deviceName(String key, String doc) {
        return Key.of(key, "NAME", "a network device name of 1-15 characters without '/', ':' or spaces", null,
                text -> {
                    if (text.isEmpty() || text.length() > 15) {
                        throw new IllegalArgumentException("not a device name");
                    }
                    for (int i = 0; i < text.length(); i++) {
                        char c = text.charAt(i);
                        if (c == '/' || c == ':' || Character.isWhitespace(c)) {
                            throw new IllegalArgumentException("not a device name");
                        }
                    }
                    return text;
                }, doc);
    }

    @Override
    public String name() {
        return "unix";
    }

    @Override
    public String coordinates() {
        return "io.miragej:mirage-unix";
    }

    @Override
    public List<Key<?>> keys() {
        return List.of(NET, TAP, TAP_OFFLOAD, TAP_TSO, NETIF, QEMU_LISTEN, QEMU_CONNECT, MAC, MTU, DISK, DISK_SIZE);
    }

    @Override
    public Session open(Config config) {
        return new UnixSession(config);
    }

    /** One run: the devices handed to the application, closed together at its end. */
    static final class UnixSession implements Session, Devices {
        private final Config config;
        private final Counters counters = new Counters();
        private final HostConsole console = new HostConsole(System.out);
        private final HostTime time = new HostTime();
        private final HostRandom random = new HostRandom();
        private final ServiceTracker services = new ServiceTracker();
        private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
        private Stack stack;
        private boolean closed;

        UnixSession(Config config) {
            this.config = config;
        }

        @Override
        public Devices devices() {
            return this;
        }

        @Override
        public void awaitServices() throws InterruptedException {
            services.awaitNone();
        }

        @Override
        public Config config() {
            return config;
        }

        @Override
        public Console console() {
            return console;
        }

        @Override
        public MonotonicClock monotonicClock() {
            return System::nanoTime;
        }

        @Override
        public WallClock wallClock() {
            return () -> {
                Instant now = Instant.now();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            };
        }

        @Override
        public Time time() {
            return time;
        }

        @Override
        public Random random() {
            return random;
        }

        @Override
        public Counters counters() {
            return counters;
        }

        @Override
        public synchronized Stack stack() throws IOException {
            if (stack == null) {
                String mode = config.get(NET);
                Stack s;
                if (mode.equals("socket")) {
                    s = new SocketStack(counters, SocketStack.MAX_CONNECTIONS);
                } else {
                    s = provider(mode).open(this);
                }
                resources.add(s);
                stack = services.track(s);
                LOG.debug("opened the {} stack", mode);
            }
            return stack;
        }

        private StackProvider provider(String mode) {
            List<StackProvider> found = new ArrayList<>();
            for (StackProvider p : ServiceLoader.load(StackProvider.class)) {
                if (p.mode().equals(mode)) {
                    found.add(p);
                }
            }
            if (found.isEmpty()) {
                throw new ConfigException("--net=" + mode + " needs MirageJ's TCP/IP stack on the class path:"
                        + " add the dependency io.miragej:mirage-tcpip to the application's pom, or use --net=socket");
            }
            return found.getFirst();
        }

        @Override
        public EventLoop eventLoop(String name) {
            LoopThread loop = new LoopThread(name);
            resources.add(loop);
            return loop;
        }

        @Override
        public Network network(String name) throws IOException {
            String spec = name.equals(DEFAULT_NETWORK) ? configuredNetwork() : name;
            int colon = spec.indexOf(':');
            String kind = colon < 0 ? "" : spec.substring(0, colon);
            String arg = colon < 0 ? "" : spec.substring(colon + 1);
            MacAddress mac = config.find(MAC).orElseGet(() -> MacAddress.locallyAdministered(random.nextLong()));
            int mtu = config.get(MTU);
            Network n = switch (kind) {
                case "tap" -> TapNetwork.open(arg, mac, mtu, config.get(TAP_OFFLOAD), config.get(TAP_TSO), counters);
                case "netif" -> PacketSocketNetwork.open(arg, mac, mtu, counters);
                case "qemu-listen" -> QemuStreamNetwork.listen(Endpoint.parse(arg), mac, mtu, counters);
                case "qemu-connect" -> QemuStreamNetwork.connect(Endpoint.parse(arg), mac, mtu, counters);
                default -> throw new IOException("no network device '" + name + "': the unix backend knows tap:NAME,"
                        + " netif:NAME, qemu-listen:ADDR:PORT and qemu-connect:ADDR:PORT");
            };
            resources.add(n);
            return n;
        }

        /** The one device --tap, --netif, --qemu-listen or --qemu-connect names. */
        private String configuredNetwork() {
            List<String> given = new ArrayList<>();
            config.find(TAP).ifPresent(t -> given.add("tap:" + t));
            config.find(NETIF).ifPresent(t -> given.add("netif:" + t));
            config.find(QEMU_LISTEN).ifPresent(t -> given.add("qemu-listen:" + t));
            config.find(QEMU_CONNECT).ifPresent(t -> given.add("qemu-connect:" + t));
            if (given.size() != 1) {
                throw new ConfigException((given.isEmpty() ? "no network device is configured" : "several network"
                        + " devices are configured (" + String.join(", ", given) + ")") + ": --net=direct needs exactly"
                        + " one of --tap=NAME, --netif=NAME, --qemu-listen=ADDR:PORT or --qemu-connect=ADDR:PORT");
            }
            return given.getFirst();
        }

        @Override
        public Block block(String name, boolean readOnly) throws IOException {
            Path file;
            if (name.equals(DEFAULT_BLOCK)) {
                file = config.find(DISK).orElseThrow(() -> new ConfigException("this application needs a block"
                        + " device: give --disk=FILE, a disk image (created with --disk-size when missing)"));
            } else {
                file = Path.of(name);
            }
            FileBlock b;
            if (name.equals(DEFAULT_BLOCK) && !java.nio.file.Files.exists(file) && !readOnly) {
                long size = config.get(DISK_SIZE);
                if (size < 512 || size % 512 != 0) {
                    throw new ConfigException("--disk-size=" + size + " is not accepted: a disk image is a whole number"
                            + " of 512-byte sectors, at least one");
                }
                b = FileBlock.create(file, size, 512);
                LOG.info("created disk image {} of {} bytes", file, size);
            } else {
                b = FileBlock.open(file, readOnly, 512);
            }
            resources.add(b);
            return b;
        }

        @Override
        public ReadOnlyKv readOnlyKv(String source) throws IOException {
            if (source.startsWith("classpath:")) {
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                return ResourceKv.open(loader != null ? loader : UnixBackend.class.getClassLoader(),
                        source.substring("classpath:".length()));
            }
            return DirectoryKv.open(Path.of(source), true);
        }

        @Override
        public ReadWriteKv readWriteKv(String name) throws IOException {
            return DirectoryKv.open(Path.of(name), false);
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            for (AutoCloseable r : resources.reversed()) {
                try {
                    r.close();
                } catch (Exception e) {
                    LOG.debug("closing {} failed", r, e);
                }
            }
            time.close();
            services.shutdown();
        }
    }
}
