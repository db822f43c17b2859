package dev.jjf.bench;

import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.HeapProfileParser;
import dev.jjf.profile.Metric;
import dev.jjf.render.FoldedWriter;
import dev.jjf.render.SvgOptions;
import dev.jjf.render.SvgRenderer;
import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.StackFolder;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.ProcessSymbols;
import dev.jjf.symbols.Symbolizer;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Times the render stages in one JVM, the way RenderJob calls them: the first iteration is what
 * a command-line run pays (cold JIT), later ones show the code's steady-state cost. Symbol
 * loading is timed apart from folding by symbolizing every address before the fold.
 *
 * <pre>java -cp benchmarks.jar:jjf.jar dev.jjf.bench.StageTimes HEAP PERF_MAP [ITERATIONS]</pre>
 */
public final class StageTimes {
    private StageTimes() {
    }

    public static void main(String[] args) throws IOException {
        Path heap = Path.of(args[0]);
        Path map = Path.of(args[1]);
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.println("iteration  parse_ms  perfmap_ms  symbols_ms  fold_ms  svg_ms  folded_ms  total_ms");
        for (int it = 1; it <= iterations; it++) {
            long t0 = System.nanoTime();
            HeapProfile profile = HeapProfileParser.parse(heap);
            long t1 = System.nanoTime();
            PerfMap perfMap = PerfMap.read(map, w -> { });
            long t2 = System.nanoTime();
            Symbolizer symbolizer = new Symbolizer(SymbolizerOptions.defaults(), w -> { });
            ProcessSymbols symbols = symbolizer.forProcess(profile.mappings(), perfMap);
            profile.samples().forEach(s -> {
                long[] a = s.addresses();
                for (int i = 0; i < a.length; i++) symbols.locate(a[i], i > 0);
            });
            long t3 = System.nanoTime();
            StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
            folder.add(profile, symbols);
            CallTree tree = folder.tree();
            long t4 = System.nanoTime();
            new SvgRenderer(SvgOptions.defaults("bench")).write(tree, Writer.nullWriter());
            long t5 = System.nanoTime();
            new FoldedWriter(false).write(tree, Writer.nullWriter());
            long t6 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%9d  %8.0f  %10.0f  %10.0f  %7.0f  %6.0f  %9.0f  %8.0f%n", it,
                    ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3), ms(t5 - t4), ms(t6 - t5), ms(t6 - t0));
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
