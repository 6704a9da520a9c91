package io.miragej.dns;

import io.miragej.buffer.PacketBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole DNS message (RFC 1035 §4.1) as values, with its EDNS OPT record taken out of the
 * additional section into {@link #edns()}. For transfers, the resolver, tools and tests; the
 * server's packet path reads and writes bytes in place instead.
 *
 * @param flags the header's second 16-bit word: QR, opcode, AA, TC, RD, RA, Z, AD, CD and the low
 *     four bits of the RCODE
 * @param edns the OPT record, or null when the message has none
 */
public record Message(int id, int flags, List<Question> questions, List<Record> answers,
        List<Record> authority, List<Record> additional, Edns edns) {
    public static final int HEADER_LENGTH = 12;
    public static final int QR = 0x8000;
    public static final int AA = 0x0400;
    public static final int TC = 0x0200;
    public static final int RD = 0x0100;
    public static final int RA = 0x0080;
    public static final int AD = 0x0020;
    public static final int CD = 0x0010;

    public Message {
        if (id < 0 || id > 0xffff || flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException("id or flags out of range");
        }
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
    }

    /** A standard query for one name and type, with RD clear and no EDNS. */
    public static Message query(int id, Name name, int type) {
        return new Message(id, 0, List.of(Question.of(name, type)), List.of(), List.of(), List.of(), null);
    }

    public Message withEdns(Edns e) {
        return new Message(id, flags, questions, answers, authority, additional, e);
    }

    public Message withFlags(int newFlags) {
        return new Message(id, newFlags, questions, answers, authority, additional, edns);
    }

    public Message withId(int newId) {
        return new Message(newId, flags, questions, answers, authority, additional, edns);
    }

    public boolean isResponse() {
        return (flags & QR) != 0;
    }

    public int opcode() {
        return (flags >>> 11) & 0xf;
    }

    public boolean aa() {
        return (flags & AA) != 0;
    }

    public boolean tc() {
        return (flags & TC) != 0;
    }

    public boolean rd() {
        return (flags & RD) != 0;
    }

    /** The full RCODE: the header's four bits, extended by the OPT record's eight (RFC 6891 §6.1.3). */
    public int rcode() {
        return (flags & 0xf) | (edns == null ? 0 : edns.extendedRcode() << 4);
    }

    /** The first question, or null. */
    public Question question() {
        return questions.isEmpty() ? null : questions.getFirst();
    }

    // ---- decoding ----

    /** Decodes a whole message from {@code bytes}. */
    public static Message decode(byte[] bytes) throws DnsFormatException {
        return decode(PacketBuffer.wrap(bytes));
    }

    /**
     * Decodes the message in {@code msg}'s window. Bytes after the last record are ignored.
     *
     * @throws DnsFormatException for anything malformed: a section running past the end, a bad
     *     name or pointer, RDATA that does not match its type, an OPT record that is misplaced,
     *     repeated, not owned by the root or holding malformed options
     */
    public static Message decode(PacketBuffer msg) throws DnsFormatException {
        if (msg.length() < HEADER_LENGTH) {
            throw new DnsFormatException("a message is at least 12 bytes, got " + msg.length());
        }
        int id = msg.getU16(0);
        int flags = msg.getU16(2);
        int qd = msg.getU16(4);
        int an = msg.getU16(6);
        int ns = msg.getU16(8);
        int ar = msg.getU16(10);
        byte[] scratch = new byte[Name.MAX_LENGTH];
        int[] end = new int[1];
        int p = HEADER_LENGTH;
        List<Question> questions = new ArrayList<>(Math.min(qd, 4));
        for (int i = 0; i < qd; i++) {
            Name name = NameCodec.read(msg, p, scratch, end);
            p = end[0];
            if (p + 4 > msg.length()) {
                throw new DnsFormatException("question " + (i + 1) + " runs past the end of the message");
            }
            questions.add(new Question(name, msg.getU16(p), msg.getU16(p + 2)));
            p += 4;
        }
        Object[] sections = new Object[3];
        int[] counts = {an, ns, ar};
        Edns edns = null;
        for (int s = 0; s < 3; s++) {
            List<Record> list = new ArrayList<>(Math.min(counts[s], 16));
            for (int i = 0; i < counts[s]; i++) {
                Name owner = NameCodec.read(msg, p, scratch, end);
                p = end[0];
                if (p + 10 > msg.length()) {
                    throw new DnsFormatException("record at byte " + p + " runs past the end of the message");
                }
                int type = msg.getU16(p);
                int cls = msg.getU16(p + 2);
                long ttl = msg.getU32(p + 4);
                int rdlength = msg.getU16(p + 8);
                p += 10;
                if (p + rdlength > msg.length()) {
                    throw new DnsFormatException("RDATA at byte " + p + " runs past the end of the message");
                }
                if (type == RrType.OPT) {
                    if (s != 2) {
                        throw new DnsFormatException("an OPT record outside the additional section (RFC 6891 §6.1.1)");
                    }
                    if (edns != null) {
                        throw new DnsFormatException("more than one OPT record (RFC 6891 §6.1.1)");
                    }
                    if (!owner.isRoot()) {
                        throw new DnsFormatException("the OPT record's owner is " + owner + ", not the root");
                    }
                    byte[] options = new byte[rdlength];
                    msg.getBytes(p, options, 0, rdlength);
                    checkOptions(options);
                    edns = new Edns(cls, (int) (ttl >>> 24), (int) (ttl >>> 16) & 0xff, (int) ttl & 0xffff, options);
                    p += rdlength;
                    continue;
                }
                Rdata rdata = Rdata.decode(type, msg, p, rdlength, scratch);
                p += rdlength;
                list.add(new Record(owner, cls, ttl, rdata));
            }
            sections[s] = list;
        }
        @SuppressWarnings("unchecked")
        Message m = new Message(id, flags, questions, (List<Record>) sections[0], (List<Record>) sections[1],
                (List<Record>) sections[2], edns);
        return m;
    }

    private static void checkOptions(byte[] o) throws DnsFormatException {
        int p = 0;
        while (p < o.length) {
            if (p + 4 > o.length) {
                throw new DnsFormatException("an EDNS option header is cut off");
            }
            int len = ((o[p + 2] & 0xff) << 8) | (o[p + 3] & 0xff);
            p += 4 + len;
            if (p > o.length) {
                throw new DnsFormatException("an EDNS option runs past the OPT record");
            }
        }
    }

    // ---- encoding ----

    /** The message in wire form, names compressed; throws when it exceeds 65535 bytes. */
    public byte[] encode() {
        DnsWriter w = new DnsWriter(65535);
        write(w);
        return w.toByteArray();
    }

    /** Writes the message from the start of {@code w}. */
    public void write(DnsWriter w) {
        int ar = additional.size() + (edns == null ? 0 : 1);
        w.u16(id).u16(flags).u16(questions.size()).u16(answers.size()).u16(authority.size()).u16(ar);
        for (Question q : questions) {
            w.name(q.name(), true);
            w.u16(q.type()).u16(q.qclass());
        }
        for (Record r : answers) {
            r.write(w);
        }
        for (Record r : authority) {
            r.write(w);
        }
        for (Record r : additional) {
            r.write(w);
        }
        if (edns != null) {
            writeOpt(w, edns);
        }
    }

    static void writeOpt(DnsWriter w, Edns e) {
        w.u8(0).u16(RrType.OPT).u16(e.udpPayloadSize());
        w.u32(((long) e.extendedRcode() << 24) | ((long) e.version() << 16) | e.flags());
        byte[] o = e.options();
        w.u16(o.length).bytes(o);
    }

    /** A multi-line description in the style of dig, for logs and test failures. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(";; opcode: ").append(Opcode.toString(opcode())).append(", status: ")
                .append(Rcode.toString(rcode())).append(", id: ").append(id).append("\n;; flags:");
        if (isResponse()) {
            sb.append(" qr");
        }
        if (aa()) {
            sb.append(" aa");
        }
        if (tc()) {
            sb.append(" tc");
        }
        if (rd()) {
            sb.append(" rd");
        }
        if ((flags & RA) != 0) {
            sb.append(" ra");
        }
        if ((flags & AD) != 0) {
            sb.append(" ad");
        }
        if ((flags & CD) != 0) {
            sb.append(" cd");
        }
        sb.append('\n');
        if (edns != null) {
            sb.append(";; ").append(edns).append('\n');
        }
        sb.append(";; QUESTION:\n");
        questions.forEach(q -> sb.append(';').append(q).append('\n'));
        String[] names = {"ANSWER", "AUTHORITY", "ADDITIONAL"};
        List<List<Record>> secs = List.of(answers, authority, additional);
        for (int i = 0; i < 3; i++) {
            if (!secs.get(i).isEmpty()) {
                sb.append(";; ").append(names[i]).append(":\n");
                secs.get(i).forEach(r -> sb.append(r).append('\n'));
            }
        }
        return sb.toString();
    }
}
