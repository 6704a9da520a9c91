package io.miragej.stack;

import io.miragej.net.Endpoint;

/** A received UDP datagram: who sent it and a copy of its payload. */
public record Datagram(Endpoint from, byte[] payload) {}
