package io.miragej.dns;

/** Response codes (RFC 1035 §4.1.1, RFC 6891 for the extended ones). */
public final class Rcode {
    private Rcode() {}

    public static final int NOERROR = 0;
    public static final int FORMERR = 1;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;
    public static final int NOTIMP = 4;
    public static final int REFUSED = 5;
    public static final int YXDOMAIN = 6;
    public static final int NOTAUTH = 9;
    public static final int NOTZONE = 10;
    public static final int BADVERS = 16;

    public static String toString(int rcode) {
        return switch (rcode) {
            case NOERROR -> "NOERROR";
            case FORMERR -> "FORMERR";
            case SERVFAIL -> "SERVFAIL";
            case NXDOMAIN -> "NXDOMAIN";
            case NOTIMP -> "NOTIMP";
            case REFUSED -> "REFUSED";
            case 6 -> "YXDOMAIN";
            case 7 -> "YXRRSET";
            case 8 -> "NXRRSET";
            case NOTAUTH -> "NOTAUTH";
            case NOTZONE -> "NOTZONE";
            case BADVERS -> "BADVERS";
            default -> "RCODE" + rcode;
        };
    }
}
