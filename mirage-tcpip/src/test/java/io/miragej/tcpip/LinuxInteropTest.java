package io.miragej.tcpip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.net.Endpoint;
import io.miragej.net.Ipv4Prefix;
import io.miragej.net.MacAddress;
import io.miragej.stack.Flow;
import io.miragej.stats.Counters;
import io.miragej.testkit.Interop;
import io.miragej.testkit.Netns;
import io.miragej.unix.LoopThread;
import io.miragej.unix.TapNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * MirageJ's stack against the Linux kernel's: a namespace the test makes holds one end of a TAP
 * device, the DirectStack runs on the other; ping, nc and socat on the Linux side talk to it.
 */
@Timeout(180)
class LinuxInteropTest {
    static final MacAddress MAC = MacAddress.parse("02:4d:4a:00:00:02");
    static final String LINUX = "10.78.0.1";
    static final String US = "10.78.0.2";

    @TempDir
    Path dir;
    Netns ns;
    String tap;
    LoopThread loop;
    TapNetwork device;
    DirectStack stack;
    final Counters counters = new Counters();

    @BeforeEach
    void setUp() throws Exception {
        Interop.requireRoot();
        Interop.requireCommands("iproute2", "ip", "tc");
        Interop.requireCommands("iputils-ping", "ping");
        Interop.requireCommands("netcat-openbsd", "nc");
        Interop.requireCommands("socat", "socat");
        ns = Netns.create("mj-tcpip");
        tap = Netns.uniqueDeviceName("mjt");
        loop = new LoopThread("tcpip-interop");
        device = TapNetwork.open(tap, MAC, 1500, counters);
        ns.moveHere(tap);
        ns.ip("addr", "add", LINUX + "/24", "dev", tap);
        ns.ip("link", "set", tap, "up");
    }

    void start(io.miragej.device.Network network) {
        stack = DirectStack.builder(network, loop).ipv4(Ipv4Prefix.parse(US + "/24")).counters(counters).start();
    }

