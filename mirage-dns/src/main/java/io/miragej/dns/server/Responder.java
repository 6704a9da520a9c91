package io.miragej.dns.server;

import io.miragej.buffer.PacketBuffer;
import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Name;
import io.miragej.dns.NameCodec;
import io.miragej.dns.Opcode;
import io.miragej.dns.Rcode;
import io.miragej.dns.RrClass;
import io.miragej.dns.RrType;
import io.miragej.dns.tsig.Tsig;
import io.miragej.dns.tsig.TsigRecord;
import io.miragej.dns.tsig.TsigSession;
import io.miragej.net.IpAddress;
import java.util.Arrays;

/**
 * The sans-IO packet path of the authoritative server: a query's bytes in, the response's bytes
 * out, nothing allocated per query. One responder per thread (it owns scratch space and the
 * response buffer); any number of them share one {@link AuthoritativeServer}.
 *
 * <p>What it answers: QUERY for the zones loaded (see {@link Compiler}), with EDNS(0) (RFC 6891:
 * the client's payload size, at least 512 and at most the server's, the DO bit echoed, BADVERS
 * for versions other than 0) and truncation for UDP (TC set and the sections left empty when the
 * required records do not fit); NOTIFY (RFC 1996) for secondary zones from allowed primaries.
 * Silence for messages shorter than a header and for responses; FORMERR for malformed queries;
 * NOTIMP for other opcodes and MAILA/MAILB; REFUSED for names outside the zones, classes other
 * than IN, and transfers from clients not allowed. Requests signed with TSIG (RFC 8945) are
 * verified and answered signed, or NOTAUTH with the TSIG error; the unsigned path is unchanged.
 */
public final class Responder {
    /** {@link #respond} result: send nothing. */
    public static final int DROP = -1;
    /** {@link #respond} result: a zone transfer was asked for and allowed (TCP); see {@link #transferZone()}. */
    public static final int TRANSFER = -2;

    private static final int QR = 0x8000;
    private static final int AA = 0x0400;
    private static final int TC = 0x0200;
    private static final int RD = 0x0100;
    private static final int CD = 0x0010;
    private static final int OPT_LENGTH = 11;

    private final AuthoritativeServer server;
    private final ServerCounters counters;
    private final byte[] qname = new byte[Name.MAX_LENGTH];
    private final byte[] lower = new byte[Name.MAX_LENGTH];
    private final byte[] skip = new byte[Name.MAX_LENGTH];
    private final int[] labelOffsets = new int[128];
    private final int[] hashes = new int[129];
    /** For NSEC3 proofs: a SHA-1 digest reused for every query, and its output. */
    private java.security.MessageDigest sha1; // made for the first NSEC3 proof
    private final byte[] hash = new byte[20];
    /** The query, copied out of the network buffer once and read here with plain array loads. */
    private final byte[] in = new byte[65535];
    /** The response is written here from index 2, leaving room for a TCP adapter's length prefix. */
    private final byte[] ob = new byte[2 + 65535];
    private final PacketBuffer out = PacketBuffer.wrap(ob);

    // Parsed from the current query.
    private int qlen;
    private int qtype;
    private int qclass;
    private boolean edns;
    private int ednsPayload;
    private boolean dnssecOk;
    private Name transferZone;
    /** For a request signed with a good TSIG key: signs the response; else null. */
    private TsigSession signer;
    /** Bytes kept free at the end of the response for the TSIG record. */
    private int reserve;

    Responder(AuthoritativeServer server) {
        this.server = server;
        this.counters = server.counters;
    }

    /** The response written by the last {@link #respond} that returned a length. */
    public PacketBuffer response() {
        return out;
    }

    /** The zone asked for by the last {@link #respond} that returned {@link #TRANSFER}, in the query's case. */
    public Name transferZone() {
        return transferZone;
    }

    /**
     * The TSIG session of the last request answered, when it was signed with a good key: the
     * response is signed already; a transfer's messages are to be signed with it. Else null.
     */
    public TsigSession tsig() {
        return signer;
    }

