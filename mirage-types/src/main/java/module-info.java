/**
 * MirageJ's signatures. Protocol libraries and applications are written against these types only;
 * a backend (found through {@link java.util.ServiceLoader}) implements them.
 */
module io.miragej.types {
    exports io.miragej.buffer;
    exports io.miragej.net;
    exports io.miragej.device;
    exports io.miragej.kv;
    exports io.miragej.stack;
    exports io.miragej.stats;
    exports io.miragej.platform;

    uses io.miragej.platform.Backend;
    uses io.miragej.platform.KeySet;
    uses io.miragej.platform.StackProvider;
}
