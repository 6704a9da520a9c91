/**
 * DNS for MirageJ: the wire format (io.miragej.dns), zone files (io.miragej.dns.zone), an
 * authoritative server (io.miragej.dns.server) and a stub resolver (io.miragej.dns.resolver),
 * written against the signatures of mirage-types only.
 */
module io.miragej.dns {
    requires transitive io.miragej.types;
    requires org.slf4j;

    exports io.miragej.dns;
    exports io.miragej.dns.zone;
    exports io.miragej.dns.server;
    exports io.miragej.dns.resolver;
    exports io.miragej.dns.tsig;
}
