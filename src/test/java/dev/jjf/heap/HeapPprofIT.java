package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jjf.cli.Main;
import dev.jjf.render.GoPprof;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real jcmd dumps of {@link HeapFixture} as pprof, read by the real {@code go tool pprof}: a JDK 17
 * dump's totals per sample type are jjf's JSON totals, and a diff to a JDK 25 parallel gzip dump
 * (when that JDK is here) totals jjf's JSON delta.
 */
class HeapPprofIT {
    private static final List<String> METRICS = List.of("retained", "count", "native");

    @TempDir
    Path work;

    private JsonNode json(Path dump, Path base, String metric) throws Exception {
        Path out = work.resolve("out-" + metric + ".json");
        List<String> args = new ArrayList<>(List.of("render", dump.toString(), "--metric", metric, "--format", "json", "-o", out.toString()));
        if (base != null) args.addAll(List.of("--base", base.toString()));
        assertEquals(0, Main.run(args.toArray(new String[0])));
        return new ObjectMapper().readTree(out.toFile());
    }

    @Test
    void jcmdDumpsTotalsAndTheirDiffAreJjfsJson() throws Exception {
        Path dump = work.resolve("fixture-17.hprof");
        HeapDumpIT.takeDump(HeapDumpIT.JDK17, List.of(), dump);
        Path pb = work.resolve("heap.pb.gz");
        assertEquals(0, Main.run("render", dump.toString(), "--format", "pprof", "-o", pb.toString()));
        String raw = GoPprof.run("-raw", pb.toString());
        assertTrue(raw.contains("inuse_space/bytes[dflt] inuse_objects/count native_space/bytes"), raw.substring(0, 400));
        for (int i = 0; i < METRICS.size(); i++) {
            long expected = json(dump, null, METRICS.get(i)).get("value").asLong();
            assertTrue(expected > 0, METRICS.get(i));
            assertEquals(expected, GoPprof.rawTotal(raw, i), METRICS.get(i));
        }
        // The fixture's direct buffers, found by pprof's own focus on the frame that owns them.
        String top = GoPprof.run("-top", "-sample_index=native_space", "-focus=" + HeapFixture.class.getName().replace(".", "\\."), pb.toString());
        assertTrue(top.contains("java.nio.DirectByteBuffer"), top);

        if (!Files.isExecutable(Path.of(HeapDumpIT.JDK25, "bin", "jcmd"))) return;
        Path newer = work.resolve("fixture-25.hprof.gz");
        HeapDumpIT.takeDump(HeapDumpIT.JDK25, List.of("-parallel=2", "-gz=1"), newer);
        Path diff = work.resolve("diff.pb.gz");
        assertEquals(0, Main.run("diff", dump.toString(), newer.toString(), "--format", "pprof", "-o", diff.toString()));
        String diffRaw = GoPprof.run("-raw", diff.toString());
        for (int i = 0; i < METRICS.size(); i++) {
            assertEquals(json(newer, dump, METRICS.get(i)).get("delta").asLong(), GoPprof.rawTotal(diffRaw, i), METRICS.get(i));
        }
    }
}
