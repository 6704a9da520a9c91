package io.miragej.dns;

import static io.miragej.dns.Field.*;

import java.util.HashMap;
import java.util.Map;

/** The RDATA layout of each record type this library understands field by field. */
final class Schema {
    private Schema() {}

    private static final Map<Integer, Field[]> SCHEMAS = new HashMap<>();

    static {
        put(RrType.A, IPV4);
        put(RrType.NS, NAME_COMPRESSED);
        put(RrType.CNAME, NAME_COMPRESSED);
        put(RrType.SOA, NAME_COMPRESSED, NAME_COMPRESSED, U32, SECONDS, SECONDS, SECONDS, SECONDS);
        put(RrType.PTR, NAME_COMPRESSED);
        put(RrType.HINFO, STRING, STRING);
        put(RrType.MX, U16, NAME_COMPRESSED);
        put(RrType.TXT, STRINGS);
        put(RrType.SPF, STRINGS);
        put(RrType.RP, NAME, NAME);
        put(RrType.AAAA, IPV6);
        put(RrType.SRV, U16, U16, U16, NAME);
        put(RrType.NAPTR, U16, U16, STRING, STRING, STRING, NAME);
        put(RrType.DNAME, NAME);
        put(RrType.DS, U16, ALGORITHM, U8, HEX);
        put(RrType.CDS, U16, ALGORITHM, U8, HEX);
        put(RrType.SSHFP, U8, U8, HEX);
        put(RrType.RRSIG, TYPE, ALGORITHM, U8, U32, TIME, TIME, U16, NAME, BASE64);
        put(RrType.NSEC, NAME, BITMAP);
        put(RrType.DNSKEY, U16, U8, ALGORITHM, BASE64);
        put(RrType.CDNSKEY, U16, U8, ALGORITHM, BASE64);
        put(RrType.NSEC3, U8, U8, U16, HEX8, BASE32_8, BITMAP);
        put(RrType.NSEC3PARAM, U8, U8, U16, HEX8);
        put(RrType.TLSA, U8, U8, U8, HEX);
        put(RrType.SVCB, U16, NAME, SVC_PARAMS);
        put(RrType.HTTPS, U16, NAME, SVC_PARAMS);
        put(RrType.CAA, U8, CAA_TAG, CAA_VALUE);
    }

    private static void put(int type, Field... fields) {
        SCHEMAS.put(type, fields);
    }

    /** The layout of {@code type}, or null for types carried as opaque bytes (RFC 3597). */
    static Field[] of(int type) {
        return SCHEMAS.get(type);
    }

    /**
     * Types whose embedded names compare and sort lower-cased in canonical form (RFC 4034 §6.2 as
     * amended by RFC 6840 §5.1).
     */
    static boolean namesCanonicallyLowercase(int type) {
        return switch (type) {
            case RrType.NS, RrType.CNAME, RrType.SOA, RrType.PTR, RrType.MX, RrType.RP,
                    RrType.SRV, RrType.NAPTR, RrType.DNAME, RrType.RRSIG -> true;
            default -> false;
        };
    }
}
