package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The render command's contract: outputs, exit codes, one-line errors, no partial files. */
class RenderCommandTest {
    private static final String PROFILE = """
            heap_v2/1
              t*: 3: 3072 [0: 0]
            @ 0x1000 0x2000
              t*: 1: 1024 [0: 0]
            @ 0x1000 0x3010
              t*: 2: 2048 [0: 0]
            MAPPED_LIBRARIES:
            """;

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    Result jjf(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void rendersFoldedWithPerfMapNamesAndTotals() throws Exception {
        Path heap = Files.writeString(dir.resolve("jeprof.77.0.f.heap"), PROFILE);
        Files.writeString(dir.resolve("perf-77.map"), """
                0x0000000000001000 0x0000000000000100 Interpreter
                0x0000000000001f00 0x0000000000000200 void app.Main.run(int)
                3000 100 Lapp/Worker;::work->Lapp/Util;::grab
                """);
        Path out = dir.resolve("out.folded");
        Result r = jjf("render", heap.toString(), "--format", "folded", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                app.Main.run(int);Interpreter 1024
                app.Worker.work;app.Util.grab;Interpreter 2048
                """, Files.readString(out));
        Result annotated = jjf("render", heap.toString(), "--format", "folded", "--annotate", "-o", out.toString());
        assertEquals(0, annotated.exit(), annotated.err());
        assertTrue(Files.readString(out).contains("app.Worker.work_[j];app.Util.grab_[i];Interpreter_[k] 2048"), Files.readString(out));
    }

    @Test
    void latestWithoutDashDashRenderIsTheDefaultCommand() throws Exception {
        Files.writeString(dir.resolve("jeprof.5.0.f.heap"), PROFILE);
        Path out = dir.resolve("x.json");
        Result r = jjf("--latest", "--dir", dir.toString(), "--format", "json", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.readString(out).startsWith("{\"name\":\"all\",\"value\":3072,\"unit\":\"bytes\""), Files.readString(out));
        assertTrue(r.err().contains("jeprof.5.0.f.heap"), "says which files it used: " + r.err());
    }

    @Test
    void malformedProfileGivesOneLineWithFileAndLineAndNoOutput() throws Exception {
        Path heap = Files.writeString(dir.resolve("bad.heap"), PROFILE.replace("t*: 2: 2048", "t*: 2: x"));
        Path out = dir.resolve("flames.svg");
        Result r = jjf("render", heap.toString(), "-o", out.toString());
        assertEquals(1, r.exit());
        assertEquals("jjf: " + heap + ":6: expected a non-negative number at column 10\n", r.err());
        assertFalse(Files.exists(out), "no partial output");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
    }

    @Test
    void failedRenderLeavesAnExistingOutputUntouched() throws Exception {
        Path out = Files.writeString(dir.resolve("flames.svg"), "old");
        Path heap = Files.writeString(dir.resolve("bad.heap"), "garbage\n");
        assertEquals(1, jjf("render", heap.toString(), "-o", out.toString()).exit());
        assertEquals("old", Files.readString(out));
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        Path heap = Files.writeString(dir.resolve("bad.heap"), "garbage\n");
        Result quiet = jjf("render", heap.toString(), "-o", dir.resolve("a.svg").toString());
        Result verbose = jjf("render", heap.toString(), "-o", dir.resolve("a.svg").toString(), "--verbose");
        assertFalse(quiet.err().contains("\tat "), quiet.err());
        assertTrue(verbose.err().contains("\tat dev.jjf."), verbose.err());
    }

    @Test
    void missingInputsAndBadOptionsAreOneLineErrors() throws Exception {
        Result none = jjf("render", dir.resolve("nope.heap").toString());
        assertEquals(1, none.exit());
        assertEquals("jjf: " + dir.resolve("nope.heap") + ": no such file\n", none.err());

        Result empty = jjf("--latest", "--dir", dir.toString());
        assertEquals(1, empty.exit());
        assertTrue(empty.err().startsWith("jjf: " + dir + ": no jemalloc heap profile"), empty.err());

        Path heap = Files.writeString(dir.resolve("jeprof.5.0.f.heap"), PROFILE);
        Result metric = jjf("render", heap.toString(), "--metric", "nonsense");
        assertEquals(1, metric.exit());
        assertTrue(metric.err().contains("unknown --metric 'nonsense'"), metric.err());
        Result regex = jjf("render", heap.toString(), "--include", "(");
        assertEquals(1, regex.exit());
        assertTrue(regex.err().contains("--include: invalid regular expression"), regex.err());
    }

    @Test
    void versionAndHelpExitZero() {
        Result v = jjf("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("jjf "), v.out());
        assertEquals(0, jjf("render", "--help").exit());
        assertEquals(0, jjf("--help").exit());
    }
}
