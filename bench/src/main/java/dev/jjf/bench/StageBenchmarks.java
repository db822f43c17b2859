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
import dev.jjf.symbols.Location;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.ProcessSymbols;
import dev.jjf.symbols.Symbolizer;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One benchmark per render stage on the same profile, so a regression shows up by stage:
 * parse (text already in memory), symbols (naming every distinct address of the profile once,
 * ELF files already open), elfLoad (opening libjvm.so and reading its symbol table), fold, svg
 * and folded output. The profile is given with {@code -p heap=FILE -p perfMap=FILE}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class StageBenchmarks {
    @Param("")
    public String heap;
    @Param("")
    public String perfMap;

    private byte[] heapBytes;
    private HeapProfile profile;
    private PerfMap map;
    private Symbolizer symbolizer;
    private ProcessSymbols warmSymbols;
    private long[] distinct;
    private boolean[] distinctIsCaller;
    private CallTree tree;
    private Path libjvm;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (heap.isEmpty() || perfMap.isEmpty()) {
            throw new IllegalArgumentException("run with -p heap=FILE.heap -p perfMap=FILE.map");
        }
        heapBytes = Files.readAllBytes(Path.of(heap));
        profile = HeapProfileParser.parse(Path.of(heap));
        map = PerfMap.read(Path.of(perfMap), w -> { });
        symbolizer = new Symbolizer(SymbolizerOptions.defaults(), w -> { });
        warmSymbols = symbolizer.forProcess(profile.mappings(), map);
        Set<Long> leaves = new LinkedHashSet<>();
        Set<Long> callers = new LinkedHashSet<>();
        for (StackSample s : profile.samples()) {
            long[] a = s.addresses();
            leaves.add(a[0]);
            for (int i = 1; i < a.length; i++) callers.add(a[i]);
        }
        distinct = new long[leaves.size() + callers.size()];
        distinctIsCaller = new boolean[distinct.length];
        int i = 0;
        for (long a : leaves) distinct[i++] = a;
        for (long a : callers) {
            distinctIsCaller[i] = true;
            distinct[i++] = a;
        }
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
        folder.add(profile, warmSymbols);
        tree = folder.tree();
        libjvm = profile.mappings().stream().map(m -> m.filePath()).filter(p -> p.endsWith("/libjvm.so"))
                .map(Path::of).findFirst().orElseThrow(() -> new IllegalArgumentException("profile maps no libjvm.so"));
    }

    @Benchmark
    public HeapProfile parse() throws IOException {
        return HeapProfileParser.parse(new ByteArrayInputStream(heapBytes), Path.of(heap));
    }

    /** Every distinct address named once by a new process view; ELF tables are already loaded. */
    @Benchmark
    public void symbols(Blackhole bh) {
        ProcessSymbols s = symbolizer.forProcess(profile.mappings(), map);
        for (int i = 0; i < distinct.length; i++) {
            Location l = s.locate(distinct[i], distinctIsCaller[i]);
            bh.consume(l);
        }
    }

    /** What the first lookup in libjvm.so pays: open, read and sort its symbol table. */
    @Benchmark
    public Object elfLoad() throws IOException {
        return dev.jjf.symbols.ElfFile.open(libjvm).symbols();
    }

    /** Folding with every address already named, as in the second of several profiles. */
    @Benchmark
    public CallTree fold() {
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
        folder.add(profile, warmSymbols);
        return folder.tree();
    }

    @Benchmark
    public void svg() throws IOException {
        new SvgRenderer(SvgOptions.defaults("bench")).write(tree, Writer.nullWriter());
    }

    @Benchmark
    public void folded() throws IOException {
        new FoldedWriter(false).write(tree, Writer.nullWriter());
    }
}
