package io.miragej.tcpip.ipv6;

import static io.miragej.tcpip.Packets.concat;
import static io.miragej.tcpip.Packets.ethernet;
import static io.miragej.tcpip.Packets.getLong;
import static io.miragej.tcpip.Packets.getMac;
import static io.miragej.tcpip.Packets.getU16;
import static io.miragej.tcpip.Packets.icmpv6;
import static io.miragej.tcpip.Packets.ipv6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.stats.Counters;
import io.miragej.tcpip.Packets;
import io.miragej.tcpip.TestLink;
import io.miragej.tcpip.host.StackCore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MLD (RFC 3810, RFC 2710) for the solicited-node groups, against hand-built queries. */
class MldTest {
    static final long MAC = 0x52_54_00_12_34_56L;
    static final long ROUTER_MAC = 0x02_00_00_00_00_01L;
    static final long LL = 0xfe80_0000_0000_0000L;
    static final long IID = 0x5054_00ff_fe12_3456L;
    static final long ROUTER_IID = 0x0200_00ff_fe00_0001L;
    static final long FF02 = 0xff02_0000_0000_0000L;
    static final long GROUP = 0x0000_0001_ff12_3456L;
    static final long S = 1_000_000_000L;
    static final long MS = 1_000_000L;

    final TestLink link = new TestLink(MAC);
    final Counters counters = new Counters();
    final StackCore core = new StackCore(link, StackCore.Limits.defaults(), counters, 5, 6);
    long now;

    /** An MLD message we sent, checked on the way: hop limit 1, Router Alert, a valid checksum. */
    record Report(long dstMac, long sh, long sl, long dh, long dl, byte[] icmp) {
        int type() {
            return icmp[0] & 0xff;
        }

        /** MLDv2: {record type, group low} for each record. */
        List<long[]> records() {
            List<long[]> r = new ArrayList<>();
            int n = getU16(icmp, 6);
            for (int i = 0; i < n; i++) {
                int p = 8 + 20 * i;
                assertEquals(FF02, getLong(icmp, p + 4));
                r.add(new long[] {icmp[p] & 0xff, getLong(icmp, p + 12)});
            }
            return r;
        }
    }

    List<Report> reports() {
        List<Report> out = new ArrayList<>();
        for (byte[] f : link.drain()) {
            if (getU16(f, 12) != 0x86dd || (f[20] & 0xff) != 0) {
                continue; // not behind a hop-by-hop header: not MLD
            }
            assertEquals(1, f[21] & 0xff, "hop limit 1");
            byte[] hbh = Arrays.copyOfRange(f, 54, 62);
            assertArrayEquals(new byte[] {58, 0, 5, 2, 0, 0, 1, 0}, hbh, "Router Alert for MLD");
            byte[] icmp = Arrays.copyOfRange(f, 62, f.length);
            long sh = getLong(f, 22);
            long sl = getLong(f, 30);
            long dh = getLong(f, 38);
            long dl = getLong(f, 46);
            assertEquals(0, Packets.checksum(icmp, 0, icmp.length, Packets.pseudo6(sh, sl, dh, dl, 58, icmp.length)),
                    "ICMPv6 checksum");
            out.add(new Report(getMac(f, 0), sh, sl, dh, dl, icmp));
        }
        return out;
    }

    void advance(long t) {
        while (core.nextDeadline() <= now + t) {
            now = Math.max(now, core.nextDeadline());
            core.onTimer(now);
        }
        now += t;
    }

    /** A query from the router's link-local address, behind a Router Alert, hop limit {@code hop}. */
    void query(long sh, int hop, byte[] body) {
        byte[] hbh = {58, 0, 5, 2, 0, 0, 1, 0};
        byte[] msg = icmpv6(sh, ROUTER_IID, FF02, 1, 130, 0, body);
        core.receive(Packets.frame(ethernet(0x33_33_00_00_00_01L, ROUTER_MAC, 0x86dd,
                ipv6(sh, ROUTER_IID, FF02, 1, 0, hop, concat(hbh, msg)))), now);
    }

    /** The body of an MLDv2 general query (after type, code, checksum) with a response code in ms. */
    static byte[] v2GeneralQuery(int maxResponseMs) {
        byte[] b = new byte[24];
        b[0] = (byte) (maxResponseMs >>> 8);
        b[1] = (byte) maxResponseMs;
        return b;
    }

