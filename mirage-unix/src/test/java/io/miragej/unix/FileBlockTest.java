package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.device.BlockException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlockTest {
    @TempDir
    Path dir;

    @Test
    void writesReachTheFileAndReadBack() throws IOException {
        Path img = dir.resolve("disk.img");
        byte[] data = new byte[1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        try (FileBlock b = FileBlock.create(img, 8 * 512, 512)) {
            assertEquals(8, b.sectorCount());
            b.write(3, MemorySegment.ofArray(data));
            b.flush();
            byte[] back = new byte[1024];
            b.read(3, MemorySegment.ofArray(back));
            assertArrayEquals(data, back);
        }
        byte[] file = Files.readAllBytes(img);
        assertArrayEquals(data, java.util.Arrays.copyOfRange(file, 3 * 512, 5 * 512));
    }

    @Test
    void readOnlyRefusesWrites() throws IOException {
        Path img = dir.resolve("ro.img");
        FileBlock.create(img, 4096, 512).close();
        try (FileBlock b = FileBlock.open(img, true, 512)) {
            BlockException e = assertThrows(BlockException.class, () -> b.write(0, MemorySegment.ofArray(new byte[512])));
            assertEquals(BlockException.Reason.READ_ONLY, e.reason());
        }
    }

    @Test
    void aSizeThatIsNotWholeSectorsIsAnErrorThatSaysHowToFixIt() throws IOException {
        Path img = dir.resolve("odd.img");
        Files.write(img, new byte[1000]);
        IOException e = assertThrows(IOException.class, () -> FileBlock.open(img, false, 512));
        assertTrue(e.getMessage().contains("1000 bytes, which is not a whole number of 512-byte sectors"), e.getMessage());
        assertTrue(e.getMessage().contains("truncate -s 1024"), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> FileBlock.open(dir.resolve("none.img"), false, 512));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void requestsOutsideTheDeviceOrNotWholeSectorsAreRefused() throws IOException {
        try (FileBlock b = FileBlock.create(dir.resolve("small.img"), 2048, 512)) {
            assertThrows(IllegalArgumentException.class, () -> b.read(3, MemorySegment.ofArray(new byte[1024])));
            assertThrows(IllegalArgumentException.class, () -> b.read(-1, MemorySegment.ofArray(new byte[512])));
            assertThrows(IllegalArgumentException.class, () -> b.write(0, MemorySegment.ofArray(new byte[100])));
            b.read(3, MemorySegment.ofArray(new byte[512]));
        }
    }

    @Test
    void aClosedDeviceSaysSo() throws IOException {
        FileBlock b = FileBlock.create(dir.resolve("c.img"), 512, 512);
        b.close();
        assertEquals(BlockException.Reason.CLOSED,
                assertThrows(BlockException.class, () -> b.read(0, MemorySegment.ofArray(new byte[512]))).reason());
    }
}
