package io.miragej.dns.server;

/**
 * A response prepared ahead of time: the answer, authority and additional sections as bytes, as
 * they follow a question of {@link #templateLength} bytes. When the real question name is longer
 * (a wildcard match, a name below a delegation or a name that does not exist), every compression
 * pointer listed in {@link #relocations} moves by the difference; pointers to the question name
 * itself (owners equal to the query name) are not listed and stay at offset 12.
 *
 * <p>The sections are laid out required part first (answer, authority and, for referrals, the
 * glue the resolver cannot do without, RFC 9471), then optional additional RRsets, so a UDP
 * response that does not fit drops whole optional RRsets, or, when even the required part does
 * not fit, is sent empty with TC set.
 */
final class Answer {
    static final int[] NONE = new int[0];

    final byte[] bytes;
    final int[] relocations;
    /**
     * Pointers to offset 12 (owners equal to the query name), which stay put behind any question;
     * listed for answers copied behind a name that is not the question (a DNAME followed).
     */
    final int[] questionPointers;
    final int templateLength;
    /** Header flags word: AA and the RCODE, QR and the rest are added per query. */
    final int flags;
    final int answerCount;
    final int authorityCount;
    final int requiredLength;
    final int requiredAdditional;
    /** End offset and cumulative additional count after each optional RRset. */
    final int[] optionalEnd;
    final int[] optionalCount;
    /** Where the authority section ends: a proof chosen per query goes there. */
    final int authorityEnd;
    /** Which proof about the query name the responder adds ({@code Compiler.DYNAMIC_*}). */
    final int dynamic;
    /** Proof chain entries already in the bytes, so the one added per query is not repeated. */
    final int[] staticProofs;
    /** The form for queries with the DO bit (RRSIGs and proofs), or null for unsigned zones. */
    final Answer dnssec;

    Answer(byte[] bytes, int[] relocations, int[] questionPointers, int templateLength, int flags, int answerCount,
            int authorityCount, int requiredLength, int requiredAdditional, int[] optionalEnd,
            int[] optionalCount, int authorityEnd, int dynamic, int[] staticProofs, Answer dnssec) {
        this.authorityEnd = authorityEnd;
        this.dynamic = dynamic;
        this.staticProofs = staticProofs.length == 0 ? NONE : staticProofs;
        this.dnssec = dnssec;
        this.bytes = bytes;
        this.relocations = relocations.length == 0 ? NONE : relocations;
        this.questionPointers = questionPointers.length == 0 ? NONE : questionPointers;
        this.templateLength = templateLength;
        this.flags = flags;
        this.answerCount = answerCount;
        this.authorityCount = authorityCount;
        this.requiredLength = requiredLength;
        this.requiredAdditional = requiredAdditional;
        this.optionalEnd = optionalEnd.length == 0 ? NONE : optionalEnd;
        this.optionalCount = optionalCount.length == 0 ? NONE : optionalCount;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Answer a && a.templateLength == templateLength && a.flags == flags
                && a.answerCount == answerCount && a.authorityCount == authorityCount
                && a.requiredLength == requiredLength && a.requiredAdditional == requiredAdditional
                && java.util.Arrays.equals(a.bytes, bytes) && java.util.Arrays.equals(a.relocations, relocations)
                && java.util.Arrays.equals(a.questionPointers, questionPointers)
                && java.util.Arrays.equals(a.optionalEnd, optionalEnd)
                && java.util.Arrays.equals(a.optionalCount, optionalCount)
                && a.authorityEnd == authorityEnd && a.dynamic == dynamic
                && java.util.Arrays.equals(a.staticProofs, staticProofs)
                && java.util.Objects.equals(a.dnssec, dnssec);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes) * 31 + templateLength * 7 + flags;
    }

    int additionalCount() {
        return optionalCount.length == 0 ? requiredAdditional : optionalCount[optionalCount.length - 1];
    }
}
