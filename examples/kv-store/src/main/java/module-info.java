/** The kv-store example: a TCP key-value service whose data lives in a crash-safe store on a disk image. */
module io.miragej.examples.kvstore {
    requires io.miragej.types;
    requires io.miragej.block;

    opens io.miragej.examples.kvstore to io.miragej.types;
}
