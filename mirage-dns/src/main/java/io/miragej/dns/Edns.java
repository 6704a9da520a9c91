package io.miragej.dns;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The EDNS(0) OPT pseudo-record of a message (RFC 6891 §6.1): the sender's UDP payload size, the
 * upper 8 bits of the extended RCODE, the version, the flags (the DO bit, RFC 3225) and options.
 *
 * @param options the option bytes as on the wire (code, length, data, ...)
 */
public record Edns(int udpPayloadSize, int extendedRcode, int version, int flags, byte[] options) {
    public static final int DO_BIT = 0x8000;

    public Edns {
        if (udpPayloadSize < 0 || udpPayloadSize > 0xffff || extendedRcode < 0 || extendedRcode > 0xff
                || version < 0 || version > 0xff || flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException("EDNS field out of range");
        }
        options = options == null ? new byte[0] : options.clone();
    }

    /** Version 0 with no options. */
    public static Edns of(int udpPayloadSize, boolean dnssecOk) {
        return new Edns(udpPayloadSize, 0, 0, dnssecOk ? DO_BIT : 0, new byte[0]);
    }

    public boolean dnssecOk() {
        return (flags & DO_BIT) != 0;
    }

    @Override
    public byte[] options() {
        return options.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Edns e && e.udpPayloadSize == udpPayloadSize && e.extendedRcode == extendedRcode
                && e.version == version && e.flags == flags && Arrays.equals(e.options, options);
    }

    @Override
    public int hashCode() {
        return ((udpPayloadSize * 31 + extendedRcode) * 31 + version) * 31 + flags + Arrays.hashCode(options);
    }

    @Override
    public String toString() {
        return "EDNS: version " + version + ", flags " + (dnssecOk() ? "do" : "") + "; udp " + udpPayloadSize
                + (options.length > 0 ? "; options " + HexFormat.of().formatHex(options) : "");
    }
}
