package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --latest without --dir: the temp dir and every run directory of ./jjf-out, the newest profile wins. */
class LatestTest {
    @TempDir
    Path root;

    private final List<String> log = new ArrayList<>();
    /** No perf-map directories: a real /tmp could hold perf-PID.map files that change which process counts as a JVM. */
    private final Inputs inputs = new Inputs(null, List.of(), log::add);

    private Path dump(Path dir, String name, long ageSeconds) throws Exception {
        Files.createDirectories(dir);
        Path p = Files.writeString(dir.resolve(name), RenderCommandTest.PROFILE);
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - ageSeconds * 1000));
        return p;
    }

    @Test
    void aRunDirectoryUnderJjfOutBeatsAnOlderProfileInTheTempDir() throws Exception {
        Path tmp = root.resolve("tmp");
        Path runs = root.resolve("jjf-out");
        dump(tmp, "jeprof.999001.0.f.heap", 300);
        Path newest = dump(runs.resolve("20260101-120000"), "jeprof.999002.0.f.heap", 10);
        dump(runs.resolve("20260101-110000"), "jeprof.999003.0.f.heap", 200);
        assertEquals(newest, inputs.latestAnywhere(tmp, runs, null).heap());
    }

    @Test
    void theTempDirWinsWhenItHoldsTheNewest() throws Exception {
        Path tmp = root.resolve("tmp");
        Path runs = root.resolve("jjf-out");
        Path newest = dump(tmp, "jeprof.999001.0.f.heap", 5);
        dump(runs.resolve("20260101-120000"), "jeprof.999002.0.f.heap", 100);
        assertEquals(newest, inputs.latestAnywhere(tmp, runs, null).heap());
        assertEquals(newest, inputs.latestAnywhere(tmp, root.resolve("no-such-dir"), null).heap());
    }

    @Test
    void pidSelectsAcrossAllPlaces() throws Exception {
        Path tmp = root.resolve("tmp");
        Path runs = root.resolve("jjf-out");
        dump(tmp, "jeprof.999001.0.f.heap", 5);
        Path wanted = dump(runs.resolve("r"), "jeprof.999002.0.f.heap", 100);
        assertEquals(wanted, inputs.latestAnywhere(tmp, runs, 999002L).heap());
    }

    private Path heapDump(Path dir, String name, long ageSeconds) throws Exception {
        Files.createDirectories(dir);
        Path p = Files.write(dir.resolve(name), "JAVA PROFILE 1.0.2\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - ageSeconds * 1000));
        return p;
    }

    @Test
    void aNewerHeapDumpInARunDirectoryWinsAndAnOlderOneDoesNot() throws Exception {
        Path tmp = root.resolve("tmp");
        Path runs = root.resolve("jjf-out");
        Path profile = dump(tmp, "jeprof.999001.0.f.heap", 100);
        Path older = heapDump(runs.resolve("20260101-120000"), "java-heap.999001.0.m0.hprof", 300);
        assertEquals(profile, inputs.latestAnywhere(tmp, runs, null).heap());
        Path newer = heapDump(runs.resolve("20260101-130000"), "dump.hprof", 10);
        assertEquals(newer, inputs.latestAnywhere(tmp, runs, null).heap());
        assertEquals(profile, inputs.latestAnywhere(tmp, runs, 999001L).heap(), "a pid asks for a profile");
        Files.delete(profile);
        assertEquals(newer, inputs.latestAnywhere(tmp, runs, null).heap(), "a heap dump alone is found too");
        assertTrue(Files.exists(older));
    }

    @Test
    void nothingFoundSaysWhereItLooked() throws Exception {
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Path runs = Files.createDirectories(root.resolve("jjf-out").resolve("20260101-120000")).getParent();
        BadInputException e = assertThrows(BadInputException.class, () -> inputs.latestAnywhere(tmp, runs, null));
        assertTrue(e.getMessage().contains("in " + tmp + " and " + runs + "/* (1 run directory)"), e.getMessage());
    }
}
