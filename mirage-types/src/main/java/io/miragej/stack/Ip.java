package io.miragej.stack;

import io.miragej.net.IpPrefix;
import java.util.List;

/** The IP layer of a stack, as far as applications see it: its addresses and MTU. */
public interface Ip {
    /** The addresses configured on the stack, each with its network's prefix length. */
    List<IpPrefix> addresses();

    /** Largest IP packet the stack sends without fragmenting. */
    int mtu();
}