    /** AXFR or IXFR: the type asked for by the last {@link #respond} that returned {@link #TRANSFER}. */
    public int transferType() {
        return qtype;
    }

    /**
     * Answers {@code query}.
     *
     * @param tcp whether it came over TCP (no size limit below 65535, transfers allowed)
     * @param client the sender, for transfer and NOTIFY access control
     * @return the length of the response now in {@link #response()}, or {@link #DROP}, or
     *     {@link #TRANSFER}
     */
    public int respond(PacketBuffer query, boolean tcp, IpAddress client) {
        signer = null;
        reserve = 0;
        int n = answer(query, tcp, client);
        if (n > 0 && signer != null) {
            // RFC 8945 §5.3: the answer to a signed request is signed with the same key.
            n = signer.sign(ob, 2, n, server.epochSeconds(0));
            out.reset(2, n);
        }
        return n;
    }

    /** The query's opcode is neither QUERY nor NOTIFY: answered NOTIMP once read. */
    private boolean unsupported;

    /** FORMERR for a message that does not read (counted in {@code counter}); NOTIMP for other opcodes. */
    private int malformed(PacketBuffer query, int flags, io.miragej.stats.Counter counter) {
        if (unsupported) {
            counters.notimp.increment();
            return error(query, flags, Rcode.NOTIMP, false);
        }
        counter.increment();
        return error(query, flags, Rcode.FORMERR, false);
    }

    private int answer(PacketBuffer query, boolean tcp, IpAddress client) {
        counters.queries.increment();
        int len = query.length();
        if (len < 12) {
            counters.dropShort.increment();
            return DROP;
        }
        if (len > in.length) {
            counters.formerr.increment(); // no DNS message is longer; never reached from UDP or TCP
            return DROP;
        }
        query.getBytes(0, in, 0, len);
        int flags = u16(2);
        if ((flags & QR) != 0) {
            counters.dropResponse.increment();
            return DROP;
        }
        edns = false;
        dnssecOk = false;
        int opcode = (flags >>> 11) & 0xf;
        // Other opcodes get NOTIMP, signed when they came signed (an UPDATE from nsupdate -k), so
        // the message is still read for its TSIG; when it does not read, NOTIMP without question.
        unsupported = opcode != Opcode.QUERY && opcode != Opcode.NOTIFY;
        if (u16(4) != 1) {
            return malformed(query, flags, counters.formerr);
        }
        int r = NameCodec.decode(in, len, 12, qname);
        if (r < 0) {
            return malformed(query, flags, counters.formerr);
        }
        qlen = NameCodec.length(r);
        int p = NameCodec.end(r);
        if (p + 4 > len) {
            return malformed(query, flags, counters.formerr);
        }
        qtype = u16(p);
        qclass = u16(p + 2);
        p += 4;
        int records = u16(6) + u16(8);
        int additional = u16(10);
        int version = 0;
        boolean signed = false;
        for (int i = 0; i < records + additional; i++) {
            if (signed) {
                // RFC 8945 §5.1: the TSIG record is the last one.
                return malformed(query, flags, counters.tsigFormerr);
            }
            int nr = NameCodec.decode(in, len, p, skip);
            if (nr < 0) {
                return malformed(query, flags, counters.formerr);
            }
            p = NameCodec.end(nr);
            if (p + 10 > len) {
                return malformed(query, flags, counters.formerr);
            }
            int type = u16(p);
            int rdlength = u16(p + 8);
            int rdata = p + 10;
            if (rdata + rdlength > len) {
                return malformed(query, flags, counters.formerr);
            }
            if (type == RrType.OPT) {
                // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
                if (i < records || edns || NameCodec.length(nr) != 1 || !optionsWellFormed(in, rdata, rdlength)) {
                    return malformed(query, flags, counters.formerr);
                }
                edns = true;
                ednsPayload = u16(p + 2);
                version = (in[p + 5] & 0xff);
                dnssecOk = (u16(p + 6) & 0x8000) != 0;
            } else if (type == RrType.TSIG) {
                if (i < records) {
                    return malformed(query, flags, counters.tsigFormerr);
                }
                signed = true;
            }
            p = rdata + rdlength;
        }
        if (signed) {
            int failed = verifyTsig(query, flags, len);
            if (failed != 0) {
                return failed;
            }
        }
        if (unsupported) {
            counters.notimp.increment();
            return error(query, flags, Rcode.NOTIMP, true);
        }
        if (edns && version != 0) {
            counters.badvers.increment();
            return error(query, flags, Rcode.BADVERS, true);
        }
        if (opcode == Opcode.NOTIFY) {
            return notify(query, flags, client);
        }
        if (qclass != RrClass.IN) {
            counters.refused.increment();
            return error(query, flags, Rcode.REFUSED, true);
        }
        switch (qtype) {
            case RrType.AXFR, RrType.IXFR -> {
                return transfer(query, flags, tcp, client);
            }
            case RrType.MAILA, RrType.MAILB -> {
                counters.notimp.increment();
                return error(query, flags, Rcode.NOTIMP, true);
            }
            case RrType.OPT, RrType.TSIG, RrType.TKEY, 0 -> {
                counters.formerr.increment();
                return error(query, flags, Rcode.FORMERR, true);
            }
            default -> {
                // answered below
            }
        }
        Authority auth = server.authority();
        int labels = lowerAndHash();
        NameTable table = auth.table;
        int answer = lookup(table, lower, qlen, labelOffsets, labels, hashes);
        if (answer == NameTable.NONE) {
            counters.refused.increment();
            return error(query, flags, Rcode.REFUSED, true);
        }
        if (answer == DNAME) {
            return writeDname(query, flags, auth, table.dname(foundNode), foundOwnerOffset, tcp);
        }
        proof = null;
        proofCount = 0;
        answer = withDnssec(auth, answer, lower, qlen, labelOffsets, labels);
        return write(query, flags, table, answer, tcp, auth.maxUdpPayload);
    }

