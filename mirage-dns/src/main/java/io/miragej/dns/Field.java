package io.miragej.dns;

/**
 * The kinds of fields RDATA is made of. Each record type is described by a list of these (see
 * {@link Schema}), which drives decoding from the wire, encoding with compression, and the
 * presentation format, so that every type is handled by the same few lines.
 */
enum Field {
    U8,
    U16,
    U32,
    /** An 8-bit DNSSEC algorithm number; mnemonics accepted in zone files. */
    ALGORITHM,
    /** A 32-bit interval in seconds; zone files may use units (1h30m). */
    SECONDS,
    /** A record type number, shown by its mnemonic (RRSIG type covered). */
    TYPE,
    /** A 32-bit timestamp, shown as YYYYMMDDHHmmSS (RRSIG). */
    TIME,
    IPV4,
    IPV6,
    /** A domain name compressed on the wire (the RFC 1035 types, RFC 3597 §4). */
    NAME_COMPRESSED,
    /** A domain name never compressed when sent (decompressed leniently when received). */
    NAME,
    /** One character-string: a length byte and up to 255 bytes. */
    STRING,
    /** One or more character-strings up to the end of the RDATA (TXT). */
    STRINGS,
    /** The rest of the RDATA, base64 in presentation (keys, signatures). */
    BASE64,
    /** The rest of the RDATA, hexadecimal in presentation (digests). */
    HEX,
    /** A length byte and that many bytes, hexadecimal or '-' for none (NSEC3 salt). */
    HEX8,
    /** A length byte and that many bytes, base32hex in presentation (NSEC3 next owner). */
    BASE32_8,
    /** The rest of the RDATA: a type bit map (RFC 4034 §4.1.2). */
    BITMAP,
    /** A CAA tag: a length byte and 1-255 letters and digits, unquoted (RFC 8659). */
    CAA_TAG,
    /** The rest of the RDATA as one quoted string (CAA value). */
    CAA_VALUE,
    /** The rest of the RDATA: SvcParams in key order (RFC 9460). */
    SVC_PARAMS;
}
