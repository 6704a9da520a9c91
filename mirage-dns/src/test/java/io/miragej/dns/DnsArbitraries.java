package io.miragej.dns;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators for names, record data, records and whole messages. */
public final class DnsArbitraries {
    private DnsArbitraries() {}

    /** Types with a known layout, plus a few unknown ones carried opaquely. */
    static final int[] TYPES = {RrType.A, RrType.NS, RrType.CNAME, RrType.SOA, RrType.PTR, RrType.HINFO,
        RrType.MX, RrType.TXT, RrType.RP, RrType.AAAA, RrType.SRV, RrType.NAPTR, RrType.DNAME, RrType.DS,
        RrType.SSHFP, RrType.RRSIG, RrType.NSEC, RrType.DNSKEY, RrType.NSEC3, RrType.NSEC3PARAM,
        RrType.TLSA, RrType.CDS, RrType.CDNSKEY, RrType.SVCB, RrType.HTTPS, RrType.CAA, RrType.SPF,
        731, 65280, 32769};

    /** A label: mostly letters and digits in mixed case, sometimes any byte. */
    public static Arbitrary<byte[]> labels() {
        Arbitrary<Byte> common = Arbitraries.of("abcXYZ019-_*".chars().mapToObj(c -> (byte) c).toList());
        Arbitrary<Byte> any = Arbitraries.bytes();
        Arbitrary<Byte> b = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, common), net.jqwik.api.Tuple.of(1, any));
        return b.array(byte[].class).ofMinSize(1).ofMaxSize(12)
                .edgeCases(c -> c.add(new byte[63]));
    }

    public static Arbitrary<Name> names() {
        return labels().list().ofMaxSize(5).map(ls -> {
            Name n = Name.ROOT;
            for (int i = ls.size() - 1; i >= 0; i--) {
                if (n.wireLength() + ls.get(i).length + 1 > Name.MAX_LENGTH) {
                    break;
                }
                n = n.child(ls.get(i));
            }
            return n;
        });
    }

    /** Names drawn from a small set, so that messages share suffixes and compress. */
    public static Arbitrary<Name> relatedNames() {
        return Arbitraries.of("a", "B", "www", "Mail", "*", "x-1").list().ofMaxSize(3).map(ls -> {
            Name n = Name.of("Example.COM.");
            for (String l : ls) {
                n = n.child(l);
            }
            return n;
        });
    }

    private static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    private static Arbitrary<byte[]> field(Field f) {
        return switch (f) {
            case U8, ALGORITHM -> bytes(1, 1);
            case U16, TYPE -> bytes(2, 2);
            case U32, SECONDS, TIME, IPV4 -> bytes(4, 4);
            case IPV6 -> bytes(16, 16);
            case NAME, NAME_COMPRESSED -> Arbitraries.oneOf(names(), relatedNames()).map(Name::toWire);
            case STRING, HEX8, BASE32_8 -> bytes(0, 40).map(DnsArbitraries::prefixed);
            case CAA_TAG -> Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10)
                    .map(s -> prefixed(s.getBytes()));
            case STRINGS -> bytes(0, 20).map(DnsArbitraries::prefixed).list().ofMinSize(1).ofMaxSize(3)
                    .map(DnsArbitraries::concat);
            case BASE64, HEX, CAA_VALUE -> bytes(0, 40);
            case BITMAP -> Arbitraries.integers().between(1, 65535).list().ofMaxSize(6)
                    .map(ts -> TypeBitmap.encode(ts));
            case SVC_PARAMS -> Arbitraries.integers().between(0, 70).set().ofMaxSize(4).flatMap(keys -> {
                List<Arbitrary<byte[]>> parts = new ArrayList<>();
                keys.stream().sorted().forEach(k -> parts.add(bytes(0, 12).map(v -> {
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    o.write(k >>> 8);
                    o.write(k);
                    o.write(v.length >>> 8);
                    o.write(v.length);
                    o.writeBytes(v);
                    return o.toByteArray();
                })));
                return Combinators.combine(parts).as(DnsArbitraries::concat);
            });
        };
    }

    private static byte[] prefixed(byte[] b) {
        byte[] o = new byte[b.length + 1];
        o[0] = (byte) b.length;
        System.arraycopy(b, 0, o, 1, b.length);
        return o;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        parts.forEach(o::writeBytes);
        return o.toByteArray();
    }

    public static Arbitrary<Rdata> rdata() {
        List<Integer> types = java.util.Arrays.stream(TYPES).boxed().toList();
        return Arbitraries.of(types).flatMap(t -> rdata(t));
    }

    public static Arbitrary<Rdata> rdata(int type) {
        Field[] schema = Schema.of(type);
        if (schema == null) {
            return bytes(0, 30).map(b -> Rdata.of(type, b));
        }
        List<Arbitrary<byte[]>> parts = new ArrayList<>();
        for (Field f : schema) {
            parts.add(field(f));
        }
        return Combinators.combine(parts).as(ps -> Rdata.of(type, concat(ps)));
    }

    public static Arbitrary<Record> records() {
        return Combinators.combine(Arbitraries.oneOf(names(), relatedNames()),
                Arbitraries.of(RrClass.IN, RrClass.IN, RrClass.CH, 4242),
                Arbitraries.longs().between(0, 0xffff_ffffL), rdata())
                .as(Record::new);
    }

    public static Arbitrary<Edns> edns() {
        Arbitrary<byte[]> options = Combinators.combine(Arbitraries.integers().between(0, 65535), bytes(0, 10))
                .as((code, data) -> {
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    o.write(code >>> 8);
                    o.write(code);
                    o.write(0);
                    o.write(data.length);
                    o.writeBytes(data);
                    return o.toByteArray();
                }).list().ofMaxSize(2).map(DnsArbitraries::concat);
        return Combinators.combine(Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 65535), options)
                .as(Edns::new);
    }

    public static Arbitrary<Message> messages() {
        Arbitrary<Question> questions = Combinators.combine(Arbitraries.oneOf(names(), relatedNames()),
                Arbitraries.integers().between(0, 65535).filter(t -> t != RrType.OPT), Arbitraries.of(1, 3, 255))
                .as(Question::new);
        return Combinators.combine(Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 65535),
                questions.list().ofMaxSize(2), records().list().ofMaxSize(4), records().list().ofMaxSize(3),
                records().list().ofMaxSize(3), edns().injectNull(0.4))
                .as(Message::new);
    }
}
