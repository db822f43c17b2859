package dev.jjf.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.HeapProfileParser;
import dev.jjf.profile.Metric;
import dev.jjf.profile.ProfileStream;
import dev.jjf.render.FoldedWriter;
import dev.jjf.render.SvgOptions;
import dev.jjf.render.SvgRenderer;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.Symbolizer;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Folding and drawing must not change when they are made faster: golden.heap (400 stacks through JIT code with
 * inlined chains, overlapping perf-map entries, interpreter frames, unresolved libraries, a
 * deleted library, addresses outside every mapping and allocator frames to trim) folded by the
 * implementation before the performance work, annotated, is the expected output byte for byte;
 * so is the SVG drawn then (through JFreeSVG; minus its unused namespace since), at the default minimum
 * width and with every frame. Its libraries are not on disk, so ELF symbols are not part of it:
 * {@code symbols.ElfFoldedOutputTest} covers that path with gcc-built libraries.
 */
class GoldenOutputTest {
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

    @ParameterizedTest
    @EnumSource(value = Metric.class, names = {"INUSE_SPACE", "ALLOC_OBJECTS"})
    void foldsStreamedStacksExactlyAsBefore(Metric metric) throws Exception {
        Path heap = copy("golden.heap");
        Symbolizer symbolizer = new Symbolizer(SymbolizerOptions.defaults(), w -> { });
        StackFolder folder = new StackFolder(metric, null, null);
        try (ProfileStream stream = ProfileStream.open(heap).orElseThrow()) {
            assertEquals(400, folder.add(stream, symbolizer.forProcess(stream.mappings(), PerfMap.read(copy("golden.map"), w -> { }))));
        }
        StringWriter out = new StringWriter();
        new FoldedWriter(true).write(folder.tree(), out);
        assertEquals(resource("golden-" + metric.id() + ".folded"), out.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.1", "0"})
    void drawsExactlyAsBefore(String minWidth) throws Exception {
        Path heap = copy("golden.heap");
        HeapProfile profile = HeapProfileParser.parse(heap);
        Symbolizer symbolizer = new Symbolizer(SymbolizerOptions.defaults(), w -> { });
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
        folder.add(profile, symbolizer.forProcess(profile.mappings(), PerfMap.read(copy("golden.map"), w -> { })));
        StringWriter out = new StringWriter();
        new SvgRenderer(new SvgOptions("golden", Double.parseDouble(minWidth), SvgOptions.DEFAULT_WIDTH_PX))
                .write(folder.tree(), out);
        assertEquals(resource("golden-minwidth-" + minWidth + ".svg.gz"), out.toString());
    }

    private Path copy(String name) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, resource(name), StandardCharsets.UTF_8);
        return p;
    }

    private static String resource(String name) throws Exception {
        try (InputStream raw = GoldenOutputTest.class.getResourceAsStream(name);
             InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