    void start() {
        start(device);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (device != null) {
            device.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    String sh(String script) throws Exception {
        Netns.Result r = ns.exec("bash", "-c", script);
        assertEquals(0, r.status(), () -> script + " failed: " + r.output() + "\ncounters:\n" + counters.report());
        return r.output();
    }

    @Test
    void linuxPingsTheStack() throws Exception {
        start();
        String out = sh("ping -c 5 -i 0.2 -W 2 " + US);
        assertTrue(out.contains("5 received"), out);
        assertTrue(counters.get("icmp.tx.echo-replies") >= 5);
    }

    @Test
    void largePingsAreFragmentedAndAnswered() throws Exception {
        start();
        String out = sh("ping -c 2 -s 8000 -W 2 " + US);
        assertTrue(out.contains("2 received"), out);
        assertTrue(counters.get("ipv4.reassembly.completed") >= 2);
    }

    @Test
    void tcpEchoOfAHundredMegabytesWithNetcatIsByteExact() throws Exception {
        start();
        stack.tcp().listen(7, flow -> flow.transferTo(flow));
        long t0 = System.nanoTime();
        String out = sh("cd " + dir + " && head -c 104857600 /dev/urandom > in && timeout 120 nc -N " + US
                + " 7 < in > out && sha256sum in out");
        System.out.printf("100 MB echoed through nc in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        String[] lines = out.trim().split("\n");
        assertEquals(lines[0].split(" ")[0], lines[1].split(" ")[0], out);
        assertEquals(104857600, Files.size(dir.resolve("out")));
    }

    @Test
    void udpEchoWithSocat() throws Exception {
        start();
        stack.udp().listen(7, (socket, from, payload) -> socket.send(from, payload));
        String out = sh("echo hello-udp | timeout 10 socat -t 2 - UDP:" + US + ":7");
        assertEquals("hello-udp", out.trim());
    }

    @Test
    void closedPortsRefuseAtOnce() throws Exception {
        start();
        Netns.Result r = ns.exec("bash", "-c", "timeout 5 nc -z -w 3 " + US + " 81; echo status=$?");
        assertTrue(r.output().contains("status=1"), r.output());
        assertTrue(counters.get("tcp.drop.closed-port") >= 1);
    }

    @Test
    void theStackConnectsOutToALinuxServer() throws Exception {
        start();
        Path received = dir.resolve("received");
        Process server = ns.start("socat", "-u", "TCP-LISTEN:9000,reuseaddr", "CREATE:" + received);
        byte[] data = new byte[5 << 20];
        new Random(5).nextBytes(data);
        Flow f = connectWithRetry(Endpoint.of(LINUX, 9000));
        f.write(data);
        f.close();
        assertTrue(server.waitFor(30, TimeUnit.SECONDS), "socat did not finish");
        assertEquals(sha256(data), sha256(Files.readAllBytes(received)));
    }

    /**
     * Impairs the Linux side: tc netem when the kernel has it. This machine's kernel and CI's have
     * no sch_netem (CONFIG_NET_SCH_NETEM is not set), so there nftables drops 3 % each way (input
     * and output hooks) and duplicates 1 % of what Linux sends (a netdev egress hook), with
     * counters on every rule; delay and reordering then come from our side of the device.
     */
    String impairLinuxSide() throws Exception {
        Netns.Result netem = ns.exec("tc", "qdisc", "add", "dev", tap, "root", "netem", "loss", "3%", "delay", "2ms",
                "reorder", "10%", "duplicate", "1%");
        if (netem.status() == 0) {
            return "netem";
        }
        Interop.requireCommands("nftables", "nft");
        Path rules = dir.resolve("impair.nft");
        Files.writeString(rules, """
                table inet mjloss {
                  chain in { type filter hook input priority 0; numgen random mod 100 < 3 counter drop; }
                  chain out { type filter hook output priority 0; numgen random mod 100 < 3 counter drop; }
                }
                table netdev mjdup {
                  chain egress {
                    type filter hook egress device "%s" priority 0;
                    numgen random mod 100 < 1 counter dup to "%s";
                  }
                }
                """.formatted(tap, tap));
        Netns.Result nft = ns.exec("nft", "-f", rules.toString());
        if (nft.status() != 0) {
            Interop.unavailable("neither tc netem nor nftables can impair traffic in this kernel: " + netem.output()
                    + " / " + nft.output());
        }
        return "nftables";
    }

    /** The packet counts of the nftables rules of {@code table}, in rule order. */
    long[] nftCounts(String family, String table) throws Exception {
        String out = sh("nft list table " + family + " " + table);
        return java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(out).results()
                .mapToLong(m -> Long.parseLong(m.group(1))).toArray();
    }

    /** Linux's TCP counters in the namespace (it is new: absolute values are this test's). */
    java.util.Map<String, Long> linuxCounters() throws Exception {
        java.util.Map<String, Long> m = new java.util.HashMap<>();
        for (String line : sh("nstat -az").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[1].matches("\\d+")) {
                m.put(f[0], Long.parseLong(f[1]));
            }
        }
        return m;
    }

    @Test
    void transfersCompleteThroughLossDelayDuplicationAndReordering() throws Exception {
        Interop.requireCommands("iproute2", "nstat");
        String how = impairLinuxSide();
        // Without netem, delay and reordering come from our side of the wire: the stack on an impaired device.
        ImpairedNetwork impaired = how.equals("netem") ? null : new ImpairedNetwork(device, 99, 0.0, 0.0, 0.10,
                2_000_000L);
        start(impaired != null ? impaired : device);
        stack.tcp().listen(7, flow -> flow.transferTo(flow));
        String out = sh("cd " + dir + " && head -c 4194304 /dev/urandom > in && timeout 120 nc -N " + US
                + " 7 < in > out && sha256sum in out");
        String[] lines = out.trim().split("\n");
        assertEquals(lines[0].split(" ")[0], lines[1].split(" ")[0], out);
        // The stack connects out and sends through the same impairment.
        Path received = dir.resolve("received");
        Process server = ns.start("socat", "-u", "TCP-LISTEN:9000,reuseaddr", "CREATE:" + received);
        byte[] data = new byte[2 << 20];
        new Random(7).nextBytes(data);
        Flow f = connectWithRetry(Endpoint.of(LINUX, 9000));
        f.write(data);
        f.close();
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "socat did not finish");
        assertEquals(sha256(data), sha256(Files.readAllBytes(received)));
        // and UDP still answers
        stack.udp().listen(8, (socket, from, payload) -> socket.send(from, payload));
        Netns.Result r = ns.exec("bash", "-c", "for i in 1 2 3 4 5; do echo x | timeout 3 socat -t 1 - UDP:" + US
                + ":8 && exit 0; done; exit 1");
        assertEquals(0, r.status(), r.output());

        // The impairment was real, and both stacks saw and repaired it.
        java.util.Map<String, Long> linux = linuxCounters();
        StringBuilder ours = new StringBuilder();
        for (String c : new String[] {"tcp.tx.segments", "tcp.tx.retransmits", "tcp.rack.losses", "tcp.tlp.probes",
                "tcp.rto", "tcp.rx.segments", "tcp.out-of-order", "tcp.drop.duplicate", "tcp.drop.paws"}) {
            ours.append(' ').append(c).append('=').append(counters.get(c));
        }
        StringBuilder theirs = new StringBuilder();
        for (String c : new String[] {"TcpOutSegs", "TcpRetransSegs", "TcpExtTCPOFOQueue", "TcpExtTCPSACKReorder",
                "TcpExtTCPDSACKRecv", "TcpExtTCPDSACKOldSent", "TcpExtTCPTimeouts"}) {
            theirs.append(' ').append(c).append('=').append(linux.getOrDefault(c, 0L));
        }
        String seen = how + "\nours:" + ours + "\nLinux:" + theirs;
        if (impaired != null) {
            long[] lost = nftCounts("inet", "mjloss");
            long[] dup = nftCounts("netdev", "mjdup");
            seen += "\nnft dropped in " + lost[0] + ", out " + lost[1] + ", duplicated " + dup[0] + "; reordered "
                    + impaired.reordered;
            assertTrue(lost[0] > 0 && lost[1] > 0, "nftables dropped both ways: " + seen);
            assertTrue(dup[0] > 0, "nftables duplicated: " + seen);
            assertTrue(impaired.reordered.get() > 0, "frames were held back to be overtaken: " + seen);
        }
        System.out.println("impaired transfers, " + seen.replace("\n", "\n  "));
        assertTrue(counters.get("tcp.tx.retransmits") > 0, "we resent what was dropped: " + seen);
        assertTrue(linux.getOrDefault("TcpRetransSegs", 0L) > 0, "Linux resent what was dropped: " + seen);
        assertTrue(counters.get("tcp.out-of-order") > 0, "we received out of order: " + seen);
        assertTrue(linux.getOrDefault("TcpExtTCPOFOQueue", 0L) > 0, "Linux received out of order: " + seen);
        assertTrue(counters.get("tcp.drop.duplicate") > 0, "we received duplicates: " + seen);
    }

    @Test
    void dnsmasqGivesTheStackItsAddress() throws Exception {
        Interop.requireCommands("dnsmasq-base", "dnsmasq");
        ns.start("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--interface=" + tap, "--bind-interfaces",
                "--dhcp-range=10.78.0.50,10.78.0.99,255.255.255.0,1h", "--dhcp-option=option:router,10.78.0.1",
                "--dhcp-leasefile=" + dir.resolve("leases"), "--pid-file=" + dir.resolve("pid"), "--port=0");
        stack = DirectStack.builder(device, loop).dhcp(true).counters(counters).start();
        Ipv4Prefix got = stack.awaitAddress(Duration.ofSeconds(30));
        int host = got.address().bits() & 0xff;
        assertTrue(host >= 50 && host <= 99, "an address from the range: " + got);
        assertEquals(24, got.length());
        String out = sh("ping -c 2 -W 2 " + got.address());
        assertTrue(out.contains("2 received"), out);
        assertTrue(Files.readString(dir.resolve("leases")).contains(MAC.toString()), "dnsmasq recorded the lease");
    }

    @Test
    void linuxReachesTheStackOverIpv6LinkLocalAndSlaac() throws Exception {
        Interop.requireCommands("dnsmasq-base", "dnsmasq");
        ns.ip("-6", "addr", "add", "2001:db8:78::1/64", "dev", tap, "nodad");
        ns.start("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--interface=" + tap, "--bind-interfaces",
                "--enable-ra", "--dhcp-range=2001:db8:78::,ra-only,64,1h", "--ra-param=" + tap + ",3",
                "--pid-file=" + dir.resolve("pid6"), "--port=0");
        start();
        stack.tcp().listen(7, flow -> flow.transferTo(flow));
        // The link-local address comes first, the global one with the first advertisement.
        io.miragej.net.Ipv6Address global = null;
        for (int i = 0; i < 300 && global == null; i++) {
            for (io.miragej.net.IpPrefix p : stack.ip().addresses()) {
                if (p.address() instanceof io.miragej.net.Ipv6Address v && !v.isLinkLocal()) {
                    global = v;
                }
            }
            Thread.sleep(100);
        }
        assertTrue(global != null, "no SLAAC address after 30 s: " + stack.ip().addresses() + "\n" + counters.report());
        assertEquals("2001:db8:78:0:4d:4aff:fe00:2", global.toString(), "prefix + modified EUI-64 of our MAC");
        String linkLocal = "fe80::4d:4aff:fe00:2%" + tap;
        assertTrue(sh("ping -6 -c 3 -i 0.2 -W 2 " + linkLocal).contains("3 received"));
        assertTrue(sh("ping -6 -c 3 -i 0.2 -W 2 " + global).contains("3 received"));
        String out = sh("cd " + dir + " && head -c 5242880 /dev/urandom > in6 && timeout 60 nc -6 -N " + global
                + " 7 < in6 > out6 && sha256sum in6 out6");
        String[] lines = out.trim().split("\n");
        assertEquals(lines[0].split(" ")[0], lines[1].split(" ")[0], out);
        // And out: the stack connects to a Linux server over IPv6.
        Path received = dir.resolve("received6");
        Process server = ns.start("socat", "-u", "TCP6-LISTEN:9001,reuseaddr", "CREATE:" + received);
        byte[] data = new byte[1 << 20];
        new Random(6).nextBytes(data);
        Flow f = connectWithRetry(Endpoint.parse("[2001:db8:78::1]:9001"));
        f.write(data);
        f.close();
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        assertEquals(sha256(data), sha256(Files.readAllBytes(received)));
    }

    @Test
    void aSnoopingLinuxBridgeLearnsOurSolicitedNodeGroupFromOurMldReports() throws Exception {
        Interop.requireCommands("iproute2", "bridge");
        // The TAP device becomes a port of a bridge that snoops MLD and queries for it.
        String br = Netns.uniqueDeviceName("mjbr");
        ns.ip("link", "add", br, "type", "bridge", "mcast_snooping", "1", "mcast_querier", "1");
        ns.ip("addr", "flush", "dev", tap);
        ns.ip("link", "set", tap, "master", br);
        ns.ip("link", "set", br, "up");
        start();
        String group = "ff02::1:ff00:2"; // of fe80::4d:4aff:fe00:2, our link-local address
        String mdb = "";
        for (int i = 0; i < 100 && !mdb.contains(group); i++) {
            Thread.sleep(100);
            mdb = sh("bridge mdb show dev " + br);
        }
        assertTrue(mdb.contains(group) && mdb.contains("port " + tap), "the bridge's group table: " + mdb
                + "\n" + counters.report());
        assertTrue(counters.get("mld.tx.reports") >= 1);
    }

    private Flow connectWithRetry(Endpoint to) throws Exception {
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return stack.tcp().connect(to, Duration.ofSeconds(5));
            } catch (java.net.ConnectException e) {
                last = e; // the server is not listening yet
                Thread.sleep(100);
            }
        }
        throw last;
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

}
