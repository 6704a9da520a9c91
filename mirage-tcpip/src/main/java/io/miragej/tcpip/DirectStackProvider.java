package io.miragej.tcpip;

import io.miragej.device.Network;
import io.miragej.platform.Config;
import io.miragej.platform.Devices;
import io.miragej.platform.StackProvider;
import io.miragej.stack.Stack;
import java.io.IOException;

/**
 * Brings {@code --net=direct} to any backend: a {@link DirectStack} on the backend's configured
 * network device ({@link Devices#DEFAULT_NETWORK}), its own event loop, the platform's
 * random source and counters, and the addresses of {@code --ipv4} and {@code --ipv4-gateway}.
 */
public final class DirectStackProvider implements StackProvider {
    /** How long start-up waits for a DHCP lease. */
    static final java.time.Duration DHCP_WAIT = java.time.Duration.ofSeconds(30);

    @Override
    public String mode() {
        return "direct";
    }

    @Override
    public String coordinates() {
        return "io.miragej:mirage-tcpip";
    }

    @Override
    public Stack open(Devices devices) throws IOException {
        Config config = devices.config();
        Network network = devices.network(Devices.DEFAULT_NETWORK);
        DirectStack.Builder b = DirectStack.builder(network, devices.eventLoop("tcpip-" + network.name()))
                .counters(devices.counters())
                .random(devices.random());
        config.find(TcpipKeys.IPV4).ifPresent(b::ipv4);
        config.find(TcpipKeys.IPV4_GATEWAY).ifPresent(b::ipv4Gateway);
        config.find(TcpipKeys.IPV6).ifPresent(b::ipv6Address);
        java.util.Optional<io.miragej.net.IpAddress> gw6 = config.find(TcpipKeys.IPV6_GATEWAY);
        if (gw6.isPresent()) {
            if (!(gw6.get() instanceof io.miragej.net.Ipv6Address v6)) {
                throw new io.miragej.platform.ConfigException("--ipv6-gateway=" + gw6.get()
                        + " is an IPv4 address: give the IPv4 gateway with --ipv4-gateway, an IPv6 one here");
            }
            b.ipv6Gateway(v6);
        }
        b.slaac(config.get(TcpipKeys.SLAAC));
        b.ipv6(!config.get(TcpipKeys.IPV4_ONLY));
        long buffer = config.get(TcpipKeys.TCP_BUFFER);
        if (buffer < 4096 || buffer > (1 << 30)) {
            throw new io.miragej.platform.ConfigException("--tcp-buffer=" + buffer + " is out of range: give 4K to 1G");
        }
        b.tcp(io.miragej.tcpip.tcp.TcpConfig.defaults().withBuffers((int) buffer, (int) buffer).withCongestion(
                config.get(TcpipKeys.TCP_CONGESTION).equals("cubic") ? io.miragej.tcpip.tcp.CongestionControl.Kind.CUBIC
                        : io.miragej.tcpip.tcp.CongestionControl.Kind.NEW_RENO));
        boolean dhcp = config.get(TcpipKeys.DHCP);
        b.dhcp(dhcp);
        DirectStack stack;
        try {
            stack = b.start();
        } catch (IllegalArgumentException e) {
            throw new io.miragej.platform.ConfigException(e.getMessage());
        }
        if (dhcp) {
            try {
                stack.awaitAddress(DHCP_WAIT);
            } catch (IOException e) {
                stack.close();
                throw e;
            }
        }
        return stack;
    }
}
