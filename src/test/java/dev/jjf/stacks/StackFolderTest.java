package dev.jjf.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.model.FrameKind;
import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.HeapProfileParser;
import dev.jjf.profile.Metric;
import dev.jjf.profile.StackSample;
import dev.jjf.symbols.Line;
import dev.jjf.symbols.Location;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.ProcessSymbols;
import dev.jjf.symbols.Symbolizer;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The folder against a plain model of what it must do, stack by stack: name every address (the
 * leaf as is, callers as return addresses), trim the allocator's frames off the end but never the
 * outermost frame, add the entry point, filter, sum. Stacks are random sequences of golden.heap's
 * real addresses, so they cross allocator frames, inlined JIT code and unresolved libraries in
 * every position, and share prefixes as real stacks do.
 */
class StackFolderTest {
    @TempDir
    Path dir;

    private HeapProfile golden;
    private ProcessSymbols symbols;
    private long[] addresses;
    private long[] allocator;

    @BeforeEach
    void load() throws Exception {
        Path heap = copy("golden.heap");
        golden = HeapProfileParser.parse(heap);
        symbols = new Symbolizer(SymbolizerOptions.defaults(), w -> { }).forProcess(golden.mappings(), PerfMap.read(copy("golden.map"), w -> { }));
        Set<Long> distinct = new LinkedHashSet<>();
        for (StackSample s : golden.samples()) for (long a : s.addresses()) distinct.add(a);
        addresses = distinct.stream().mapToLong(Long::longValue).toArray();
        allocator = distinct.stream().filter(a -> isAllocator(symbols.locate(a, true))).mapToLong(Long::longValue).toArray();
        assertTrue(allocator.length >= 3, "golden.heap has allocator frames to trim: " + allocator.length);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void foldsRandomStacksAsTheModelDoes(int seed) {
        HeapProfile profile = randomProfile(new SplittableRandom(seed), 3000);
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
        folder.add(profile, symbols);
        assertSameFold(model(profile, null, null, false, new TreeMap<>()), folded(folder.tree()), "seed " + seed);
    }

    @Test
    void filtersAsTheModelDoes() {
        HeapProfile profile = randomProfile(new SplittableRandom(11), 3000);
        // Patterns that hit entry points, allocator-adjacent frames and Java frames alike.
        for (String[] f : new String[][] {{"malloc", null}, {null, "malloc"}, {"Interpreter|\\.java|::", "calloc|new"}, {"^zzz$", null}}) {
            Pattern include = f[0] == null ? null : Pattern.compile(f[0]);
            Pattern exclude = f[1] == null ? null : Pattern.compile(f[1]);
            StackFolder folder = new StackFolder(Metric.INUSE_SPACE, include, exclude);
            folder.add(profile, symbols);
            assertSameFold(model(profile, include, exclude, false, new TreeMap<>()), folded(folder.tree()), f[0] + " / " + f[1]);
        }
    }

    @Test
    void foldsBaselinesAndSeveralProfilesAsTheModelDoes() {
        HeapProfile a = randomProfile(new SplittableRandom(21), 1500);
        HeapProfile b = randomProfile(new SplittableRandom(22), 1500);
        HeapProfile old = randomProfile(new SplittableRandom(23), 1500);
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
        folder.add(a, symbols);
        folder.add(b, symbols);
        folder.addBaseline(old, symbols);
        Map<String, double[]> expected = new TreeMap<>();
        model(a, null, null, false, expected);
        model(b, null, null, false, expected);
        model(old, null, null, true, expected);
        CallTree tree = folder.tree();
        assertTrue(tree.isDifferential());
        assertSameFold(expected, folded(tree), "differential");
    }

    /** Same stacks, same values up to the order fractional values were summed in. */
    private static void assertSameFold(Map<String, double[]> expected, Map<String, double[]> actual, String what) {
        assertTrue(expected.size() > 10 || what.contains("zzz"), what + ": too few stacks to mean anything: " + expected.size());
        Set<String> missing = new java.util.TreeSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        Set<String> extra = new java.util.TreeSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        assertTrue(missing.isEmpty() && extra.isEmpty(), what + ": " + missing.size() + " stacks missing, first " + missing.stream().findFirst()
                + "; " + extra.size() + " extra, first " + extra.stream().findFirst());
        for (String k : expected.keySet()) {
            for (int i = 0; i < 2; i++) {
                double e = expected.get(k)[i];
                assertEquals(e, actual.get(k)[i], 1e-9 * Math.max(1, Math.abs(e)), what + ": " + k);
            }
        }
    }

    @Test
    void sumsTotalsFromSelves() {
        HeapProfile profile = randomProfile(new SplittableRandom(5), 2000);
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
        folder.add(profile, symbols);
        CallTree tree = folder.tree();
        assertEquals(total(profile, Metric.INUSE_SPACE), tree.total(), 1e-6 * tree.total());
        List<CallTree.Node> todo = new ArrayList<>(List.of(tree.root()));
        while (!todo.isEmpty()) {
            CallTree.Node n = todo.remove(todo.size() - 1);
            double sum = n.self();
            for (CallTree.Node c : n.children()) sum += c.total();
            assertEquals(sum, n.total(), 1e-9 * Math.max(1, n.total()), n.name());
            todo.addAll(n.children());
        }
    }

    /** Random stacks from golden's addresses: shared prefixes from a few choices per depth, allocator runs at the end. */
    private HeapProfile randomProfile(SplittableRandom r, int stacks) {
        List<StackSample> samples = new ArrayList<>();
        long[][] choices = new long[40][];
        for (int d = 0; d < choices.length; d++) {
            choices[d] = new long[1 + r.nextInt(4)];
            for (int i = 0; i < choices[d].length; i++) choices[d][i] = addresses[r.nextInt(addresses.length)];
        }
        for (int i = 0; i < stacks; i++) {
            int n = r.nextInt(0, 25);
            long[] leafFirst = new long[n];
            for (int d = 0; d < n; d++) {
                // d counts from the root here; some stacks repeat a prefix exactly, some take any address.
                long a = r.nextInt(10) == 0 ? addresses[r.nextInt(addresses.length)] : choices[d][r.nextInt(choices[d].length)];
                leafFirst[n - 1 - d] = a;
            }
            // Allocator frames at the leaf end, or everywhere (short stacks made only of them).
            int mode = r.nextInt(4);
            int run = mode == 0 ? r.nextInt(0, n + 1) : mode == 1 && n <= 4 ? n : 0;
            for (int k = 0; k < run; k++) leafFirst[k] = allocator[r.nextInt(allocator.length)];
            long objects = r.nextInt(0, 5);
            samples.add(new StackSample(leafFirst, objects, objects * r.nextInt(1, 5000), 0, 0));
        }
        return new HeapProfile(golden.source(), golden.samplePeriodBytes(), samples, golden.mappings());
    }

    /** The fold, one stack at a time, written for clarity: frame names joined by ';' -> {value, baseline value}. */
    private Map<String, double[]> model(HeapProfile profile, Pattern include, Pattern exclude, boolean baseline, Map<String, double[]> out) {
        for (StackSample s : profile.samples()) {
            double value = Metric.INUSE_SPACE.value(s, profile.samplePeriodBytes());
            if (value == 0) continue;
            long[] a = s.addresses();
            Location[] loc = new Location[a.length];
            for (int i = 0; i < a.length; i++) loc[i] = symbols.locate(a[i], i > 0);
            int first = 0;
            while (first < a.length - 1 && isAllocator(loc[first])) first++;
            List<Frame> path = new ArrayList<>();
            for (int i = a.length - 1; i >= first; i--) {
                var lines = loc[i].lines();
                for (int j = lines.size() - 1; j >= 0; j--) path.add(frame(lines.get(j)));
            }
            String entry = first > 0 && isAllocator(loc[first - 1]) ? entryPoint(loc[first - 1]) : null;
            if (entry != null) path.add(new Frame(entry, FrameKind.NATIVE));
            if (include != null && path.stream().noneMatch(f -> include.matcher(f.name()).find())) continue;
            if (exclude != null && path.stream().anyMatch(f -> exclude.matcher(f.name()).find())) continue;
            String key = String.join(";", path.stream().map(f -> f.name() + f.kind().annotation()).toList());
            double[] v = out.computeIfAbsent(key, k -> new double[2]);
            v[baseline ? 1 : 0] += value;
        }
        return out;
    }

    // The rules, on symbolized lines as the symbolizer gives them (the folder reads them from the profile model).
    private static boolean isAllocator(Location loc) {
        for (Line line : loc.lines()) {
            if (line.library().startsWith("libjemalloc")) return true;
            if (line.source() == Line.Source.ELF && line.function().startsWith("je_")) return true;
        }
        return false;
    }

    private static String entryPoint(Location loc) {
        Line line = loc.lines().get(loc.lines().size() - 1);
        if (line.source() != Line.Source.ELF) return null;
        String name = line.function();
        if (name.startsWith("operator new") || name.startsWith("operator delete")) return name;
        name = name.replaceFirst("^je_", "").replaceFirst("^do_", "").replaceFirst("_default$", "");
        return Set.of("malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc", "memalign",
                "valloc", "pvalloc", "mallocx", "rallocx", "xallocx", "reallocarray").contains(name) ? name : null;
    }

    private static Frame frame(Line line) {
        FrameKind kind = switch (line.source()) {
            case ELF -> line.library().equals("libjvm.so") ? FrameKind.JVM : FrameKind.NATIVE;
            case JAVA -> FrameKind.JAVA;
            case JAVA_INLINED -> FrameKind.INLINED;
            case JVM_GENERATED -> FrameKind.GENERATED;
            case UNRESOLVED -> FrameKind.UNKNOWN;
        };
        return new Frame(line.function(), kind);
    }

    private static Map<String, double[]> folded(CallTree tree) {
        Map<String, double[]> out = new TreeMap<>();
        walk(tree.root(), "", out);
        return out;
    }

    private static void walk(CallTree.Node node, String prefix, Map<String, double[]> out) {
        for (CallTree.Node c : node.children()) {
            String key = prefix.isEmpty() ? c.name() + c.kind().annotation() : prefix + ";" + c.name() + c.kind().annotation();
            if (c.self() != 0 || c.baseSelf() != 0) out.put(key, new double[] {c.self(), c.baseSelf()});
            walk(c, key, out);
        }
        if (node.parent() == null && (node.self() != 0 || node.baseSelf() != 0)) out.put("", new double[] {node.self(), node.baseSelf()});
    }

    private Path copy(String name) throws Exception {
        Path p = dir.resolve(name);
        try (InputStream in = GoldenOutputTest.class.getResourceAsStream(name)) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    /** A metric summed over every stack, unsampled as jeprof does: what the whole graph must add up to. */
    private static double total(HeapProfile profile, Metric metric) {
        double sum = 0;
        for (StackSample s : profile.samples()) sum += metric.value(s, profile.samplePeriodBytes());
        return sum;
    }
}
