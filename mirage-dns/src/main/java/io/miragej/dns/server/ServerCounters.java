package io.miragej.dns.server;

import io.miragej.stats.Counter;
import io.miragej.stats.Counters;

/** The server's counters, taken once from the registry so the packet path only increments. */
final class ServerCounters {
    final Counter queries;
    final Counter dropShort;
    final Counter dropResponse;
    final Counter formerr;
    final Counter notimp;
    final Counter refused;
    final Counter badvers;
    final Counter truncated;
    final Counter transfers;
    final Counter transferRefused;
    final Counter notifies;
    final Counter notifyRefused;
    final Counter tsigOk;
    final Counter tsigBadKey;
    final Counter tsigBadSig;
    final Counter tsigBadTime;
    final Counter tsigFormerr;
    final Counter transferUnsigned;
    /** Transfers refused by the zone's own policy (AuthoritativeServer.Options.zoneTransferAllowed/Keys). */
    final Counter transferRefusedZone;
    private final Counter[] byRcode = new Counter[17];

    ServerCounters(Counters c) {
        queries = c.counter("dns.queries.in");
        dropShort = c.counter("dns.drop.short");
        dropResponse = c.counter("dns.drop.response");
        formerr = c.counter("dns.query.formerr");
        notimp = c.counter("dns.query.notimp");
        refused = c.counter("dns.query.refused");
        badvers = c.counter("dns.query.badvers");
        truncated = c.counter("dns.responses.truncated");
        transfers = c.counter("dns.axfr.out");
        transferRefused = c.counter("dns.axfr.refused");
        notifies = c.counter("dns.notify.in");
        notifyRefused = c.counter("dns.notify.refused");
        tsigOk = c.counter("dns.tsig.in.ok");
        tsigBadKey = c.counter("dns.tsig.in.badkey");
        tsigBadSig = c.counter("dns.tsig.in.badsig");
        tsigBadTime = c.counter("dns.tsig.in.badtime");
        tsigFormerr = c.counter("dns.tsig.in.formerr");
        transferUnsigned = c.counter("dns.axfr.refused.key");
        transferRefusedZone = c.counter("dns.axfr.refused.zone");
        String[] names = {"noerror", "formerr", "servfail", "nxdomain", "notimp", "refused"};
        for (int i = 0; i < byRcode.length; i++) {
            byRcode[i] = c.counter("dns.responses." + (i < names.length ? names[i] : "rcode" + i));
        }
    }

    void count(int rcode) {
        byRcode[Math.min(rcode, byRcode.length - 1)].increment();
    }
}