    /** {@link #lookup} found a DNAME above the name: {@link #foundNode} holds it. */
    private static final int DNAME = -2;
    // Set by lookup: the node found, the label where its name starts in the name looked up (0 for
    // the name itself), and that label's offset.
    private int foundNode;
    private int foundLabel;
    private int foundOwnerOffset;
    // Set by withDnssec: a proof about the name itself to add to the authority section, or null.
    private byte[] proof;
    private int proofCount;

    /**
     * The answer for {@code name[0, len)} (lower case, {@code labels} labels at {@code offsets},
     * suffix hashes in {@code hashes}) and the query's type, or {@link NameTable#NONE} when no zone
     * served holds it, or {@link #DNAME} when a DNAME rewrites it (RFC 1034 §4.3.2, RFC 4592,
     * RFC 6672 §3.2).
     */
    private int lookup(NameTable table, byte[] name, int len, int[] offsets, int labels, int[] hashes) {
        int node = table.find(name, 0, len, hashes[0]);
        foundLabel = 0;
        foundOwnerOffset = 0;
        if (node != NameTable.NONE) {
            foundNode = node;
            return table.answerExact(node, qtype);
        }
        for (int i = 1; i <= labels && node == NameTable.NONE; i++) {
            foundOwnerOffset = i < labels ? offsets[i] : len - 1;
            node = table.find(name, foundOwnerOffset, len - foundOwnerOffset, hashes[i]);
            foundLabel = i;
        }
        foundNode = node;
        if (node == NameTable.NONE) {
            return NameTable.NONE;
        }
        if (table.dname(node) != NameTable.NONE) {
            return DNAME;
        }
        int wildcard = table.wildcard(node);
        return wildcard != NameTable.NONE ? table.answer(wildcard, qtype) : table.below(node);
    }

