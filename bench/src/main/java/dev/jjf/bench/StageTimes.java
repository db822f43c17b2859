package dev.jjf.bench;

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
import dev.jjf.symbols.ProcessSymbols;
import dev.jjf.symbols.Symbolizer;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Times the render stages in one JVM, the way RenderJob calls them: the first iteration is what
 * a command-line run pays (cold JIT), later ones show the code's steady-state cost. Symbol
 * loading is timed apart from folding by symbolizing every address before the fold. Times are
 * the main thread's CPU time, which load from other processes on a shared machine disturbs far
 * less than wall time; "process" adds the JIT compiler and GC threads.
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
        System.out.println("CPU ms of the main thread per stage (symbols: each distinct address once); process = all threads, wall = elapsed");
        System.out.println("iteration  parse  perfmap  symbols    fold     svg  folded   total  process    wall");
        for (int it = 1; it <= iterations; it++) {
            long p0 = processCpu();
            long w0 = System.nanoTime();
            long t0 = cpu();
            HeapProfile profile = HeapProfileParser.parse(heap);
            long t1 = cpu();
            PerfMap perfMap = PerfMap.read(map, w -> { });
            long t2 = cpu();
            long[][] distinct = distinct(profile);
            long t2b = cpu();
            Symbolizer symbolizer = new Symbolizer(SymbolizerOptions.defaults(), w -> { });
            ProcessSymbols symbols = symbolizer.forProcess(profile.mappings(), perfMap);
            for (long a : distinct[0]) symbols.locate(a, false);
            for (long a : distinct[1]) symbols.locate(a, true);
            long t3 = cpu();
            StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
            folder.add(profile, symbols);
            CallTree tree = folder.tree();
            long t4 = cpu();
            new SvgRenderer(SvgOptions.defaults("bench")).write(tree, Writer.nullWriter());
            long t5 = cpu();
            new FoldedWriter(false).write(tree, Writer.nullWriter());
            long t6 = cpu();
            System.out.printf(Locale.ROOT, "%9d  %5.0f  %7.0f  %7.0f  %6.0f  %6.0f  %6.0f  %6.0f  %7.0f  %6.0f%n", it,
                    ms(t1 - t0), ms(t2 - t1), ms(t3 - t2b), ms(t4 - t3), ms(t5 - t4), ms(t6 - t5), ms(t6 - t0 - (t2b - t2)),
                    ms(processCpu() - p0), ms(System.nanoTime() - w0));
        }
    }

    /** Distinct leaf and caller addresses: the folder names each once. */
    private static long[][] distinct(HeapProfile profile) {
        Set<Long> leaves = new HashSet<>();
        Set<Long> callers = new HashSet<>();
        for (StackSample s : profile.samples()) {
            long[] a = s.addresses();
            leaves.add(a[0]);
            for (int i = 1; i < a.length; i++) callers.add(a[i]);
        }
        return new long[][] {leaves.stream().mapToLong(Long::longValue).toArray(), callers.stream().mapToLong(Long::longValue).toArray()};
    }

    private static long cpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
