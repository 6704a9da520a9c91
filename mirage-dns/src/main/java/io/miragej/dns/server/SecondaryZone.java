package io.miragej.dns.server;

import io.miragej.dns.Name;
import io.miragej.dns.zone.Zone;

/**
 * When a secondary zone checks its primary and transfers, as a sans-IO state machine (RFC 1034
 * §4.3.5, RFC 1996): the time and outcomes go in, the next action and deadline come out. It checks
 * the primary's SOA serial every REFRESH seconds and at once on NOTIFY, transfers when the
 * primary's serial is newer (serial number arithmetic, RFC 1982 §3.2), retries after RETRY
 * seconds on failure, and expires the zone EXPIRE seconds after the last successful check.
 */
public final class SecondaryZone {
    /** What the adapter does now. */
    public enum Action { NONE, QUERY_SOA, TRANSFER }

    /** Retry interval before the first transfer, when no SOA says otherwise. */
    static final long INITIAL_RETRY_NANOS = 5_000_000_000L;
    /** Floor under the SOA's intervals, so a zone with REFRESH 0 does not hammer its primary. */
    static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private final Name name;
    private long serial = -1;
    private long refresh = INITIAL_RETRY_NANOS;
    private long retry = INITIAL_RETRY_NANOS;
    private long expire = Long.MAX_VALUE;
    private long nextCheck;
    private long expiresAt = Long.MAX_VALUE;
    private boolean busy;
    /** Expired and out of service: the next check transfers whatever the serial. */
    private boolean withdrawn;
    private boolean notifiedWhileBusy;

    public SecondaryZone(Name name, long now) {
        this.name = name;
        this.nextCheck = now;
    }

    public Name name() {
        return name;
    }

    /** The serial of the copy held, or -1 before the first transfer. */
    public long serial() {
        return serial;
    }

    public boolean loaded() {
        return serial >= 0;
    }

    /** QUERY_SOA when a check is due, else NONE. */
    public Action poll(long now) {
        if (busy || now - nextCheck < 0) {
            return Action.NONE;
        }
        busy = true;
        return Action.QUERY_SOA;
    }

    /** When {@link #poll} has something to do next (Long.MAX_VALUE while a check runs). */
    public long deadline() {
        return busy ? Long.MAX_VALUE : nextCheck;
    }

    /** A NOTIFY arrived: check now (or right after the check running). */
    public void notified(long now) {
        if (busy) {
            notifiedWhileBusy = true;
        } else {
            nextCheck = now;
        }
    }

    /** The primary's SOA serial: TRANSFER when it is newer than ours, else the check is done. */
    public Action soa(long primarySerial, long now) {
        if (!loaded() || withdrawn || isNewer(primarySerial, serial)) {
            return Action.TRANSFER;
        }
        done(now);
        expiresAt = saturatedAdd(now, expire);
        return Action.NONE;
    }

    /** The transfer gave {@code zone}; intervals come from its SOA now. */
    public void transferred(Zone zone, long now) {
        serial = zone.serial();
        withdrawn = false;
        var soa = zone.soa().rdata();
        refresh = Math.max(MIN_INTERVAL_NANOS, soa.numberField(3) * 1_000_000_000L);
        retry = Math.max(MIN_INTERVAL_NANOS, soa.numberField(4) * 1_000_000_000L);
        expire = Math.max(MIN_INTERVAL_NANOS, soa.numberField(5) * 1_000_000_000L);
        expiresAt = saturatedAdd(now, expire);
        done(now);
    }

    /** The check or transfer failed; try again after RETRY. */
    public void failed(long now) {
        busy = false;
        nextCheck = notifiedWhileBusy ? now : now + retry;
        notifiedWhileBusy = false;
    }

    private void done(long now) {
        busy = false;
        nextCheck = notifiedWhileBusy ? now : now + refresh;
        notifiedWhileBusy = false;
    }

    /** True once the copy held is too old to serve (RFC 1035 §3.3.13 EXPIRE) and still in service. */
    public boolean expired(long now) {
        return loaded() && !withdrawn && now - expiresAt >= 0;
    }

    /** The adapter took the expired copy out of service; the next good check transfers it again. */
    public void withdraw() {
        withdrawn = true;
    }

    /** RFC 1982 §3.2: {@code a} is newer than {@code b}. */
    public static boolean isNewer(long a, long b) {
        long d = (a - b) & 0xffff_ffffL;
        return d != 0 && d < 0x8000_0000L;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
