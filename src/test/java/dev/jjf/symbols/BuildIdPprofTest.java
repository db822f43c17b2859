package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jjf.cli.Main;
import dev.jjf.render.GoPprof;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pprof mappings carry the build id of the file the process mapped, as the real {@code go tool pprof}
 * reads it: the id jjf run recorded (build-ids.PID) first, else the file's own when it is the build the
 * profile saw. Two gcc builds one constant apart share their layout, so only the id tells them apart.
 */
class BuildIdPprofTest {
    private static final long BASE = 0x7f0000000000L;
    private static final long PAGE = 0x1000;
    private static final long PID = 4711;

    @TempDir
    Path dir;

    private Path v1;
    private Path v2;
    private String id1;
    private String id2;
    private Path installed;
    private Path profile;

    @BeforeEach
    void aProfileThroughAGccBuiltLibrary() throws Exception {
        ElfTestTools.requireTools("gcc", "nm", "readelf");
        v1 = ElfTestTools.compile(dir, "gcc", "v1.c", ElfTestTools.C_LIBRARY, "libv1.so", "-shared", "-fPIC", "-O0");
        v2 = ElfTestTools.compile(dir, "gcc", "v2.c", ElfTestTools.C_LIBRARY.replace("0x5a5a", "0x5a5b"), "libv2.so",
                "-shared", "-fPIC", "-O0");
        id1 = ElfTestTools.readelfBuildId(v1);
        id2 = ElfTestTools.readelfBuildId(v2);
        assertNotEquals(id1, id2);
        installed = dir.resolve("libx.so");
        Files.copy(v1, installed);
        LoadSegment text = ElfFile.open(v1).loadSegments().stream().filter(LoadSegment::isExecutable).findFirst().orElseThrow();
        long start = BASE + (text.vaddr() & -PAGE);
        long end = BASE + ((text.vaddr() + text.fileSize() + PAGE - 1) & -PAGE);
        long beta = BASE + ElfTestTools.nm(v1, false).get("beta").address() + 1;
        long delta = BASE + ElfTestTools.nm(v1, false).get("delta").address() + 1;
        profile = Files.writeString(dir.resolve("jeprof." + PID + ".0.f.heap"), String.format("""
                heap_v2/1
                  t*: 1: 1024 [0: 0]
                @ 0x%x 0x%x
                  t*: 1: 1024 [0: 0]
                MAPPED_LIBRARIES:
                %x-%x r-xp %08x 08:01 4242 %s
                """, beta, delta, start, end, text.fileOffset() & -PAGE, installed));
    }

    /** The build id pprof shows for libx.so's mapping ("" when none). */
    private String mappedBuildId() throws Exception {
        Path pb = dir.resolve("p.pb.gz");
        assertEquals(0, Main.run("render", profile.toString(), "--format", "pprof", "-o", pb.toString()));
        String raw = GoPprof.run("-raw", pb.toString());
        String mappings = raw.substring(raw.indexOf("\nMappings\n"));
        for (String line : mappings.split("\n")) {
            int at = line.indexOf(" " + installed + " ");
            if (line.endsWith(" " + installed)) return "";
            // After the file: the build id, then flags such as [FN] (has functions).
            if (at >= 0) {
                String next = line.substring(at + installed.toString().length() + 2).strip().split("\\s+")[0];
                return next.startsWith("[") ? "" : next;
            }
        }
        throw new AssertionError("no mapping of " + installed + " in\n" + raw);
    }

    @Test
    void theFilesOwnBuildIdWhenItIsTheBuildTheProfileSaw() throws Exception {
        assertEquals(id1, mappedBuildId());
    }

    @Test
    void theRecordedBuildIdWhenTheFileOnDiskIsAnotherBuild() throws Exception {
        Files.copy(v2, installed, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve(ProcessRecord.PREFIX + PID), id1 + " " + installed + "\n");
        assertEquals(id1, mappedBuildId());
    }

    @Test
    void noBuildIdWhenTheFileOnDiskCannotBeTheOneMapped() throws Exception {
        // A build with a bigger text segment: its layout does not fit the mapping, and nothing was recorded.
        Path bigger = ElfTestTools.compile(dir, "gcc", "v3.c", ElfTestTools.C_LIBRARY
                + "int pad(int x) { volatile char b[1]; " + "x = x * 3 + b[0]; ".repeat(2000) + "return x; }\n", "libv3.so",
                "-shared", "-fPIC", "-O0");
        Files.copy(bigger, installed, StandardCopyOption.REPLACE_EXISTING);
        assertEquals("", mappedBuildId());
    }
}
