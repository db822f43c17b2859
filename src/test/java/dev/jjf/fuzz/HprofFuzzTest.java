package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jjf.heap.Dominators;
import dev.jjf.heap.HeapDump;
import dev.jjf.heap.HeapDumpOptions;
import dev.jjf.heap.HeapFolder;
import dev.jjf.heap.HeapGraph;
import dev.jjf.heap.HeapMetric;
import dev.jjf.render.FoldedWriter;
import dev.jjf.render.SvgOptions;
import dev.jjf.render.SvgRenderer;
import dev.jjf.stacks.CallTree;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An HPROF heap dump as bytes (plain, or gzip when the bytes start like gzip) through everything
 * `jjf render` does with it: read, dominators, every metric folded, SVG and folded output. Seeds:
 * small HotSpot, Android 1.0.3, Native Image, out-of-order and gzip dumps, and cut ones.
 */
class HprofFuzzTest {
    private static final Path INPUT = FuzzFiles.dir().resolve("fuzzed.hprof");

    @FuzzTest
    void read(byte[] data) throws Exception {
        check(data);
    }

    static void check(byte[] data) throws Exception {
        Files.write(INPUT, data);
        Oracle.check(Targets.HPROF, data, data.length, () -> {
            List<String> warnings = new ArrayList<>();
            for (boolean allHeaps : new boolean[] {false, true}) {
                HeapGraph g;
                try {
                    g = HeapDump.read(INPUT, new HeapDumpOptions(allHeaps, 1, warnings::add));
                } catch (dev.jjf.BadInputException e) {
                    assertEquals(-1, e.userMessage().indexOf('\n'), "message over several lines: " + e.userMessage());
                    throw e;
                }
                Dominators d = Dominators.compute(g);
                assertTrue(d.reachableCount() <= g.objectCount());
                for (HeapMetric m : HeapMetric.values()) {
                    CallTree tree = HeapFolder.fold(g, d, m);
                    assertTrue(Double.isFinite(tree.total()) && tree.total() >= 0, m + " total " + tree.total());
                    if (m == HeapMetric.RETAINED) assertEquals(d.reachableBytes(), tree.total(), 0.0);
                    new SvgRenderer(SvgOptions.defaults("fuzz")).write(tree, Writer.nullWriter());
                    new FoldedWriter(true).write(tree, Writer.nullWriter());
                }
            }
            for (String w : warnings) assertEquals(-1, w.indexOf('\n'), "warning over several lines: " + w);
        });
    }
}
