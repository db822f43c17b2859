package dev.jjf.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.HeapProfileParser;
import dev.jjf.profile.Metric;
import dev.jjf.render.FoldedWriter;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.Symbolizer;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Folding must not change when it is made faster: golden.heap (400 stacks through JIT code with
 * inlined chains, overlapping perf-map entries, interpreter frames, unresolved libraries, a
 * deleted library, addresses outside every mapping and allocator frames to trim) folded by the
 * implementation before the performance work, annotated, is the expected output byte for byte.
 */
class StackFolderGoldenTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Metric.class, names = {"INUSE_SPACE", "ALLOC_OBJECTS"})
    void foldsExactlyAsBefore(Metric metric) throws Exception {
        Path heap = copy("golden.heap");
        Path map = copy("golden.map");
        HeapProfile profile = HeapProfileParser.parse(heap);
        Symbolizer symbolizer = new Symbolizer(SymbolizerOptions.defaults(), w -> { });
        StackFolder folder = new StackFolder(metric, null, null);
        folder.add(profile, symbolizer.forProcess(profile.mappings(), PerfMap.read(map, w -> { })));
        StringWriter out = new StringWriter();
        new FoldedWriter(true).write(folder.tree(), out);
        assertEquals(resource("golden-" + metric.id() + ".folded"), out.toString());
    }

    private Path copy(String name) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, resource(name), StandardCharsets.UTF_8);
        return p;
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = StackFolderGoldenTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