    /**
     * With the DO bit, the signed form of {@code answer} (as {@link #lookup} left it), setting
     * {@link #proof} when the name itself needs one; else {@code answer}.
     */
    private int withDnssec(Authority auth, int answer, byte[] name, int len, int[] offsets, int labels) {
        NameTable table = auth.table;
        if (!dnssecOk || table.dnssec(answer) == NameTable.NONE) {
            return answer;
        }
        answer = table.dnssec(answer);
        int dynamic = table.dynamic(answer);
        if (dynamic != Compiler.DYNAMIC_NONE && foundLabel > 0) {
            Proofs proofs = auth.compiled.get(table.zone(foundNode)).proofs;
            int index = dynamicProof(proofs, dynamic, foundLabel, labels, name, len, offsets);
            if (index >= 0 && !table.hasStaticProof(answer, index)) {
                proof = proofs.blobs[index];
                proofCount = proofs.blobCounts[index];
            }
        }
        return answer;
    }

    /**
     * The chain entry that proves something about the query name itself: the NSEC covering it,
     * or the NSEC3 covering the hash of the next closer name (one label below the closest
     * encloser, RFC 5155 §7.2.1). Allocates nothing.
     */
    private int dynamicProof(Proofs proofs, int kind, int encloserLabel, int labels, byte[] name, int len,
            int[] offsets) {
        if (proofs == null) {
            return -1;
        }
        if (kind == Compiler.DYNAMIC_NSEC) {
            return proofs.nsecCovering(name, offsets, 0, labels);
        }
        int off = offsets[encloserLabel - 1];
        if (sha1 == null) {
            sha1 = sha1();
        }
        if (sha1 == null || !proofs.hash(sha1, name, off, len - off, hash)) {
            return -1;
        }
        return proofs.nsec3Covering(hash);
    }

    private static java.security.MessageDigest sha1() {
        try {
            return java.security.MessageDigest.getInstance("SHA-1");
        } catch (java.security.NoSuchAlgorithmException e) {
            return null; // NSEC3 proofs are then left out
        }
    }

    /** Lower-cases the question name and hashes its suffixes; returns the number of labels. */
    private int lowerAndHash() {
        for (int i = 0; i < qlen; i++) {
            byte b = qname[i];
            lower[i] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
        }
        int labels = NameTable.labelOffsets(lower, qlen, labelOffsets);
        NameTable.suffixHashes(lower, labelOffsets, labels, hashes);
        return labels;
    }

    private static boolean optionsWellFormed(byte[] q, int from, int length) {
        int p = from;
        int end = from + length;
        while (p < end) {
            if (p + 4 > end) {
                return false;
            }
            p += 4 + (((q[p + 2] & 0xff) << 8) | (q[p + 3] & 0xff));
        }
        return p == end;
    }

    private int u16(int at) {
        return ((in[at] & 0xff) << 8) | (in[at + 1] & 0xff);
    }

    /** Writes {@code v} at response index {@code at} (index 0 is the first byte of the DNS message). */
    private void put16(int at, int v) {
        ob[2 + at] = (byte) (v >>> 8);
        ob[3 + at] = (byte) v;
    }

    private int get16(int at) {
        return ((ob[2 + at] & 0xff) << 8) | (ob[3 + at] & 0xff);
    }

    private void put32(int at, long v) {
        put16(at, (int) (v >>> 16));
        put16(at + 2, (int) v);
    }

    private void putBytes(int at, byte[] src, int from, int n) {
        System.arraycopy(src, from, ob, 2 + at, n);
    }

    private int udpLimit(boolean tcp, int serverMax) {
        if (tcp) {
            return 65535 - reserve;
        }
        if (!edns) {
            return 512 - reserve;
        }
        return Math.max(512, Math.min(ednsPayload, serverMax)) - reserve;
    }

    /**
     * Writes header, question and as much of {@code a} as fits, with {@link #proof} (an NSEC or
     * NSEC3 RRset and its RRSIGs, {@link #proofCount} records, or null) at the end of the
     * authority section; returns the length.
     */
    private int write(PacketBuffer query, int qflags, NameTable t, int a, boolean tcp, int serverMax) {
        int limit = udpLimit(tcp, serverMax);
        int optLen = edns ? OPT_LENGTH : 0;
        int base = 12 + qlen + 4;
        int body = fit(t, a, proof == null ? 0 : proof.length, limit - base - optLen);
        int tc = 0;
        if (body < 0) {
            body = 0;
            tc = TC;
            proof = null;
            counters.truncated.increment();
        }
        int plen = proof == null ? 0 : proof.length;
        int answerFlags = t.flags(a);
        out.reset(2, base + body + plen + optLen);
        writeHeader(qflags, answerFlags | tc, fitAn, fitNs + (proof == null ? 0 : proofCount), fitAr);
        if (body > 0) {
            copyAnswer(t, a, body, base, qlen, qlen, 12, 12 + qlen, proof != null || qlen != t.templateLength(a));
        }
        if (edns) {
            writeOpt(base + body + plen, 0);
        }
        counters.count(answerFlags & 0xf);
        return base + body + plen + optLen;
    }

