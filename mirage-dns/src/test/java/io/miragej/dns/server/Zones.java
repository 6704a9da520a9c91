package io.miragej.dns.server;

import io.miragej.dns.Name;
import io.miragej.dns.zone.Zone;
import io.miragej.dns.zone.ZoneException;
import io.miragej.dns.zone.ZoneFile;

/** Zones used by the server tests. */
final class Zones {
    private Zones() {}

    static final String EXAMPLE = """
            $ORIGIN example.com.
            $TTL 3600
            @   SOA ns1 hostmaster 1 7200 3600 1209600 300
                NS  ns1
                NS  ns2.example.net.
                MX  10 mail
                A   192.0.2.1
            ns1 A 192.0.2.53
            mail A 192.0.2.25
            mail AAAA 2001:db8::25
            www CNAME web
            web CNAME host
            host A 192.0.2.80
            ext CNAME www.example.net.
            dangling CNAME nothere
            loop1 CNAME loop2
            loop2 CNAME loop1
            towild CNAME foo.wild
            *.wild A 192.0.2.42
            *.wild MX 10 mail
            sub NS ns.sub
            sub NS ns.example.net.
            ns.sub A 192.0.2.99
            srv SRV 0 5 5060 mail
            old DNAME example.net.
            long DNAME bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example.net.
            a.b.c TXT "deep"
            big TXT "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            big TXT "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
            big TXT "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
            big TXT "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
            big TXT "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
            """;

    static Zone example() {
        return parse(EXAMPLE);
    }

    static Zone parse(String text) {
        try {
            return ZoneFile.parse(text, "test.zone", null);
        } catch (ZoneException e) {
            throw new AssertionError(e);
        }
    }

    static Name name(String s) {
        return Name.of(s);
    }
}
