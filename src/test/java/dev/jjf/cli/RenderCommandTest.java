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
    /** A tiny valid profile: two stacks, no mappings (LauncherIT renders it too). */
    static final String PROFILE = """
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
    void textFormatPrintsATableToStandardOutput() throws Exception {
        Path heap = Files.writeString(dir.resolve("jeprof.77.0.f.heap"), PROFILE);
        Files.writeString(dir.resolve("perf-77.map"), """
                0x0000000000001000 0x0000000000000100 Interpreter
                0x0000000000001f00 0x0000000000000200 void app.Main.run(int)
                3000 100 Lapp/Worker;::work->Lapp/Util;::grab
                """);
        Result r = jjf("render", heap.toString(), "--format", "text");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                Total: 3.0 KiB; showing 4 of 4 frames, 100.00% of the total
                        flat   flat%    sum%          cum    cum% kind      frame
                     3.0 KiB 100.00% 100.00%      3.0 KiB 100.00% generated Interpreter
                         0 B   0.00% 100.00%      2.0 KiB  66.67% inlined   app.Util.grab
                         0 B   0.00% 100.00%      2.0 KiB  66.67% java      app.Worker.work
                         0 B   0.00% 100.00%      1.0 KiB  33.33% java      app.Main.run(int)
                """, r.out());
        assertTrue(r.err().contains("jjf: printed (3.0 KiB in 2 stacks)"), r.err());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no file written");
        }
    }

    @Test
    void allocationMetricsWithoutTotalsAreRefusedInOneLine() throws Exception {
        // jemalloc without prof_accum writes every accumulated pair as [0: 0]: nothing to draw.
        Path heap = Files.writeString(dir.resolve("jeprof.77.0.f.heap"), PROFILE);
        Path out = dir.resolve("out.folded");
        for (String metric : new String[] {"alloc-space", "alloc-objects"}) {
            Result r = jjf("render", heap.toString(), "--metric", metric, "--format", "folded", "-o", out.toString());
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("jjf: " + heap + ": no allocation totals in this profile"), r.err());
            assertTrue(r.err().contains("prof_accum:true"), "says how to record them: " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(Files.exists(out), "no empty graph");
        }
    }

    @Test
    void allocationMetricsDrawRecordedTotals() throws Exception {
        Path heap = Files.writeString(dir.resolve("jeprof.77.0.f.heap"), PROFILE.replace("[0: 0]", "[4: 4096]"));
        Path out = dir.resolve("out.folded");
        Result r = jjf("render", heap.toString(), "--metric", "alloc-objects", "--format", "folded", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.readString(out).contains(" 4\n"), Files.readString(out));
    }

    @Test
    void perfMapOfAnotherProcessIsIgnoredWithAWarning() throws Exception {
        Path heap = Files.writeString(dir.resolve("jeprof.77.0.f.heap"), PROFILE);
        String entries = """
                0x0000000000001000 0x0000000000000100 Interpreter
                0x0000000000001f00 0x0000000000000200 void app.Main.run(int)
                """;
        Path map = dir.resolve("perf-77.map");
        Path out = dir.resolve("out.folded");
        // An earlier process with pid 78 wrote it; the profile is pid 77's.
        Files.writeString(map, "# jjf-perfmap pid=78 start=123 boot=b\n" + entries);
        Result stale = jjf("render", heap.toString(), "--format", "folded", "-o", out.toString());
        assertEquals(0, stale.exit(), stale.err());
        assertTrue(stale.err().contains("warning: ignored " + map + ": written by pid 78, not by pid 77"), stale.err());
        assertFalse(Files.readString(out).contains("app.Main.run"), Files.readString(out));

        Files.writeString(map, "# jjf-perfmap pid=77 start=123 boot=b\n" + entries);
        Result own = jjf("render", heap.toString(), "--format", "folded", "-o", out.toString());
        assertEquals(0, own.exit(), own.err());
        assertFalse(own.err().contains("warning"), "the header line is no malformed entry: " + own.err());
        assertTrue(Files.readString(out).contains("app.Main.run(int);Interpreter 1024"), Files.readString(out));
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

    @Test
    void diffShowsGrowthWithWidthsFromTheNewerProfile() throws Exception {
        Path base = Files.writeString(dir.resolve("jeprof.9.0.i0.heap"), PROFILE);
        Path newer = Files.writeString(dir.resolve("jeprof.9.1.i1.heap"), PROFILE
                .replace("t*: 3: 3072", "t*: 5: 9216").replace("t*: 2: 2048", "t*: 6: 8192"));
        Files.writeString(dir.resolve("perf-9.map"), "1000 100 Interpreter\n1f00 200 Lapp/A;::old\n3000 100 Lapp/B;::grows\n");
        Path out = dir.resolve("d.json");
        Result r = jjf("diff", base.toString(), newer.toString(), "--format", "json", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toFile());
        assertEquals(9216, json.path("value").asLong());
        assertEquals(9216 - 3072, json.path("delta").asLong());
        var byName = new java.util.HashMap<String, com.fasterxml.jackson.databind.JsonNode>();
        json.path("children").forEach(c -> byName.put(c.path("name").asText(), c));
        assertEquals(8192, byName.get("app.B.grows").path("value").asLong());
        assertEquals(8192 - 2048, byName.get("app.B.grows").path("delta").asLong());
        assertEquals(0, byName.get("app.A.old").path("delta").asLong());

        Path folded = dir.resolve("d.folded");
        assertEquals(0, jjf("diff", base.toString(), newer.toString(), "--format", "folded", "-o", folded.toString()).exit());
        assertEquals("app.A.old;Interpreter 1024 1024\napp.B.grows;Interpreter 2048 8192\n", Files.readString(folded));

        // One directory: its first and last dumps.
        Path fromDir = dir.resolve("dir.json");
        Result one = jjf("diff", dir.toString(), "--format", "json", "-o", fromDir.toString());
        assertEquals(0, one.exit(), one.err());
        assertEquals(9216 - 3072, new com.fasterxml.jackson.databind.ObjectMapper().readTree(fromDir.toFile()).path("delta").asLong());
        assertTrue(one.err().contains("baseline " + base), one.err());
    }

    @Test
    void diffSvgColoursGrowthRedAndCarriesDeltas() throws Exception {
        Path base = Files.writeString(dir.resolve("jeprof.9.0.i0.heap"), PROFILE);
        Path newer = Files.writeString(dir.resolve("jeprof.9.1.i1.heap"), PROFILE.replace("t*: 2: 2048", "t*: 6: 8192"));
        Files.writeString(dir.resolve("perf-9.map"), "1000 100 Interpreter\n1f00 200 Lapp/A;::old\n3000 100 Lapp/B;::grows\n");
        Path out = dir.resolve("d.svg");
        assertEquals(0, jjf("render", newer.toString(), "--base", base.toString(), "-o", out.toString()).exit());
        String svg = Files.readString(out);
        var grows = java.util.regex.Pattern.compile(
                "data-name=\"app.B.grows\"[^>]*data-delta=\"6144\"[^>]*><title>[^<]*</title><rect[^>]*fill:rgb\\(255,(\\d+),(\\d+)\\)").matcher(svg);
        assertTrue(grows.find(), "the growing frame carries its delta");
        assertTrue(Integer.parseInt(grows.group(1)) < 100, "the largest growth is strong red: " + grows.group());
        var same = java.util.regex.Pattern.compile(
                "data-name=\"app.A.old\"[^>]*data-delta=\"0\"[^>]*><title>[^<]*</title><rect[^>]*fill:rgb\\(235,235,235\\)").matcher(svg);
        assertTrue(same.find(), "an unchanged frame is not red");
        assertTrue(svg.contains("change +6.0 KiB"), "tooltip says the change");
        assertTrue(svg.contains("Grew (stronger: more)"), "differential legend");
    }

    @Test
    void diffOfOneDumpIsAClearError() throws Exception {
        Files.writeString(dir.resolve("jeprof.9.0.f.heap"), PROFILE);
        Result r = jjf("diff", dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("has only one dump here; diffing needs two"), r.err());
    }

    /** A profile from another host: its library path does not exist here, only under --symfs. */
    @Test
    void symfsFindsLibrariesOfAnotherHost() throws Exception {
        Path src = Files.writeString(dir.resolve("t.c"), "int jjf_symfs_probe(int x) { return x * 3 + 1; }\n");
        Path lib = dir.resolve("symfs/opt/remote/libprobe.so");
        Files.createDirectories(lib.getParent());
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O0", "-o", lib.toString(), src.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, gcc.waitFor(), new String(gcc.getInputStream().readAllBytes()));
        Process nm = new ProcessBuilder("nm", lib.toString()).start();
        String symbols = new String(nm.getInputStream().readAllBytes());
        assertEquals(0, nm.waitFor());
        long address = symbols.lines().filter(l -> l.endsWith(" jjf_symfs_probe")).mapToLong(l -> Long.parseUnsignedLong(l.substring(0, 16), 16))
                .findFirst().orElseThrow();
        // The mapping the loader would have made: the executable segment, rounded out to pages.
        long base = 0x7f0000000000L;
        long page = 0x1000;
        dev.jjf.symbols.LoadSegment text = dev.jjf.symbols.ElfFile.open(lib).loadSegments().stream()
                .filter(dev.jjf.symbols.LoadSegment::isExecutable).findFirst().orElseThrow();
        long start = base + (text.vaddr() & -page);
        long end = base + ((text.vaddr() + text.fileSize() + page - 1) & -page);
        Path heap = Files.writeString(dir.resolve("remote.heap"), "heap_v2/1\n@ 0x" + Long.toHexString(base + address + 4)
                + "\n  t*: 1: 4096 [0: 0]\nMAPPED_LIBRARIES:\n" + Long.toHexString(start) + "-" + Long.toHexString(end)
                + " r-xp " + String.format("%08x", text.fileOffset() & -page) + " 08:01 42 /opt/remote/libprobe.so\n");
        Path out = dir.resolve("remote.folded");
        Result without = jjf("render", heap.toString(), "--format", "folded", "-o", out.toString());
        assertEquals(0, without.exit(), without.err());
        assertTrue(Files.readString(out).startsWith("[unknown] libprobe.so+0x"), Files.readString(out));
        assertTrue(without.err().contains("cannot find /opt/remote/libprobe.so"), without.err());
        Result with = jjf("render", heap.toString(), "--format", "folded", "--symfs", dir.resolve("symfs").toString(), "-o", out.toString());
        assertEquals(0, with.exit(), with.err());
        assertEquals("jjf_symfs_probe 4096\n", Files.readString(out));
    }
}