    // Set by fit: the records of each section that fit.
    private int fitAn;
    private int fitNs;
    private int fitAr;

    /**
     * How many bytes of answer {@code a} to send when {@code room} bytes are left and a proof of
     * {@code plen} bytes goes with it: all, or the required part and the optional RRsets that
     * fit, or -1 when not even the required part fits. Sets {@link #fitAn} and the others.
     */
    private int fit(NameTable t, int a, int plen, int room) {
        int length = t.length(a);
        fitAn = t.answerCount(a);
        fitNs = t.authorityCount(a);
        if (length + plen <= room) {
            fitAr = t.additionalCount(a);
            return length;
        }
        if (t.requiredLength(a) + plen > room) {
            fitAn = 0;
            fitNs = 0;
            fitAr = 0;
            return -1;
        }
        int body = t.requiredLength(a);
        fitAr = t.requiredAdditional(a);
        int optionals = t.optionalCount(a);
        for (int k = 0; k < optionals && t.optionalEnd(a, k) + plen <= room; k++) {
            body = t.optionalEnd(a, k);
            fitAr = t.optionalAdditional(a, k);
        }
        return body;
    }

    /**
     * Copies the first {@code body} bytes of answer {@code a} to {@code at}, with {@link #proof}
     * (if any) at the end of its authority section, and points its compression pointers at the
     * right places. The answer was built behind a question naming its template; here it follows a
     * name {@code nameLength} bytes long whose first {@code split} bytes sit at {@code headAt} and
     * the rest at {@code tailAt}: the question itself (split = length, head at 12), or a name
     * written as labels and a pointer (the CNAME made from a DNAME). {@code relocate} false skips
     * the pointer pass when nothing moves.
     */
    private void copyAnswer(NameTable t, int a, int body, int at, int nameLength, int split, int headAt,
            int tailAt, boolean relocate) {
        byte[] arena = t.arena();
        int bytes = t.bytes(a);
        int plen = proof == null ? 0 : proof.length;
        int cut = proof == null ? body : t.authorityEnd(a);
        putBytes(at, arena, bytes, cut);
        if (proof != null) {
            putBytes(at + cut, proof, 0, plen);
            putBytes(at + cut + plen, arena, bytes + cut, body - cut);
        }
        if (!relocate) {
            return;
        }
        int delta = nameLength - t.templateLength(a);
        int nameEnd = 12 + nameLength; // where the name ends in the answer's own view
        int viewBase = nameEnd + 4; // where its bytes start in that view
        boolean followed = headAt != 12;
        int relocations = t.relocationCount(a);
        for (int i = 0; i < relocations; i++) {
            int r = t.relocation(a, i);
            if (r >= body) {
                break;
            }
            int p = at + r + (r >= cut ? plen : 0);
            int target = (get16(p) & 0x3fff) + delta; // in the view where the name is at 12
            int real;
            if (target < nameEnd) {
                int v = target - 12;
                int inQuestion = followed && v >= split ? questionSuffix(nameLength - v) : -1;
                real = v < split ? headAt + v : inQuestion >= 0 ? 12 + inQuestion : tailAt + (v - split);
            } else {
                int v = target - viewBase;
                real = at + v + (v >= cut ? plen : 0);
            }
            put16(p, 0xc000 | real);
        }
        if (followed) {
            int pointers = t.questionPointerCount(a);
            for (int i = 0; i < pointers; i++) {
                int r = t.questionPointer(a, i);
                if (r < body) {
                    put16(at + r + (r >= cut ? plen : 0), 0xc000 | headAt);
                }
            }
        }
    }

