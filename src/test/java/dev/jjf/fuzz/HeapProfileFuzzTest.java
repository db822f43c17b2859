package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.HeapProfileParser;
import dev.jjf.profile.Metric;
import dev.jjf.profile.StackSample;
import dev.jjf.render.FoldedWriter;
import dev.jjf.render.SvgOptions;
import dev.jjf.render.SvgRenderer;
import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.StackFolder;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.Symbolizer;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.ByteArrayInputStream;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A jemalloc heap profile as bytes, through everything that reads it: the parser, then (when it
 * parses) symbolization, folding and both text renderers. Mapped paths are swapped for a fixed
 * set of real cases so that fuzzing never opens arbitrary files on this machine.
 */
class HeapProfileFuzzTest {
    private static final Path FILE = Path.of("fuzzed.heap");

    @FuzzTest
    void parse(byte[] data) {
        check(data);
    }

    static void check(byte[] data) {
        Oracle.check(Targets.HEAP_PROFILE, data, data.length, () -> {
            HeapProfile profile = HeapProfileParser.parse(new ByteArrayInputStream(data), FILE);
            for (StackSample s : profile.samples()) {
                assertTrue(s.addresses().length > 0, "a stack without frames");
                assertTrue(s.objects() >= 0 && s.bytes() >= 0 && s.accumObjects() >= 0 && s.accumBytes() >= 0,
                        "negative count");
            }
            render(profile);
        });
    }

    /** Symbolizes, folds and renders, as `jjf render` would; warnings must be single lines. */
    static void render(HeapProfile parsed) throws Exception {
        HeapProfile profile = new HeapProfile(parsed.source(), parsed.samplePeriodBytes(), parsed.samples(),
                FuzzFiles.tame(parsed.mappings()));
        List<String> warnings = new ArrayList<>();
        Symbolizer symbolizer = new Symbolizer(new SymbolizerOptions(null, List.of(FuzzFiles.libs()), List.of(), null),
                warnings::add);
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
        folder.add(profile, symbolizer.forProcess(profile.mappings(), PerfMap.empty()));
        CallTree tree = folder.tree();
        assertTrue(Double.isFinite(tree.total()) && tree.total() >= 0, "total " + tree.total());
        new SvgRenderer(SvgOptions.defaults("fuzz")).write(tree, Writer.nullWriter());
        new FoldedWriter(true).write(tree, Writer.nullWriter());
        for (String w : warnings) assertEquals(-1, w.indexOf('\n'), "warning over several lines: " + w);
    }
}