    @Test
    void joiningTheSolicitedNodeGroupIsReportedTwiceToMldv2Routers() {
        core.enableIpv6(false, 0);
        advance(0);
        List<Report> first = reports();
        assertEquals(1, first.size());
        Report r = first.getFirst();
        assertEquals(143, r.type());
        assertEquals(0x33_33_00_00_00_16L, r.dstMac());
        assertEquals(FF02, r.dh());
        assertEquals(0x16, r.dl(), "to all MLDv2 routers");
        assertEquals(0, r.sh() | r.sl(), "from the unspecified address while the link-local one is tentative");
        assertEquals(1, r.records().size());
        assertArrayEquals(new long[] {4, GROUP}, r.records().getFirst(), "CHANGE_TO_EXCLUDE_MODE, no sources");
        advance(S);
        assertEquals(1, reports().size(), "the robustness repeat within a second");
        advance(300 * S);
        assertTrue(reports().isEmpty(), "then quiet until asked");
        assertEquals(2, counters.get("mld.tx.reports"));
    }

    @Test
    void aSecondAddressWithItsOwnGroupIsReportedAndTheAllNodesGroupNever() {
        core.enableIpv6(false, 0);
        advance(2 * S);
        reports();
        core.addIpv6Address(0x2001_0db8_0000_0001L, IID, 64, now); // same interface ID: same group
        advance(2 * S);
        assertTrue(reports().isEmpty(), "no new group");
        core.addIpv6Address(0x2001_0db8_0000_0001L, 0x99, 64, now);
        advance(0);
        Report r = reports().getFirst();
        assertEquals(LL, r.sh(), "from the link-local address now");
        List<long[]> recs = r.records();
        assertEquals(2, recs.size());
        for (long[] rec : recs) {
            assertEquals(4, rec[0]);
            assertTrue(rec[1] == GROUP || rec[1] == 0x0000_0001_ff00_0099L, Long.toHexString(rec[1]));
            assertTrue(rec[1] != 1, "ff02::1 is never reported");
        }
    }

    @Test
    void aGeneralQueryIsAnsweredWithinItsMaximumResponseDelay() {
        core.enableIpv6(false, 0);
        advance(2 * S);
        reports();
        query(LL, 1, v2GeneralQuery(500));
        advance(501 * MS);
        List<Report> answer = reports();
        assertEquals(1, answer.size());
        assertArrayEquals(new long[] {2, GROUP}, answer.getFirst().records().getFirst(), "MODE_IS_EXCLUDE");
        assertEquals(1, counters.get("mld.rx.queries"));
    }

    @Test
    void queriesNotFromALinkLocalRouterOneHopAwayAreIgnored() {
        core.enableIpv6(false, 0);
        advance(2 * S);
        reports();
        query(LL, 255, v2GeneralQuery(100));
        query(0x2001_0db8_0000_0001L, 1, v2GeneralQuery(100));
        advance(S);
        assertTrue(reports().isEmpty());
        assertEquals(2, counters.get("mld.drop.invalid"));
    }

    @Test
    void anMldv1QuerierIsAnsweredInMldv1() {
        core.enableIpv6(false, 0);
        advance(2 * S);
        reports();
        byte[] v1 = new byte[20]; // max response delay (2 bytes, ms), reserved, multicast address ::
        v1[0] = 0x03;
        v1[1] = (byte) 0xe8;
        query(LL, 1, v1);
        advance(S + 1);
        Report r = reports().getFirst();
        assertEquals(131, r.type(), "an MLDv1 report");
        assertEquals(FF02, r.dh());
        assertEquals(GROUP, r.dl(), "sent to the group itself");
        assertEquals(GROUP, getLong(r.icmp(), 16));
    }

    @Test
    void aGroupLeftIsReportedWithChangeToInclude() {
        core.enableIpv6(false, 0);
        advance(2 * S);
        core.addIpv6Address(0x2001_0db8_0000_0001L, 0x99, 64, now);
        advance(100 * MS); // tentative: DAD runs
        reports();
        // Someone already holds 2001:db8:0:1::99: DAD fails, the address and its group go.
        long target = 0x99;
        byte[] na = new byte[20];
        Packets.putInt(na, 0, 0x2000_0000);
        Packets.putLong(na, 4, 0x2001_0db8_0000_0001L);
        Packets.putLong(na, 12, target);
        core.receive(Packets.frame(ethernet(0x33_33_00_00_00_01L, ROUTER_MAC, 0x86dd, ipv6(LL, ROUTER_IID, FF02, 1,
                58, 255, icmpv6(LL, ROUTER_IID, FF02, 1, 136, 0, na)))), now);
        assertEquals(1, counters.get("ndp.dad.duplicate"));
        advance(0);
        Report r = reports().getFirst();
        boolean left = false;
        for (long[] rec : r.records()) {
            if (rec[1] == 0x0000_0001_ff00_0099L) {
                assertEquals(3, rec[0], "CHANGE_TO_INCLUDE_MODE, no sources: left");
                left = true;
            } else {
                assertArrayEquals(new long[] {4, GROUP}, rec);
            }
        }
        assertTrue(left);
    }
}
