package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.heap.DominatorProfile;
import dev.jjf.heap.Dominators;
import dev.jjf.heap.HeapDump;
import dev.jjf.heap.HeapDumpFormat;
import dev.jjf.heap.HeapDumpOptions;
import dev.jjf.heap.HeapFolder;
import dev.jjf.heap.HeapGraph;
import dev.jjf.heap.HeapMetric;
import dev.jjf.model.Profile;
import dev.jjf.render.FoldedWriter;
import dev.jjf.render.JsonWriter;
import dev.jjf.render.OutputFile;
import dev.jjf.render.PprofWriter;
import dev.jjf.render.SvgOptions;
import dev.jjf.render.SvgRenderer;
import dev.jjf.render.TextWriter;
import dev.jjf.render.Units;
import dev.jjf.stacks.CallTree;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Rendering of HPROF heap dumps: read, dominators, fold, then the same writers as for native
 * profiles, and a short summary on stderr.
 */
final class HeapRender {
    /** Lines of each part of the summary. */
    static final int SUMMARY_LINES = 5;

    private HeapRender() {
    }

    /** True when the inputs are heap dumps (told by content); mixing them with jemalloc profiles is an error. */
    static boolean isHeapDump(List<RenderJob.Input> inputs, List<RenderJob.Input> baseline) throws IOException {
        List<RenderJob.Input> all = new ArrayList<>(inputs);
        all.addAll(baseline);
        int heaps = 0;
        for (RenderJob.Input in : all) {
            if (HeapDumpFormat.isHeapDump(in.heap())) heaps++;
        }
        if (heaps > 0 && heaps < all.size()) {
            throw new BadInputException(null, "heap dumps (HPROF) and jemalloc profiles cannot be rendered together");
        }
        return heaps > 0;
    }

