package io.miragej.block.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.block.FaultyBlock;
import io.miragej.block.MemoryBlock;
import io.miragej.kv.KvException;
import io.miragej.kv.KvException.Reason;
import io.miragej.kv.KvKey;
import io.miragej.kv.ReadOnlyKv.Entry;
import io.miragej.kv.ReadOnlyKv.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TarKvTest {
    private static TarKv open(byte[] archive) throws Exception {
        return TarKv.open(MemoryBlock.of(archive, 512, true));
    }

    private static KvKey k(String p) {
        return KvKey.parse(p);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void filesAndDirectoriesBecomeValuesAndDictionaries() throws Exception {
        TarKv kv = open(new TestTar().dir("./docs/").file("./docs/readme.txt", "hello").file("top", "")
                .file("implied/parent/leaf", "x".repeat(1000)).finish(512));
        assertEquals(List.of(new Entry("docs", Kind.DICTIONARY), new Entry("implied", Kind.DICTIONARY),
                new Entry("top", Kind.VALUE)), kv.list(KvKey.ROOT));
        assertArrayEquals(bytes("hello"), kv.get(k("/docs/readme.txt")));
        assertArrayEquals(new byte[0], kv.get(k("/top")));
        assertEquals(1000, kv.size(k("/implied/parent/leaf")));
        assertArrayEquals(bytes("xx"), kv.getPartial(k("/implied/parent/leaf"), 998, 10));
        assertEquals(Optional.of(Kind.DICTIONARY), kv.exists(k("/implied/parent")));
        assertEquals(Instant.ofEpochSecond(1_700_000_000L), kv.lastModified(k("/docs/readme.txt")));
        assertEquals(Reason.VALUE_EXPECTED, assertThrows(KvException.class, () -> kv.get(k("/docs"))).reason());
        assertEquals(Reason.DICTIONARY_EXPECTED, assertThrows(KvException.class, () -> kv.list(k("/top"))).reason());
        assertEquals(Reason.NOT_FOUND, assertThrows(KvException.class, () -> kv.get(k("/nope"))).reason());
    }

    @Test
    void paxHeadersGiveLongNamesSizesAndTimes() throws Exception {
        String longName = "a directory name longer than anything ustar could hold/".repeat(4) + "and the file.txt";
        TarKv kv = open(new TestTar()
                .pax('g', "mtime=1000")
                .file("plain", "p")
                .pax('x', "path=" + longName, "mtime=1234567890.123456789")
                .file("truncated-name", "content")
                .pax('x', "path=ünïcødé ☃")
                .file("x", "u")
                .finish(512));
        assertArrayEquals(bytes("content"), kv.get(KvKey.parse(longName)));
        assertEquals(Instant.ofEpochSecond(1_234_567_890L), kv.lastModified(KvKey.parse(longName)));
        assertEquals(Instant.ofEpochSecond(1000), kv.lastModified(k("/plain")), "the global header's time");
        assertArrayEquals(bytes("u"), kv.get(KvKey.of("ünïcødé ☃")));
    }

    @Test
    void hardLinksShareTheirTargetsBytesAndOtherKindsAreSkipped() throws Exception {
        TarKv kv = open(new TestTar().file("target", "shared").link("hard", '1', "target").link("soft", '2', "target")
                .link("dangling", '1', "nowhere").entry("fifo", '6', new byte[0], 0)
                .file("../escape", "no").file("/abs/../../escape", "no").finish(512));
        assertArrayEquals(bytes("shared"), kv.get(k("/hard")));
        assertEquals(List.of(new Entry("hard", Kind.VALUE), new Entry("target", Kind.VALUE)), kv.list(KvKey.ROOT));
        assertEquals(5, kv.skippedEntries());
    }

    @Test
    void laterEntriesWinAndConflictsAreSkipped() throws Exception {
        TarKv kv = open(new TestTar().file("f", "old").file("f", "new").file("d/x", "1").file("d", "file over a dir")
                .file("f/under", "file under a file").finish(512));
        assertArrayEquals(bytes("new"), kv.get(k("/f")));
        assertEquals(Optional.of(Kind.DICTIONARY), kv.exists(k("/d")));
        assertEquals(2, kv.skippedEntries());
    }

    @Test
    void base256NumbersAreRead() throws Exception {
        byte[] h = TestTar.header("big", '0', 0, 0, "");
        java.util.Arrays.fill(h, 124, 136, (byte) 0);
        h[124] = (byte) 0x80;
        h[135] = 3; // size 3 in GNU base-256
        TestTar.sign(h);
        TarKv kv = open(new TestTar().raw(h, bytes("abc")).finish(512));
        assertArrayEquals(bytes("abc"), kv.get(k("/big")));
    }

    @Test
    void damagedArchivesAreReportedWithWhere() throws Exception {
        byte[] good = new TestTar().file("a", "1").file("b", "2").finish(512);
        byte[] bad = good.clone();
        bad[1024 + 10] ^= 1; // the second header's name: its checksum fails
        KvException e = assertThrows(KvException.class, () -> open(bad));
        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("byte 1024") && e.getMessage().contains("checksum"), e.getMessage());
        byte[] cut = java.util.Arrays.copyOf(new TestTar().entry("huge", '0', new byte[5000], 0).finish(512), 2048);
        e = assertThrows(KvException.class, () -> open(cut));
        assertTrue(e.getMessage().contains("past the end of the device"), e.getMessage());
        byte[] random = new byte[4096];
        new java.util.Random(1).nextBytes(random);
        assertEquals(Reason.CORRUPT, assertThrows(KvException.class, () -> open(random)).reason());
    }

    @Test
    void anEmptyDeviceIsAnEmptyArchiveAndLimitsHold() throws Exception {
        assertEquals(List.of(), open(new byte[4096]).list(KvKey.ROOT));
        byte[] many = new TestTar().file("a", "1").file("b", "2").file("c", "3").finish(512);
        KvException e = assertThrows(KvException.class, () -> TarKv.open(MemoryBlock.of(many, 512, true), 2));
        assertEquals(Reason.NO_SPACE, e.reason());
        byte[] hugePax = TestTar.header("PaxHeader", 'x', TarKv.MAX_METADATA + 1L, 0, "");
        byte[] archive = new byte[TarKv.MAX_METADATA + 8192];
        System.arraycopy(hugePax, 0, archive, 0, 512);
        e = assertThrows(KvException.class, () -> open(archive));
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
    }

    @Test
    void sectorsOf4096BytesAndDeviceErrors() throws Exception {
        byte[] archive = new TestTar().file("a/b", "x".repeat(5000)).file("c", "y").finish(4096);
        FaultyBlock disk = FaultyBlock.over(MemoryBlock.of(archive, 4096, true));
        TarKv kv = TarKv.open(disk);
        assertEquals(5000, kv.get(k("/a/b")).length);
        disk.failAllReads();
        KvException e = assertThrows(KvException.class, () -> kv.get(k("/c")));
        assertEquals(Reason.IO, e.reason());
        disk.heal();
        assertArrayEquals(bytes("y"), kv.get(k("/c")));
        assertEquals(Reason.IO, assertThrows(KvException.class, () -> TarKv.open(disk.failAllReads())).reason());
    }
}
