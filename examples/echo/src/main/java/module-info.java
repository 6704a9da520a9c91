/** The echo example: TCP and UDP echo (RFC 862) on one port. */
module io.miragej.examples.echo {
    requires io.miragej.types;

    opens io.miragej.examples.echo to io.miragej.types;
}
