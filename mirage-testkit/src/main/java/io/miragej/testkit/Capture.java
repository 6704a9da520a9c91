package io.miragej.testkit;

/**
 * A pcap of a simulation, kept in memory and written to {@code target/pcap/} only if the test
 * fails. Get one as a test method parameter with {@code @ExtendWith(PcapOnFailure.class)}.
 */
public final class Capture {
    private final PcapWriter pcap = PcapWriter.inMemory();

    public PcapWriter pcap() {
        return pcap;
    }
}
