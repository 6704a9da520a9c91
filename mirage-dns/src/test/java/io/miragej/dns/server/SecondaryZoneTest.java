package io.miragej.dns.server;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.Record;
import io.miragej.dns.RrType;
import io.miragej.dns.zone.Zone;
import io.miragej.dns.zone.ZoneException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecondaryZoneTest {
    static final long S = 1_000_000_000L;
    static final Name N = Name.of("example.com.");

    static Zone zone(long serial) {
        return Zones.parse(Zones.EXAMPLE.replace("1 7200 3600 1209600 300", serial + " 7200 3600 1209600 300"));
    }

    @Test
    void firstTransferThenRefreshOnTheSoaInterval() {
        SecondaryZone z = new SecondaryZone(N, 0);
        assertEquals(SecondaryZone.Action.QUERY_SOA, z.poll(0));
        assertEquals(SecondaryZone.Action.NONE, z.poll(1), "one check at a time");
        assertEquals(Long.MAX_VALUE, z.deadline());
        assertEquals(SecondaryZone.Action.TRANSFER, z.soa(5, 1));
        z.transferred(zone(5), 2);
        assertEquals(5, z.serial());
        assertEquals(2 + 7200 * S, z.deadline());
        assertEquals(SecondaryZone.Action.NONE, z.poll(7200 * S));
        assertEquals(SecondaryZone.Action.QUERY_SOA, z.poll(2 + 7200 * S));
        assertEquals(SecondaryZone.Action.NONE, z.soa(5, 7201 * S), "same serial: nothing to do");
        assertEquals(7201 * S + 7200 * S, z.deadline());
    }

    @Test
    void notifyChecksAtOnceEvenDuringACheck() {
        SecondaryZone z = new SecondaryZone(N, 0);
        z.poll(0);
        z.soa(1, 0);
        z.transferred(zone(1), 0);
        z.notified(10 * S);
        assertEquals(10 * S, z.deadline());
        assertEquals(SecondaryZone.Action.QUERY_SOA, z.poll(10 * S));
        z.notified(11 * S); // arrives while checking
        assertEquals(SecondaryZone.Action.NONE, z.soa(1, 12 * S));
        assertEquals(12 * S, z.deadline(), "the NOTIFY that came during the check starts another");
    }

    @Test
    void failuresRetryAndTheZoneExpires() {
        SecondaryZone z = new SecondaryZone(N, 0);
        z.poll(0);
        z.failed(1);
        assertEquals(1 + SecondaryZone.INITIAL_RETRY_NANOS, z.deadline());
        z.poll(z.deadline());
        z.soa(1, 10 * S);
        z.transferred(zone(1), 10 * S);
        assertFalse(z.expired(10 * S + 1209599 * S));
        z.poll(10 * S + 7200 * S);
        z.failed(10 * S + 7200 * S);
        assertEquals(10 * S + 7200 * S + 3600 * S, z.deadline(), "RETRY from the SOA");
        long expiry = 10 * S + 1209600 * S;
        assertTrue(z.expired(expiry), "EXPIRE after the last good check");
        z.withdraw();
        assertFalse(z.expired(expiry + 1), "withdrawn once");
        z.poll(z.deadline());
        assertEquals(SecondaryZone.Action.TRANSFER, z.soa(1, expiry + 2), "same serial, but the copy was withdrawn");
        z.transferred(zone(1), expiry + 3);
        assertFalse(z.expired(expiry + 4));
    }

    @Test
    void serialArithmeticOfRfc1982() {
        assertTrue(SecondaryZone.isNewer(2, 1));
        assertFalse(SecondaryZone.isNewer(1, 2));
        assertFalse(SecondaryZone.isNewer(7, 7));
        assertTrue(SecondaryZone.isNewer(0, 0xffff_ffffL), "wraps around");
        assertTrue(SecondaryZone.isNewer(5, 0xffff_fff0L));
        assertFalse(SecondaryZone.isNewer(0x8000_0000L, 0), "2^31 apart is undefined: not newer");
        assertTrue(SecondaryZone.isNewer(0x7fff_ffffL, 0));
        SecondaryZone z = new SecondaryZone(N, 0);
        z.poll(0);
        z.soa(0xffff_fff0L, 0);
        z.transferred(zone(0xffff_fff0L), 0);
        z.notified(1);
        z.poll(1);
        assertEquals(SecondaryZone.Action.TRANSFER, z.soa(3, 2));
    }

    @Test
    void transferReaderChecksTheStream() throws Exception {
        Zone zone = zone(9);
        AuthoritativeServer primary = new AuthoritativeServer(new io.miragej.stats.Counters());
        primary.load(List.of(zone));
        List<byte[]> msgs = primary.transferMessages(77, N, 600);
        ZoneTransferReader r = new ZoneTransferReader(N, 77);
        for (byte[] b : msgs) {
            r.accept(Message.decode(b));
        }
        assertTrue(r.complete());
        assertEquals(zone.records(), r.zone().records());

        ZoneTransferReader wrongId = new ZoneTransferReader(N, 78);
        assertThrows(ZoneException.class, () -> wrongId.accept(Message.decode(msgs.getFirst())));
        ZoneTransferReader early = new ZoneTransferReader(N, 77);
        early.accept(Message.decode(msgs.getFirst()));
        ZoneException e = assertThrows(ZoneException.class, early::zone);
        assertTrue(e.getMessage().contains("did not end"), e.getMessage());
        Message noSoa = new Message(77, Message.QR, List.of(), List.of(Record.of("www.example.com.", 1, RrType.A, "192.0.2.1")),
                List.of(), List.of(), null);
        assertThrows(ZoneException.class, () -> new ZoneTransferReader(N, 77).accept(noSoa));
        Message refused = new Message(77, Message.QR | 5, List.of(), List.of(), List.of(), List.of(), null);
        e = assertThrows(ZoneException.class, () -> new ZoneTransferReader(N, 77).accept(refused));
        assertTrue(e.getMessage().contains("REFUSED"), e.getMessage());
        ZoneTransferReader small = new ZoneTransferReader(N, 77, 5);
        e = assertThrows(ZoneException.class, () -> {
            for (byte[] b : msgs) {
                small.accept(Message.decode(b));
            }
        });
        assertTrue(e.getMessage().contains("more than 5 records"), e.getMessage());
        Message changed = new Message(77, Message.QR, List.of(),
                List.of(zone.soa(), zone(10).soa()), List.of(), List.of(), null);
        assertThrows(ZoneException.class, () -> new ZoneTransferReader(N, 77).accept(changed));
    }
}
