/**
 * The unix backend: MirageJ hosted on Linux (and other POSIX hosts). Put exactly this backend on
 * an application's class path to run it as an ordinary process.
 */
module io.miragej.unix {
    requires transitive io.miragej.types;
    requires org.slf4j;

    exports io.miragej.unix;

    uses io.miragej.platform.StackProvider;

    provides io.miragej.platform.Backend with io.miragej.unix.UnixBackend;
}
