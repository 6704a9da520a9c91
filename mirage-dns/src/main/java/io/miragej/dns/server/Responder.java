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
    private final java.security.MessageDigest sha1 = sha1();
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
        if (opcode != Opcode.QUERY && opcode != Opcode.NOTIFY) {
            counters.notimp.increment();
            return error(query, flags, Rcode.NOTIMP, false);
        }
        if (u16(4) != 1) {
            counters.formerr.increment();
            return error(query, flags, Rcode.FORMERR, false);
        }
        int r = NameCodec.decode(in, len, 12, qname);
        if (r < 0) {
            counters.formerr.increment();
            return error(query, flags, Rcode.FORMERR, false);
        }
        qlen = NameCodec.length(r);
        int p = NameCodec.end(r);
        if (p + 4 > len) {
            counters.formerr.increment();
            return error(query, flags, Rcode.FORMERR, false);
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
                counters.tsigFormerr.increment();
                return error(query, flags, Rcode.FORMERR, false);
            }
            int nr = NameCodec.decode(in, len, p, skip);
            if (nr < 0) {
                counters.formerr.increment();
                return error(query, flags, Rcode.FORMERR, false);
            }
            p = NameCodec.end(nr);
            if (p + 10 > len) {
                counters.formerr.increment();
                return error(query, flags, Rcode.FORMERR, false);
            }
            int type = u16(p);
            int rdlength = u16(p + 8);
            int rdata = p + 10;
            if (rdata + rdlength > len) {
                counters.formerr.increment();
                return error(query, flags, Rcode.FORMERR, false);
            }
            if (type == RrType.OPT) {
                // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
                if (i < records || edns || NameCodec.length(nr) != 1 || !optionsWellFormed(in, rdata, rdlength)) {
                    counters.formerr.increment();
                    return error(query, flags, Rcode.FORMERR, false);
                }
                edns = true;
                ednsPayload = u16(p + 2);
                version = (in[p + 5] & 0xff);
                dnssecOk = (u16(p + 6) & 0x8000) != 0;
            } else if (type == RrType.TSIG) {
                if (i < records) {
                    counters.tsigFormerr.increment();
                    return error(query, flags, Rcode.FORMERR, false);
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
        int node = table.find(lower, 0, qlen, hashes[0]);
        int answer;
        int encloserLabel = 0; // for names found below a node: the label where that node's name starts
        if (node != NameTable.NONE) {
            answer = table.answerExact(node, qtype);
        } else {
            int off = 0;
            for (int i = 1; i <= labels && node == NameTable.NONE; i++) {
                off = i < labels ? labelOffsets[i] : qlen - 1;
                node = table.find(lower, off, qlen - off, hashes[i]);
                encloserLabel = i;
            }
            if (node == NameTable.NONE) {
                counters.refused.increment();
                return error(query, flags, Rcode.REFUSED, true);
            }
            int dname = table.dname(node);
            if (dname != NameTable.NONE) {
                return writeDname(query, flags, table, dname, off, tcp, auth.maxUdpPayload);
            }
            int wildcard = table.wildcard(node);
            answer = wildcard != NameTable.NONE ? table.answer(wildcard, qtype) : table.below(node);
        }
        byte[] proof = null;
        int proofCount = 0;
        if (dnssecOk && table.dnssec(answer) != NameTable.NONE) {
            answer = table.dnssec(answer);
            int dynamic = table.dynamic(answer);
            if (dynamic != Compiler.DYNAMIC_NONE && encloserLabel > 0) {
                Proofs proofs = auth.compiled.get(table.zone(node)).proofs;
                int index = dynamicProof(proofs, dynamic, encloserLabel, labels);
                if (index >= 0 && !table.hasStaticProof(answer, index)) {
                    proof = proofs.blobs[index];
                    proofCount = proofs.blobCounts[index];
                }
            }
        }
        return write(query, flags, table, answer, proof, proofCount, tcp, auth.maxUdpPayload);
    }

    /**
     * The chain entry that proves something about the query name itself: the NSEC covering it,
     * or the NSEC3 covering the hash of the next closer name (one label below the closest
     * encloser, RFC 5155 §7.2.1). Allocates nothing.
     */
    private int dynamicProof(Proofs proofs, int kind, int encloserLabel, int labels) {
        if (proofs == null) {
            return -1;
        }
        if (kind == Compiler.DYNAMIC_NSEC) {
            return proofs.nsecCovering(lower, labelOffsets, 0, labels);
        }
        int off = labelOffsets[encloserLabel - 1];
        if (sha1 == null || !proofs.hash(sha1, lower, off, qlen - off, hash)) {
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
     * Writes header, question and as much of {@code a} as fits, with {@code proof} (an NSEC or
     * NSEC3 RRset and its RRSIGs, {@code proofCount} records, or null) at the end of the authority
     * section; returns the length.
     */
    private int write(PacketBuffer query, int qflags, NameTable t, int a, byte[] proof, int proofCount,
            boolean tcp, int serverMax) {
        int limit = udpLimit(tcp, serverMax);
        int optLen = edns ? OPT_LENGTH : 0;
        int base = 12 + qlen + 4;
        int plen = proof == null ? 0 : proof.length;
        int length = t.length(a);
        int body; // bytes of the answer sent
        int an;
        int ns;
        int ar;
        int tc = 0;
        if (base + length + plen + optLen <= limit) {
            body = length;
            an = t.answerCount(a);
            ns = t.authorityCount(a);
            ar = t.additionalCount(a);
        } else if (base + t.requiredLength(a) + plen + optLen <= limit) {
            body = t.requiredLength(a);
            an = t.answerCount(a);
            ns = t.authorityCount(a);
            ar = t.requiredAdditional(a);
            int optionals = t.optionalCount(a);
            for (int k = 0; k < optionals && base + t.optionalEnd(a, k) + plen + optLen <= limit; k++) {
                body = t.optionalEnd(a, k);
                ar = t.optionalAdditional(a, k);
            }
        } else {
            body = 0;
            an = 0;
            ns = 0;
            ar = 0;
            tc = TC;
            plen = 0;
            proof = null;
            counters.truncated.increment();
        }
        int answerFlags = t.flags(a);
        out.reset(2, base + body + plen + optLen);
        int flags = QR | (qflags & (0x7800 | RD | CD)) | answerFlags | tc;
        put16(0, u16(0));
        put16(2, flags);
        put16(4, 1);
        put16(6, an);
        put16(8, ns + (proof == null ? 0 : proofCount));
        put16(10, ar + (edns ? 1 : 0));
        putBytes(12, qname, 0, qlen);
        put16(12 + qlen, qtype);
        put16(14 + qlen, qclass);
        if (body > 0) {
            byte[] arena = t.arena();
            int bytes = NameTable.bytes(a);
            int cut = proof == null ? body : t.authorityEnd(a);
            putBytes(base, arena, bytes, cut);
            if (proof != null) {
                putBytes(base + cut, proof, 0, plen);
                putBytes(base + cut + plen, arena, bytes + cut, body - cut);
            }
            int templateLength = t.templateLength(a);
            int delta = qlen - templateLength;
            if (delta != 0 || proof != null) {
                // Pointers move with the question's length; those into the bytes after the
                // proof move by its length too.
                int movedFrom = 12 + templateLength + 4 + cut;
                int relocations = t.relocationCount(a);
                for (int i = 0; i < relocations; i++) {
                    int r = t.relocation(a, i);
                    if (r >= body) {
                        break;
                    }
                    int at = base + r + (r >= cut ? plen : 0);
                    int v = get16(at);
                    int target = v & 0x3fff;
                    put16(at, v + delta + (target >= movedFrom ? plen : 0));
                }
            }
        }
        if (edns) {
            writeOpt(base + body + plen, 0);
        }
        counters.count(answerFlags & 0xf);
        return base + body + plen + optLen;
    }

    /**
     * A name below a DNAME (RFC 6672 §3.1): the DNAME, then a CNAME from the query name to the
     * query's labels above the DNAME's owner followed by the DNAME's target (a pointer into the
     * DNAME record), with the DNAME's TTL. YXDOMAIN when the new name would be over 255 bytes.
     * The CNAME is not followed.
     */
    private int writeDname(PacketBuffer query, int qflags, NameTable t, int d, int ownerOffset, boolean tcp,
            int serverMax) {
        int a = t.dnameAnswer(d);
        int length = t.length(a);
        int prefix = ownerOffset; // the query's labels above the DNAME owner
        boolean tooLong = prefix + t.dnameTargetLength(d) > Name.MAX_LENGTH;
        int cnameLength = tooLong ? 0 : 2 + 2 + 2 + 4 + 2 + prefix + 2;
        int limit = udpLimit(tcp, serverMax);
        int optLen = edns ? OPT_LENGTH : 0;
        int base = 12 + qlen + 4;
        int body = length + cnameLength;
        int tc = 0;
        if (base + body + optLen > limit) {
            body = 0;
            tc = TC;
            counters.truncated.increment();
        }
        int rcode = tooLong ? Rcode.YXDOMAIN : Rcode.NOERROR;
        out.reset(2, base + body + optLen);
        put16(0, u16(0));
        put16(2, QR | (qflags & (0x7800 | RD | CD)) | AA | tc | rcode);
        put16(4, 1);
        put16(6, body == 0 ? 0 : (tooLong ? 1 : 2));
        put16(8, 0);
        put16(10, edns ? 1 : 0);
        putBytes(12, qname, 0, qlen);
        put16(12 + qlen, qtype);
        put16(14 + qlen, qclass);
        int delta = qlen - t.templateLength(a);
        if (body > 0) {
            putBytes(base, t.arena(), NameTable.bytes(a), length);
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
                put16(p + 10, prefix + 2);
                putBytes(p + 12, qname, 0, prefix);
                put16(p + 12 + prefix, 0xc000 | (base + t.dnameTargetOffset(d)));
            }
        }
        if (edns) {
            writeOpt(base + body, 0);
        }
        counters.count(rcode);
        return base + body + optLen;
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
        if (!tcp || !server.transferAllowed(client)) {
            counters.transferRefused.increment();
            return error(query, flags, Rcode.REFUSED, true);
        }
        if (!server.transferKeyAccepted(signer == null ? null : signer.key().name())) {
            // NSD answers REFUSED when the ACL wants a key the request lacks; so do we.
            counters.transferRefused.increment();
            counters.transferUnsigned.increment();
            return error(query, flags, Rcode.REFUSED, true);
        }
        Name zone = Name.fromWire(qname, 0, qlen);
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