    /**
     * Where in the question the last {@code length} bytes of {@link #followName} also end it (the
     * same labels, any case), or -1: names there point into the question, as other servers write them.
     */
    private int questionSuffix(int length) {
        int from = qlen - length;
        if (from < 0 || !Arrays.equals(lower, from, qlen, followName, followLength - length, followLength)) {
            return -1;
        }
        for (int p = 0; p <= from; p += (lower[p] & 0xff) + 1) {
            if (p == from) {
                return from; // on a label boundary
            }
        }
        return -1;
    }

    private void writeHeader(int qflags, int flags, int an, int ns, int ar) {
        put16(0, u16(0));
        put16(2, QR | (qflags & (0x7800 | RD | CD)) | flags);
        put16(4, 1);
        put16(6, an);
        put16(8, ns);
        put16(10, ar + (edns ? 1 : 0));
        putBytes(12, qname, 0, qlen);
        put16(12 + qlen, qtype);
        put16(14 + qlen, qclass);
    }

    /**
     * A name below a DNAME (RFC 6672 §3.1-3.2): the DNAME, then a CNAME from the query name to the
     * query's labels above the DNAME's owner followed by the DNAME's target, with the DNAME's TTL;
     * then, when a zone served here holds the new name, what it has for the query type, as for a
     * query naming it (a further DNAME is left to the resolver). YXDOMAIN when the new name would
     * be over 255 bytes. When the followed answer does not fit, the DNAME and CNAME go alone with
     * TC set.
     */
    private int writeDname(PacketBuffer query, int qflags, Authority auth, int d, int prefix, boolean tcp) {
        NameTable t = auth.table;
        int a = t.dnameAnswer(d);
        if (dnssecOk && t.dnssec(a) != NameTable.NONE) {
            a = t.dnssec(a); // the DNAME's RRSIGs; the DNAME record stays first, its target where it was
        }
        proof = null;
        int length = t.length(a);
        int targetLength = t.dnameTargetLength(d);
        boolean tooLong = prefix + targetLength > Name.MAX_LENGTH;
        int limit = udpLimit(tcp, auth.maxUdpPayload);
        int optLen = edns ? OPT_LENGTH : 0;
        int base = 12 + qlen + 4;
        int targetAt = base + t.dnameTargetOffset(d);
        // The new name is written as its labels up to a suffix it shares with the question, then
        // a pointer there (else to the DNAME's target): lower case, as Knot and NSD write it.
        int literal = 0;
        int tailAt = targetAt;
        if (!tooLong) {
            newName(t.arena(), t.bytes(a) + t.dnameTargetOffset(d), targetLength, prefix);
            literal = prefix;
            for (int p = prefix; followName[p] != 0; p += (followName[p] & 0xff) + 1) {
                int shared = questionSuffix(followLength - p);
                if (shared >= 0) {
                    tailAt = 12 + shared;
                    break;
                }
                literal = p + (followName[p] & 0xff) + 1;
            }
            if (tailAt == targetAt) {
                literal = prefix; // nothing shared: the whole target by pointer
            }
        }
        int cnameLength = tooLong ? 0 : 2 + 2 + 2 + 4 + 2 + literal + 2;
        // A CNAME (or everything, ANY) is what was asked for: the synthesized one answers it.
        boolean answered = tooLong || qtype == RrType.CNAME || qtype == RrType.ANY;
        int follow = answered ? NameTable.NONE : follow(auth);
        int head = length + cnameLength;
        if (follow != NameTable.NONE && base + head + t.length(follow) + (proof == null ? 0 : proof.length) > 0x3fff) {
            follow = NameTable.NONE; // its pointers could not reach past 16 KB: the resolver follows
        }
        int tc = 0;
        int body = head;
        int sub = 0;
        fitAn = 0;
        fitNs = 0;
        fitAr = 0;
        if (base + head + optLen > limit) {
            body = 0;
            tc = TC;
            counters.truncated.increment();
        } else if (follow != NameTable.NONE) {
            sub = fit(t, follow, proof == null ? 0 : proof.length, limit - base - head - optLen);
            if (sub < 0) {
                sub = 0;
                tc = TC;
                counters.truncated.increment();
            }
        }
        if (sub == 0) {
            proof = null;
        }
        int plen = proof == null ? 0 : proof.length;
        int rcode = tooLong ? Rcode.YXDOMAIN : sub > 0 ? t.flags(follow) & 0xf : Rcode.NOERROR;
        out.reset(2, base + body + sub + plen + optLen);
        int own = body == 0 ? 0 : t.answerCount(a) + (tooLong ? 0 : 1);
        writeHeader(qflags, AA | tc | rcode, own + fitAn, fitNs + (plen > 0 ? proofCount : 0), fitAr);
        if (body > 0) {
            putBytes(base, t.arena(), t.bytes(a), length);
            int delta = qlen - t.templateLength(a);
            int relocations = t.relocationCount(a);
            for (int i = 0; i < relocations; i++) {
                int at = base + t.relocation(a, i);
                put16(at, get16(at) + delta);
            }
            if (!tooLong) {
                int p = base + length;
                put16(p, 0xc000 | 12);
                put16(p + 2, RrType.CNAME);
                put16(p + 4, RrClass.IN);
                put32(p + 6, t.dnameTtl(d));
                put16(p + 10, literal + 2);
                putBytes(p + 12, followName, 0, literal);
                put16(p + 12 + literal, 0xc000 | tailAt);
                if (sub > 0) {
                    copyAnswer(t, follow, sub, base + head, followLength, literal, p + 12, tailAt, true);
                }
            }
        }
        if (edns) {
            writeOpt(base + body + sub + plen, 0);
        }
        counters.count(rcode);
        return base + body + sub + plen + optLen;
    }

