package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jjf.heap.HprofSamples;
import dev.jjf.heap.PprofDumps;
import dev.jjf.render.GoPprof;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap dumps as pprof and as a text table: every pprof goes through the real {@code go tool pprof},
 * whose {@code -raw} totals must be jjf's JSON totals of the same dumps, metric by metric. The dumps
 * are written ones (a thread's frame holding a direct buffer; random trees with cross links);
 * HeapPprofIT does the same on real jcmd dumps.
 */
class HeapPprofTest {
    /** pprof's sample types of a heap dump, in order, and the --metric each one is. */
    private static final List<String> TYPES = List.of("inuse_space/bytes", "inuse_objects/count", "native_space/bytes");
    private static final List<String> METRICS = List.of("retained", "count", "native");

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    private static Result jjf(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static void ok(Result r) {
        assertEquals(0, r.exit(), r.err());
    }

    private JsonNode json(Path dump, Path base, String metric) throws Exception {
        Path out = dir.resolve("out-" + metric + ".json");
        List<String> args = new ArrayList<>(List.of("render", dump.toString(), "--metric", metric, "--format", "json", "-o", out.toString()));
        if (base != null) args.addAll(List.of("--base", base.toString()));
        ok(jjf(args.toArray(new String[0])));
        return new ObjectMapper().readTree(out.toFile());
    }

    @Test
    void everyMetricsPprofTotalIsItsJsonTotal() throws Exception {
        Path small = Files.write(dir.resolve("small.hprof"), HprofSamples.hotspot(false));
        Path random = Files.write(dir.resolve("random.hprof"), PprofDumps.random(5, 300));
        for (Path dump : List.of(small, random)) {
            Path pb = dir.resolve(dump.getFileName() + ".pb.gz");
            ok(jjf("render", dump.toString(), "--metric", "native", "--format", "pprof", "-o", pb.toString()));
            String raw = GoPprof.run("-raw", pb.toString());
            assertTrue(raw.contains("inuse_space/bytes inuse_objects/count native_space/bytes[dflt]"), raw);
            assertTrue(raw.contains("Comment: jjf: heap dump " + dump), raw.substring(0, Math.min(400, raw.length())));
            for (int i = 0; i < TYPES.size(); i++) {
                long expected = json(dump, null, METRICS.get(i)).get("value").asLong();
                assertEquals(expected, GoPprof.rawTotal(raw, i), dump + " " + TYPES.get(i));
                assertTrue(expected > 0 || dump == random && i == 2, dump + " " + TYPES.get(i) + " has something to compare");
            }
        }
        // The written dump's frame root and its direct buffer: a path of classes under the thread's frame, with kinds.
        String raw = GoPprof.run("-raw", dir.resolve("small.hprof.pb.gz").toString());
        // The buffer's capacity: native_space only, a leaf under its owner's path (four frames), with the path's kinds.
        assertTrue(raw.matches("(?s).*\\s0\\s+0\\s+4096: \\d+ \\d+ \\d+ \\d+ \\n\\s+kind:\\[root app-class jdk-class native-owned\\]\\n.*"), raw);
        String top = GoPprof.run("-top", "-sample_index=inuse_space", dir.resolve("small.hprof.pb.gz").toString());
        assertTrue(top.contains("com.example.Holder"), top);
    }

    @Test
    void aDiffsPprofTotalIsItsJsonDeltaWithTheBaseMarkedAsPprofMarksIt() throws Exception {
        Path base = Files.write(dir.resolve("base.hprof"), HprofSamples.hotspot(false));
        Path now = Files.write(dir.resolve("random.hprof"), PprofDumps.random(3, 300));
        Path pb = dir.resolve("diff.pb.gz");
        ok(jjf("diff", base.toString(), now.toString(), "--format", "pprof", "-o", pb.toString()));
        String raw = GoPprof.run("-raw", pb.toString());
        assertTrue(raw.contains("Comment: jjf: baseline heap dump " + base), raw.substring(0, Math.min(400, raw.length())));
        assertTrue(raw.contains("pprof::base:[true]"), "the baseline's samples are marked");
        for (int i = 0; i < TYPES.size(); i++) {
            JsonNode json = json(now, base, METRICS.get(i));
            assertNotEquals(json.get("value").asLong(), json.get("delta").asLong(), "the baseline counts");
            assertEquals(json.get("delta").asLong(), GoPprof.rawTotal(raw, i), TYPES.get(i));
        }
    }

    @Test
    void textGoesToStandardOutputAndPprofRefusesIt() throws Exception {
        Path dump = Files.write(dir.resolve("small.hprof"), HprofSamples.hotspot(false));
        Result r = jjf("render", dump.toString(), "--format", "text");
        ok(r);
        long total = json(dump, null, "retained").get("value").asLong();
        assertTrue(r.out().startsWith("Total: " + dev.jjf.render.Units.format(total, "bytes") + ";"), r.out());
        assertTrue(r.out().contains("app-class com.example.Holder\n"), r.out());
        assertTrue(r.err().contains("jjf: printed ("), r.err());
        assertTrue(Files.notExists(dir.resolve("-")) && Files.notExists(Path.of("-")), "no file named -");

        Result pprof = jjf("render", dump.toString(), "--format", "pprof", "-o", "-");
        assertEquals(1, pprof.exit(), pprof.err());
        assertTrue(pprof.err().contains("pprof output is binary"), pprof.err());
    }
}
