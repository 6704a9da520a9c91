/** The dns-server example: an authoritative DNS server for zone files. */
module io.miragej.examples.dns {
    requires io.miragej.types;
    requires io.miragej.dns;
    requires org.slf4j;

    opens io.miragej.examples.dns to io.miragej.types;
}