    // The name a DNAME leads to, lower-cased, with its labels and suffix hashes.
    private final byte[] followName = new byte[Name.MAX_LENGTH];
    private final int[] followOffsets = new int[128];
    private final int[] followHashes = new int[129];
    private int followLength;

    /**
     * Makes {@link #followName}: the query's labels above a DNAME's owner ({@code prefix} bytes of
     * the question) followed by the DNAME's target ({@code target[at, at+length)}), lower case.
     */
    private void newName(byte[] target, int at, int length, int prefix) {
        System.arraycopy(lower, 0, followName, 0, prefix);
        for (int i = 0; i < length; i++) {
            byte b = target[at + i];
            followName[prefix + i] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
        }
        followLength = prefix + length;
    }

    /**
     * The answer for the query type at {@link #followName}, with {@link #proof} set as for a
     * query, or {@link NameTable#NONE} when no zone here holds it or a DNAME rewrites it again.
     */
    private int follow(Authority auth) {
        int labels = NameTable.labelOffsets(followName, followLength, followOffsets);
        NameTable.suffixHashes(followName, followOffsets, labels, followHashes);
        int answer = lookup(auth.table, followName, followLength, followOffsets, labels, followHashes);
        if (answer < 0) {
            return NameTable.NONE;
        }
        return withDnssec(auth, answer, followName, followLength, followOffsets, labels);
    }

    private void writeOpt(int at, int extendedRcode) {
        ob[2 + at] = (byte) (0);
        put16(at + 1, RrType.OPT);
        put16(at + 3, server.authority().maxUdpPayload);
        ob[2 + at + 5] = (byte) (extendedRcode);
        ob[2 + at + 6] = (byte) (0);
        put16(at + 7, dnssecOk ? 0x8000 : 0);
        put16(at + 9, 0);
    }

