package io.miragej.block;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.miragej.testkit.Interop;
import io.miragej.unix.FileBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Partition tables made by util-linux's sfdisk read back, and ours satisfy sfdisk. */
class PartitionInteropTest {
    @TempDir
    Path dir;

    private static final Pattern LINE = Pattern.compile("start=\\s*(\\d+), size=\\s*(\\d+), type=([0-9A-Fa-f-]+)(.*?name=\"([^\"]*)\")?");

    /** sfdisk's own view of a disk: start+size:type[:name] per partition, extended containers left out. */
    private List<String> sfdiskView(Path image) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Exec.run(dir, "sfdisk", "--dump", image.toString()).split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.find() && !List.of("5", "f", "85").contains(m.group(3).toLowerCase(Locale.ROOT))) {
                out.add(m.group(1) + "+" + m.group(2) + ":" + m.group(3).toLowerCase(Locale.ROOT)
                        + (m.group(5) == null ? "" : ":" + m.group(5)));
            }
        }
        return out;
    }

    private static List<String> ourView(List<Partition> parts) {
        return parts.stream().map(p -> p.firstSector() + "+" + p.sectorCount() + ":"
                + (p.scheme() == Partition.Scheme.MBR ? Integer.toHexString(p.mbrType()) : p.typeGuid() + (p.name().isEmpty() ? "" : ":" + p.name())))
                .toList();
    }

    @Test
    void mbrWithLogicalPartitionsMadeBySfdiskReadsBack() throws Exception {
        Interop.requireCommands("fdisk", "sfdisk");
        Path image = dir.resolve("mbr.img");
        Exec.run(dir, "truncate", "-s", "64M", image.toString());
        Exec.shell(dir, "printf 'label: dos\\n,10M,c\\n,10M,83\\n,,5\\n,5M,83\\n,5M,c\\n,1M,7\\n' | sfdisk -q " + image);
        try (FileBlock disk = FileBlock.open(image, true, 512)) {
            List<Partition> ours = PartitionTable.read(disk);
            assertEquals(List.of(1, 2, 5, 6, 7), ours.stream().map(Partition::number).toList());
            assertEquals(sfdiskView(image), ourView(ours));
        }
    }

    @Test
    void gptMadeBySfdiskReadsBack() throws Exception {
        Interop.requireCommands("fdisk", "sfdisk");
        Path image = dir.resolve("gpt.img");
        Exec.run(dir, "truncate", "-s", "64M", image.toString());
        Exec.shell(dir, "printf 'label: gpt\\nsize=10M, type=U, name=esp\\nsize=20M, type=L, name=\"data part\"\\n"
                + "size=1M, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\\n' | sfdisk -q " + image);
        try (FileBlock disk = FileBlock.open(image, true, 512)) {
            assertEquals(sfdiskView(image), ourView(PartitionTable.read(disk)));
        }
    }

    @Test
    void tablesWrittenHereSatisfySfdisk() throws Exception {
        Interop.requireCommands("fdisk", "sfdisk");
        Path mbr = dir.resolve("ours-mbr.img");
        try (FileBlock disk = FileBlock.create(mbr, 32L << 20, 512)) {
            PartitionTable.writeMbr(disk, List.of(Partition.mbr(0x0C, 2048, 8192), Partition.mbr(0x83, 10240, 20000)));
            assertEquals(sfdiskView(mbr), ourView(PartitionTable.read(disk)));
        }
        Exec.run(dir, "sfdisk", "--verify", mbr.toString());
        Path gpt = dir.resolve("ours-gpt.img");
        try (FileBlock disk = FileBlock.create(gpt, 32L << 20, 512)) {
            PartitionTable.writeGpt(disk, UUID.randomUUID(), List.of(
                    Partition.gpt("boot", Partition.EFI_SYSTEM, 2048, 8192),
                    Partition.gpt("rest", Partition.LINUX_FILESYSTEM, 10240, 40000)));
            assertEquals(sfdiskView(gpt), ourView(PartitionTable.read(disk)));
        }
        String verify = Exec.run(dir, "sfdisk", "--verify", gpt.toString());
        assertEquals(true, verify.contains("No errors detected"), verify);
    }
}
