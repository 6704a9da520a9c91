package io.miragej.dns.server;

import io.miragej.buffer.PacketBuffer;
import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Edns;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.net.IpAddress;
import io.miragej.net.Ipv4Address;

/** Sends queries straight to a responder, as the adapters would. */
final class Client {
    static final IpAddress LOCAL = Ipv4Address.parse("127.0.0.1");
    final Responder responder;

    Client(AuthoritativeServer server) {
        this.responder = server.responder();
    }

    Message ask(String name, int type) {
        return ask(Message.query(0x1234, Name.of(name), type), false);
    }

    Message askEdns(String name, int type, int size, boolean dnssecOk) {
        return ask(Message.query(0x4321, Name.of(name), type).withEdns(Edns.of(size, dnssecOk)), false);
    }

    Message ask(Message query, boolean tcp) {
        byte[] raw = raw(query.encode(), tcp);
        if (raw == null) {
            return null;
        }
        try {
            return Message.decode(raw);
        } catch (DnsFormatException e) {
            throw new AssertionError("the server sent a malformed response: " + e.getMessage(), e);
        }
    }

    /** The response bytes, or null for silence; TRANSFER is returned as an empty array. */
    byte[] raw(byte[] query, boolean tcp) {
        int n = responder.respond(PacketBuffer.wrap(query), tcp, LOCAL);
        if (n == Responder.DROP) {
            return null;
        }
        if (n == Responder.TRANSFER) {
            return new byte[0];
        }
        return responder.response().toByteArray();
    }
}
