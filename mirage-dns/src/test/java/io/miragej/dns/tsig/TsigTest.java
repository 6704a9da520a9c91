package io.miragej.dns.tsig;

import static org.junit.jupiter.api.Assertions.*;

import io.miragej.dns.DnsFormatException;
import io.miragej.dns.Message;
import io.miragej.dns.Name;
import io.miragej.dns.RrType;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class TsigTest {
    static final long NOW = 1_700_000_000L;
    static final TsigKey KEY = TsigKey.parse("xfr.example.:hmac-sha256:" + Base64.getEncoder().encodeToString(
            "a secret shared by the two servers".getBytes()));
    static final Map<Name, TsigKey> KEYS = Map.of(KEY.name(), KEY);

    static byte[] query(int id) {
        return Message.query(id, Name.of("example.com."), RrType.AXFR).encode();
    }

    static Tsig.Check check(byte[] signed, Map<Name, TsigKey> keys, long now) throws DnsFormatException {
        TsigRecord t = TsigRecord.find(signed, signed.length);
        assertNotNull(t, "the message carries a TSIG record");
        return Tsig.verifyRequest(signed, t, keys::get, now);
    }

    /** The request MAC laid out by hand from RFC 8945 §4.3.3, independently of TsigSession. */
    @Test
    void requestMacCoversTheMessageAndEveryVariableInCanonicalForm() throws Exception {
        TsigKey key = TsigKey.parse("XFR.Example.:hmac-sha256:" + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
        byte[] q = query(0x1234);
        byte[] signed = TsigSession.client(key).sign(q, NOW);
        TsigRecord t = TsigRecord.find(signed, signed.length);
        assertEquals(q.length, t.start());
        assertEquals(1, signed[11], "ARCOUNT counts the TSIG record");
        assertTrue(Name.of("XFR.Example.").equalsExactly(t.keyName()), "the owner keeps the configured case");
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        d.write(q); // ID unchanged, ARCOUNT 0 as before signing
        d.write(Name.of("xfr.example.").toWire()); // lower case
        d.write(HexFormat.of().parseHex("00ff" + "00000000"));
        d.write(Name.of("hmac-sha256.").toWire());
        d.write(HexFormat.of().parseHex("%012x".formatted(NOW) + "012c" + "0000" + "0000"));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[] {1, 2, 3}, "HmacSHA256"));
        assertArrayEquals(mac.doFinal(d.toByteArray()), t.mac());
        assertEquals(0x1234, t.originalId());
        assertEquals(NOW, t.timeSigned());
        assertEquals(300, t.fudge());
    }

    /** The first response's MAC: the request MAC with its length first (RFC 8945 §4.3.1). */
    @Test
    void responseMacStartsWithTheRequestMac() throws Exception {
        byte[] signed = TsigSession.client(KEY).sign(query(7), NOW);
        Tsig.Check c = check(signed, KEYS, NOW + 5);
        assertTrue(c.ok());
        byte[] response = Message.query(7, Name.of("example.com."), RrType.AXFR).withFlags(Message.QR).encode();
        byte[] signedResponse = c.session().sign(response, NOW + 5);
        TsigRecord t = TsigRecord.find(signedResponse, signedResponse.length);
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        d.write(0);
        d.write(32);
        d.write(c.record().mac());
        d.write(response);
        d.write(Name.of("xfr.example.").toWire());
        d.write(HexFormat.of().parseHex("00ff00000000"));
        d.write(Name.of("hmac-sha256.").toWire());
        d.write(HexFormat.of().parseHex("%012x".formatted(NOW + 5) + "012c00000000"));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("a secret shared by the two servers".getBytes(), "HmacSHA256"));
        assertArrayEquals(mac.doFinal(d.toByteArray()), t.mac());
    }

    @Test
    void everyAlgorithmSignsAndVerifiesARequestAndItsAnswers() throws Exception {
        for (TsigAlgorithm a : TsigAlgorithm.values()) {
            TsigKey key = new TsigKey(Name.of("k."), a, new byte[] {9, 8, 7, 6});
            TsigSession client = TsigSession.client(key);
            byte[] signed = client.sign(query(99), NOW);
            Tsig.Check c = check(signed, Map.of(key.name(), key), NOW);
            assertEquals(Tsig.NOERROR, c.error(), a.toString());
            assertEquals(a.macLength(), c.record().mac().length);
            for (int i = 0; i < 4; i++) {
                byte[] m = Message.query(99, Name.of("m" + i + ".example.com."), RrType.A).withFlags(Message.QR).encode();
                byte[] s = c.session().sign(m, NOW + i);
                assertEquals(TsigSession.Result.OK, client.verify(s, s.length, NOW + i), a + " message " + i
                        + ": " + client.problem());
            }
        }
    }

    @Test
    void transferMessagesChainAndUnsignedOnesInBetweenAreFoldedIntoTheNextMac() throws Exception {
        TsigSession client = TsigSession.client(KEY);
        Tsig.Check c = check(client.sign(query(5), NOW), KEYS, NOW);
        byte[][] ms = new byte[6][];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = Message.query(5, Name.of("r" + i + ".example.com."), RrType.A).withFlags(Message.QR).encode();
        }
        byte[] first = c.session().sign(ms[0], NOW);
        c.session().skip(ms[1], 0, ms[1].length);
        c.session().skip(ms[2], 0, ms[2].length);
        byte[] fourth = c.session().sign(ms[3], NOW);
        byte[] fifth = c.session().sign(ms[4], NOW);
        assertEquals(TsigSession.Result.OK, client.verify(first, first.length, NOW));
        assertEquals(TsigSession.Result.UNSIGNED, client.verify(ms[1], ms[1].length, NOW));
        assertFalse(client.lastVerified(), "a transfer may not end on an unsigned message");
        assertEquals(TsigSession.Result.UNSIGNED, client.verify(ms[2], ms[2].length, NOW));
        assertEquals(TsigSession.Result.OK, client.verify(fourth, fourth.length, NOW), client.problem());
        assertTrue(client.lastVerified());
        // a message dropped on the way breaks the chain
        byte[] sixth = c.session().sign(ms[5], NOW);
        assertEquals(TsigSession.Result.BADSIG, client.verify(sixth, sixth.length, NOW));
        assertNotNull(fifth);
    }

    @Test
    void theFirstAnswerMustBeSignedAndAtMost99UnsignedFollowInARow() throws Exception {
        TsigSession client = TsigSession.client(KEY);
        client.sign(query(5), NOW);
        byte[] plain = Message.query(5, Name.of("example.com."), RrType.A).withFlags(Message.QR).encode();
        assertEquals(TsigSession.Result.MISSING, client.verify(plain, plain.length, NOW));

        TsigSession c2 = TsigSession.client(KEY);
        Tsig.Check c = check(c2.sign(query(5), NOW), KEYS, NOW);
        byte[] first = c.session().sign(plain, NOW);
        assertEquals(TsigSession.Result.OK, c2.verify(first, first.length, NOW));
        for (int i = 0; i < TsigSession.MAX_UNSIGNED; i++) {
            assertEquals(TsigSession.Result.UNSIGNED, c2.verify(plain, plain.length, NOW));
        }
        assertEquals(TsigSession.Result.MISSING, c2.verify(plain, plain.length, NOW));
    }

    @Test
    void anUnknownKeyOrAnotherAlgorithmIsBadkey() throws Exception {
        TsigKey other = new TsigKey(Name.of("other."), TsigAlgorithm.HMAC_SHA256, new byte[] {1});
        assertEquals(Tsig.BADKEY, check(TsigSession.client(other).sign(query(1), NOW), KEYS, NOW).error());
        TsigKey sameNameOtherAlgorithm = new TsigKey(KEY.name(), TsigAlgorithm.HMAC_SHA512, new byte[] {1});
        assertEquals(Tsig.BADKEY, check(TsigSession.client(sameNameOtherAlgorithm).sign(query(1), NOW), KEYS, NOW).error());
    }

    @Test
    void anotherSecretIsBadsigAndTheUnsignedErrorAnswerSaysSo() throws Exception {
        TsigKey wrong = new TsigKey(KEY.name(), KEY.algorithm(), new byte[] {1, 2});
        TsigSession client = TsigSession.client(wrong);
        byte[] signed = client.sign(query(3), NOW);
        Tsig.Check c = check(signed, KEYS, NOW);
        assertEquals(Tsig.BADSIG, c.error());
        assertNull(c.session(), "a bad signature gets no signed answer (RFC 8945 §5.3.2)");
        byte[] response = Message.query(3, Name.of("example.com."), RrType.AXFR).withFlags(Message.QR | 9).encode();
        byte[] buf = Arrays.copyOf(response, response.length + Tsig.unsignedErrorLength(c.record()));
        int n = Tsig.writeUnsignedError(buf, 0, response.length, c.record(), Tsig.BADSIG, NOW);
        assertEquals(buf.length, n);
        TsigRecord t = TsigRecord.find(buf, n);
        assertEquals(0, t.mac().length);
        assertEquals(Tsig.BADSIG, t.error());
        assertEquals(TsigSession.Result.BADSIG, client.verify(buf, n, NOW));
    }

    @Test
    void aClockOutsideTheFudgeIsBadtimeAnsweredSignedWithTheServerTime() throws Exception {
        TsigSession client = TsigSession.client(KEY);
        byte[] signed = client.sign(query(4), NOW);
        assertEquals(Tsig.NOERROR, check(signed, KEYS, NOW + 300).error());
        assertEquals(Tsig.NOERROR, check(signed, KEYS, NOW - 300).error());
        Tsig.Check c = check(signed, KEYS, NOW + 301);
        assertEquals(Tsig.BADTIME, c.error());
        byte[] response = Message.query(4, Name.of("example.com."), RrType.AXFR).withFlags(Message.QR | 9).encode();
        byte[] buf = Arrays.copyOf(response, response.length + c.session().overheadWithTime());
        int n = c.session().signBadTime(buf, 0, response.length, NOW, NOW + 301);
        TsigRecord t = TsigRecord.find(buf, n);
        assertEquals(NOW, t.timeSigned(), "the client's time in Time Signed");
        assertEquals(NOW + 301, t.serverTime(), "the server's time in Other Data");
        assertEquals(TsigSession.Result.BADTIME, client.verify(buf, n, NOW));
        assertEquals(NOW + 301, client.peerTime());
    }

    @Test
    void anAnswerSignedTooLongAgoIsBadtime() throws Exception {
        TsigSession client = TsigSession.client(KEY);
        Tsig.Check c = check(client.sign(query(4), NOW), KEYS, NOW);
        byte[] r = c.session().sign(Message.query(4, Name.of("example.com."), RrType.A).withFlags(Message.QR).encode(), NOW);
        assertEquals(TsigSession.Result.BADTIME, client.verify(r, r.length, NOW + 1000));
    }

    /** Replaces the MAC of a signed message with its first {@code n} bytes. */
    static byte[] truncate(byte[] signed, int n) throws DnsFormatException {
        TsigRecord t = TsigRecord.find(signed, signed.length);
        byte[] buf = new byte[signed.length];
        System.arraycopy(signed, 0, buf, 0, t.start());
        Tsig.put16(buf, 10, TsigRecord.u16(signed, 10) - 1);
        int len = Tsig.writeRecord(buf, 0, t.start(), t.keyName().toWire(), t.algorithm().toWire(), t.timeSigned(),
                t.fudge(), Arrays.copyOf(t.mac(), n), t.originalId(), t.error(), t.otherData());
        return Arrays.copyOf(buf, len);
    }

    @Test
    void truncatedMacsDownToHalfTheHashAreAcceptedShorterOnesAreFormerr() throws Exception {
        byte[] signed = TsigSession.client(KEY).sign(query(8), NOW);
        assertEquals(Tsig.NOERROR, check(truncate(signed, 16), KEYS, NOW).error());
        assertEquals(Tsig.FORMERR, check(truncate(signed, 15), KEYS, NOW).error());
        assertEquals(Tsig.FORMERR, check(truncate(signed, 0), KEYS, NOW).error());
        byte[] bad = truncate(signed, 16);
        bad[bad.length - 7] ^= 1; // last MAC byte
        assertEquals(Tsig.BADSIG, check(bad, KEYS, NOW).error());
        TsigKey sha1 = new TsigKey(Name.of("old."), TsigAlgorithm.HMAC_SHA1, new byte[] {5});
        byte[] s1 = TsigSession.client(sha1).sign(query(8), NOW);
        assertEquals(Tsig.NOERROR, check(truncate(s1, 10), Map.of(sha1.name(), sha1), NOW).error());
        assertEquals(Tsig.FORMERR, check(truncate(s1, 9), Map.of(sha1.name(), sha1), NOW).error(),
                "never under 10 bytes");
    }

    @Test
    void aTsigRecordThatIsNotLastIsAFormatError() {
        byte[] signed = TsigSession.client(KEY).sign(query(8), NOW);
        // count one more additional record than there is: the TSIG record is then not the last
        byte[] moved = signed.clone();
        moved[11] = 2;
        assertThrows(DnsFormatException.class, () -> TsigRecord.find(moved, moved.length));
        // a TSIG record in the answer section
        byte[] inAnswer = signed.clone();
        inAnswer[7] = 1;
        inAnswer[11] = 0;
        assertThrows(DnsFormatException.class, () -> TsigRecord.find(inAnswer, inAnswer.length));
    }

    @Test
    void keysParseFromTheCommandLineFormAndErrorsNameThePart() {
        TsigKey k = TsigKey.parse("xfr.example:HMAC-SHA512:" + Base64.getEncoder().encodeToString(new byte[] {1, 2}));
        assertEquals(Name.of("xfr.example."), k.name());
        assertEquals(TsigAlgorithm.HMAC_SHA512, k.algorithm());
        assertFalse(k.toString().contains("AQI="), "the secret is never printed");
        var e = assertThrows(IllegalArgumentException.class, () -> TsigKey.parse("k:hmac-md5:AQI="));
        assertTrue(e.getMessage().contains("hmac-md5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TsigKey.parse("k:hmac-sha256:not*base64"));
        assertTrue(e.getMessage().contains("base64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TsigKey.parse("k:hmac-sha256"));
        assertTrue(e.getMessage().contains("NAME:ALGORITHM:BASE64SECRET"), e.getMessage());
    }
}
