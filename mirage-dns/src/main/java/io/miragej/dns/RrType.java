package io.miragej.dns;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Resource record types (IANA "Resource Record (RR) TYPEs"), as plain {@code int} constants so the
 * packet path needs no boxing. Types without a mnemonic here are written {@code TYPEnnn} (RFC 3597
 * §5).
 */
public final class RrType {
    private RrType() {}

    public static final int A = 1;
    public static final int NS = 2;
    public static final int CNAME = 5;
    public static final int SOA = 6;
    public static final int PTR = 12;
    public static final int HINFO = 13;
    public static final int MX = 15;
    public static final int TXT = 16;
    public static final int RP = 17;
    public static final int AAAA = 28;
    public static final int SRV = 33;
    public static final int NAPTR = 35;
    public static final int DNAME = 39;
    public static final int OPT = 41;
    public static final int DS = 43;
    public static final int SSHFP = 44;
    public static final int RRSIG = 46;
    public static final int NSEC = 47;
    public static final int DNSKEY = 48;
    public static final int NSEC3 = 50;
    public static final int NSEC3PARAM = 51;
    public static final int TLSA = 52;
    public static final int CDS = 59;
    public static final int CDNSKEY = 60;
    public static final int SVCB = 64;
    public static final int HTTPS = 65;
    public static final int SPF = 99;
    public static final int TKEY = 249;
    public static final int TSIG = 250;
    public static final int IXFR = 251;
    public static final int AXFR = 252;
    public static final int MAILB = 253;
    public static final int MAILA = 254;
    public static final int ANY = 255;
    public static final int CAA = 257;

    private static final Map<Integer, String> NAMES = new HashMap<>();
    private static final Map<String, Integer> CODES = new HashMap<>();

    static {
        Object[] table = {
            A, "A", NS, "NS", CNAME, "CNAME", SOA, "SOA", PTR, "PTR", HINFO, "HINFO", MX, "MX",
            TXT, "TXT", RP, "RP", AAAA, "AAAA", SRV, "SRV", NAPTR, "NAPTR", DNAME, "DNAME",
            OPT, "OPT", DS, "DS", SSHFP, "SSHFP", RRSIG, "RRSIG", NSEC, "NSEC", DNSKEY, "DNSKEY",
            NSEC3, "NSEC3", NSEC3PARAM, "NSEC3PARAM", TLSA, "TLSA", CDS, "CDS", CDNSKEY, "CDNSKEY",
            SVCB, "SVCB", HTTPS, "HTTPS", SPF, "SPF", TKEY, "TKEY", TSIG, "TSIG", IXFR, "IXFR",
            AXFR, "AXFR", MAILB, "MAILB", MAILA, "MAILA", ANY, "ANY", CAA, "CAA",
        };
        for (int i = 0; i < table.length; i += 2) {
            NAMES.put((Integer) table[i], (String) table[i + 1]);
            CODES.put((String) table[i + 1], (Integer) table[i]);
        }
    }

    /** The mnemonic of {@code type}, or {@code TYPEnnn}. */
    public static String toString(int type) {
        String s = NAMES.get(type);
        return s != null ? s : "TYPE" + type;
    }

    /** The type named by a mnemonic or {@code TYPEnnn} (any case), or -1 when it names none. */
    public static int parse(String text) {
        String t = text.toUpperCase(Locale.ROOT);
        Integer code = CODES.get(t);
        if (code != null) {
            return code;
        }
        if (t.startsWith("TYPE") && t.length() > 4 && t.length() <= 9) {
            int v = 0;
            for (int i = 4; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                v = v * 10 + (c - '0');
            }
            return v <= 0xffff ? v : -1;
        }
        return -1;
    }

    /** True for QTYPEs and other types that never appear as data in a zone (RFC 6895 §3.1). */
    public static boolean isMeta(int type) {
        return type == OPT || (type >= 128 && type <= 255) || type == 0;
    }
}
