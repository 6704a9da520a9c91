package io.miragej.dns;

/** An entry of the question section (RFC 1035 §4.1.2). */
public record Question(Name name, int type, int qclass) {
    public Question {
        if (name == null) {
            throw new NullPointerException("name");
        }
        if (type < 0 || type > 0xffff || qclass < 0 || qclass > 0xffff) {
            throw new IllegalArgumentException("type " + type + " or class " + qclass + " out of range");
        }
    }

    /** An IN-class question. */
    public static Question of(Name name, int type) {
        return new Question(name, type, RrClass.IN);
    }

    @Override
    public String toString() {
        return name + "\t" + RrClass.toString(qclass) + "\t" + RrType.toString(type);
    }
}