    /**
     * A response with only a header, and the question when {@code withQuestion} (it was parsed),
     * and an OPT record when the query had a good one.
     */
    private int error(PacketBuffer query, int qflags, int rcode, boolean withQuestion) {
        int len = 12 + (withQuestion ? qlen + 4 : 0);
        boolean opt = edns && withQuestion;
        out.reset(2, len + (opt ? OPT_LENGTH : 0));
        put16(0, u16(0));
        put16(2, QR | (qflags & (0x7800 | RD | CD)) | (rcode & 0xf));
        put16(4, withQuestion ? 1 : 0);
        put16(6, 0);
        put16(8, 0);
        put16(10, opt ? 1 : 0);
        if (withQuestion) {
            putBytes(12, qname, 0, qlen);
            put16(12 + qlen, qtype);
            put16(14 + qlen, qclass);
        }
        if (opt) {
            writeOpt(len, rcode >>> 4);
        }
        counters.count(rcode);
        return out.length();
    }

    /**
     * Checks the TSIG record of the query in {@code in} (RFC 8945 §5.2). Returns 0 when it is good
     * ({@link #signer} then signs the response), else the length of the error response written:
     * FORMERR for a malformed record or a MAC of a forbidden length, NOTAUTH with BADKEY or BADSIG
     * in an unsigned TSIG record, NOTAUTH with BADTIME signed. Only signed queries come here.
     */
    private int verifyTsig(PacketBuffer query, int flags, int len) {
        TsigRecord t;
        try {
            t = TsigRecord.find(in, len);
        } catch (DnsFormatException e) {
            counters.tsigFormerr.increment();
            return error(query, flags, Rcode.FORMERR, true);
        }
        long now = server.epochSeconds(t.timeSigned());
        Tsig.Check c = Tsig.verifyRequest(in, t, server::tsigKey, now);
        if (c.ok() && !server.freshTimeSigned(c.key().name(), t.timeSigned())) {
            // Older than a request this key already signed: a replay within the fudge (§5.2.3).
            c = new Tsig.Check(Tsig.BADTIME, t, c.key(), c.session());
        }
        switch (c.error()) {
            case Tsig.NOERROR -> {
                counters.tsigOk.increment();
                signer = c.session();
                reserve = signer.overhead();
                return 0;
            }
            case Tsig.FORMERR -> {
                counters.tsigFormerr.increment();
                return error(query, flags, Rcode.FORMERR, true);
            }
            case Tsig.BADTIME -> {
                counters.tsigBadTime.increment();
                int n = error(query, flags, Rcode.NOTAUTH, true);
                n = c.session().signBadTime(ob, 2, n, t.timeSigned(), now);
                out.reset(2, n);
                return n;
            }
            default -> {
                (c.error() == Tsig.BADKEY ? counters.tsigBadKey : counters.tsigBadSig).increment();
                int n = error(query, flags, Rcode.NOTAUTH, true);
                n = Tsig.writeUnsignedError(ob, 2, n, t, c.error(), now);
                out.reset(2, n);
                return n;
            }
        }
    }

    private int transfer(PacketBuffer query, int flags, boolean tcp, IpAddress client) {
        if (!tcp) {
            counters.transferRefused.increment();
            return error(query, flags, Rcode.REFUSED, true);
        }
        Name zone = Name.fromWire(qname, 0, qlen);
        Name key = signer == null ? null : signer.key().name();
        if (!server.transferPermitted(zone, client, key)) {
            // The zone's prefixes and keys (else the server's); NSD too answers REFUSED when the
            // ACL wants a key the request lacks.
            counters.transferRefused.increment();
            counters.transferRefusedZone.increment();
            if (key == null) {
                counters.transferUnsigned.increment();
            }
            return error(query, flags, Rcode.REFUSED, true);
        }
        if (server.authority().zone(zone) == null) {
            counters.transferRefused.increment();
            return error(query, flags, Rcode.NOTAUTH, true);
        }
        transferZone = zone;
        counters.transfers.increment();
        return TRANSFER;
    }

    private int notify(PacketBuffer query, int flags, IpAddress client) {
        Name zone = Name.fromWire(qname, 0, qlen);
        if (!server.acceptNotify(zone, client, signer == null ? null : signer.key().name())) {
            counters.notifyRefused.increment();
            return error(query, flags, Rcode.REFUSED, true);
        }
        counters.notifies.increment();
        int len = error(query, flags, Rcode.NOERROR, true);
        put16(2, get16(2) | AA);
        return len;
    }
}