    static int write(RenderOptions options, List<RenderJob.Input> inputs, List<RenderJob.Input> baseline, PrintWriter out,
            PrintWriter err)
            throws IOException {
        try {
            return render(options, inputs, baseline, out, err);
        } catch (OutOfMemoryError e) {
            throw new BadInputException(inputs.get(0).heap(), "not enough Java heap for this dump ("
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB): raise it with JJF_JAVA_OPTS=-Xmx<size>"
                    + " (java -Xmx<size> -jar jjf.jar); about 40 bytes per object and 12 per reference are needed");
        }
    }

    private static int render(RenderOptions options, List<RenderJob.Input> inputs, List<RenderJob.Input> baseline, PrintWriter out,
            PrintWriter err)
            throws IOException {
        HeapMetric metric = options.metric == null ? HeapMetric.RETAINED : HeapMetric.fromId(options.metric);
        if (metric == null) {
            throw new BadInputException(null, "unknown --metric '" + options.metric + "' for heap dumps (use retained, shallow, count or native)");
        }
        if (!options.heaps.equals("app") && !options.heaps.equals("all")) {
            throw new BadInputException(null, "unknown --heaps '" + options.heaps + "' (use app or all)");
        }
        HeapDumpOptions read = new HeapDumpOptions(options.heaps.equals("all"), HeapDumpOptions.defaults(null).threads(),
                w -> err.println("jjf: warning: " + w));
        Path output = options.output();
        boolean stdout = RenderJob.STDOUT.equals(output);
        if (stdout && options.format == OutputFormat.pprof) throw new BadInputException(null, "pprof output is binary: give a file with -o");
        // pprof holds every metric of every dump, baselines too: its sample types are pprof's views.
        DominatorProfile pprof = options.format == OutputFormat.pprof ? new DominatorProfile(metric) : null;
        // Each metric is folded once per dump: pprof's trees serve the summary (and the drawn metric) too.
        CallTree pprofTree = pprof == null ? null : pprof.tree(metric);
        CallTree tree = pprofTree != null ? pprofTree : new CallTree(metric.unit());
        CallTree retained = pprof != null ? pprof.tree(HeapMetric.RETAINED)
                : metric == HeapMetric.RETAINED ? tree : new CallTree(HeapMetric.RETAINED.unit());
        CallTree nativeTree = pprof != null ? pprof.tree(HeapMetric.NATIVE)
                : metric == HeapMetric.NATIVE ? tree : new CallTree(HeapMetric.NATIVE.unit());
        long objects = 0;
        for (RenderJob.Input in : baseline) {
            HeapGraph g = HeapDump.read(in.heap(), read);
            Dominators d = Dominators.compute(g);
            if (pprofTree == null) HeapFolder.foldInto(tree, g, d, metric, true);
            if (pprof != null) pprof.add(g, d, true);
        }
        for (RenderJob.Input in : inputs) {
            HeapGraph g = HeapDump.read(in.heap(), read);
            Dominators d = Dominators.compute(g);
            if (pprofTree == null) HeapFolder.foldInto(tree, g, d, metric, false);
            if (pprof != null) {
                pprof.add(g, d, false);
            } else {
                if (retained != tree) HeapFolder.foldInto(retained, g, d, HeapMetric.RETAINED, false);
                // Only for the summary: the owners' paths are all it reads.
                if (nativeTree != tree) HeapFolder.foldNativeOwners(nativeTree, g, d, false);
            }
            objects += g.objectCount();
            err.println("jjf: heap dump " + in.heap() + " (" + g.format() + "): " + g.objectCount() + " objects, "
                    + g.referenceCount() + " references, " + d.reachableCount() + " reachable, " + Units.format(d.reachableBytes(), "bytes") + " retained by GC roots");
        }
        for (RenderJob.Input in : baseline) err.println("jjf: baseline " + in.heap());
        String title = options.title != null ? options.title : title(metric, inputs, baseline);
        if (pprof != null) {
            Profile profile = pprof.profile();
            OutputFile.writeBinary(output, s -> new PprofWriter().write(profile, s));
        } else if (stdout) {
            write(options, title, tree, out);
            out.flush();
        } else {
            OutputFile.write(output, w -> write(options, title, tree, w));
        }
        summary(retained, "biggest dominator paths (retained, by where the bytes are)", err);
        summary(nativeTree, "biggest native memory owners (estimated)", err);
        String change = tree.isDifferential()
                ? ", change " + (tree.root().delta() >= 0 ? "+" : "-") + Units.format(Math.abs(tree.root().delta()), tree.unit())
                : "";
        err.println("jjf: " + (stdout ? "printed" : "wrote " + output) + " (" + Units.format(tree.total(), tree.unit()) + change + " in " + objects + " objects)");
        err.flush();
        return 0;
    }

    private static void write(RenderOptions options, String title, CallTree tree, Writer w) throws IOException {
        switch (options.format) {
            case svg -> new SvgRenderer(new SvgOptions(title, options.minWidthPercent, SvgOptions.DEFAULT_WIDTH_PX)).write(tree, w);
            case folded -> new FoldedWriter(options.annotate).write(tree, w);
            case json -> new JsonWriter().write(tree, w);
            case text -> new TextWriter(RenderJob.TEXT_ROWS).write(tree, w);
            case pprof -> throw new IllegalStateException("pprof is written from the profile");
        }
    }

    private static String title(HeapMetric metric, List<RenderJob.Input> inputs, List<RenderJob.Input> baseline) {
        String what = switch (metric) {
            case RETAINED -> "Java heap, retained";
            case SHALLOW -> "Java heap by class, shallow";
            case COUNT -> "Java objects, retained";
            case NATIVE -> "Native memory owned by Java objects (estimated)";
        };
        String files = inputs.get(0).heap().getFileName() + (inputs.size() > 1 ? " (+" + (inputs.size() - 1) + " more)" : "");
        return baseline.isEmpty() ? what + " — " + files : what + ", change from " + baseline.get(0).heap().getFileName() + " to " + files;
    }

    /** The nodes holding the most bytes themselves, with their paths. */
    static void summary(CallTree tree, String heading, PrintWriter err) {
        List<CallTree.Node> top = topBySelf(tree, SUMMARY_LINES);
        if (top.isEmpty()) return;
        err.println("jjf: " + heading + ":");
        for (CallTree.Node n : top) {
            Deque<String> path = new ArrayDeque<>();
            for (CallTree.Node p = n; p.parent() != null; p = p.parent()) path.addFirst(p.name());
            err.println("jjf:   " + Units.format(n.self(), tree.unit()) + "  " + String.join(" > ", path));
        }
    }

    static List<CallTree.Node> topBySelf(CallTree tree, int k) {
        PriorityQueue<CallTree.Node> best = new PriorityQueue<>(Comparator.comparingDouble(CallTree.Node::self));
        Deque<CallTree.Node> stack = new ArrayDeque<>();
        stack.push(tree.root());
        while (!stack.isEmpty()) {
            CallTree.Node n = stack.pop();
            if (n.self() > 0) {
                best.add(n);
                if (best.size() > k) best.poll();
            }
            for (CallTree.Node c : n.children()) stack.push(c);
        }
        List<CallTree.Node> out = new ArrayList<>(best);
        out.sort(Comparator.comparingDouble(CallTree.Node::self).reversed());
        return out;
    }
}
