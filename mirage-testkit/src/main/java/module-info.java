/** Test support for MirageJ modules: simulation on virtual time, simulated links, pcap, interop helpers. */
module io.miragej.testkit {
    requires transitive io.miragej.types;
    requires static org.junit.jupiter.api;
    requires static org.junit.platform.commons;

    exports io.miragej.testkit;
}
