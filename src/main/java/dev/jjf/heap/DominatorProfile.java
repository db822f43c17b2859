package dev.jjf.heap;

import dev.jjf.model.Profile;
import dev.jjf.model.SampleType;
import dev.jjf.model.Stacks;
import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.Frame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Heap dumps as a symbolized {@link Profile}, for pprof output. Each dump is folded along its
 * dominator paths ({@link HeapFolder}) once per metric; every path with a value of its own becomes
 * one sample whose locations are the path's frames, leaf first. Since a path's own value is the
 * shallow size of the objects that end there, pprof's flat column is shallow bytes and its cum
 * column retained bytes.
 *
 * <p>Sample types, in this order (docs/pprof.md): {@code inuse_space/bytes} (--metric retained),
 * {@code inuse_objects/count} (--metric count) and {@code native_space/bytes} (--metric native, an
 * estimate). The metric asked for is pprof's default; --metric shallow shows inuse_space, whose
 * flat column by class is nearly the class histogram (class objects count under their root frame).
 *
 * <p>Frames have no addresses: each distinct frame (name and kind) is one location with address 0,
 * no mapping, and one line of the function of that name, so pprof's {@code kind} labels
 * ({@code root}, {@code app-class}, …) come from the lines' kinds as for native profiles.
 */
public final class DominatorProfile {
    /** What a heap dump's pprof holds, one sample type each, in this order. */
    static final List<HeapMetric> METRICS = List.of(HeapMetric.RETAINED, HeapMetric.COUNT, HeapMetric.NATIVE);
    /** Native memory owned by Java objects (estimated); pprof has no name of its own for it. */
    public static final SampleType NATIVE_SPACE = new SampleType("native_space", "bytes");
    private static final List<SampleType> TYPES = List.of(SampleType.INUSE_SPACE, SampleType.INUSE_OBJECTS, NATIVE_SPACE);

    private final HeapMetric shown;
    private final CallTree[] trees = new CallTree[METRICS.size()];
    private final List<String> comments = new ArrayList<>();
    private boolean differential;

    /** @param shown the metric asked for: pprof's default sample type */
    public DominatorProfile(HeapMetric shown) {
        this.shown = shown;
        for (int i = 0; i < trees.length; i++) trees[i] = new CallTree(METRICS.get(i).unit());
    }

    /**
     * The tree this profile folds for {@code m} (baselines included), or null when pprof does not hold
     * that metric: a caller that needs the same tree reads it here instead of folding the dumps again.
     */
    public CallTree tree(HeapMetric m) {
        int i = METRICS.indexOf(m);
        return i < 0 ? null : trees[i];
    }

    /** Folds one dump, as a diff's baseline when {@code baseline}. */
    public void add(HeapGraph g, Dominators d, boolean baseline) {
        for (int i = 0; i < trees.length; i++) HeapFolder.foldInto(trees[i], g, d, METRICS.get(i), baseline);
        comments.add((baseline ? "jjf: baseline heap dump " : "jjf: heap dump ") + g.source());
        differential |= baseline;
    }

    /** The profile of every dump added: one set of samples, and the baselines' (negated by the writer) apart. */
    public Profile profile() {
        Profile p = new Profile(TYPES);
        p.setDefaultSampleType(shown == HeapMetric.SHALLOW ? 0 : METRICS.indexOf(shown));
        for (String c : comments) p.addComment(c);
        Stacks now = p.addStacks(false);
        Stacks base = differential ? p.addStacks(true) : null;
        Map<Frame, Integer> locations = new HashMap<>();
        for (int i = 0; i < trees.length; i++) addTree(p, trees[i], i, now, base, locations);
        return p;
    }

    /** Depth first with an explicit stack: paths are up to {@link HeapFolder#MAX_DEPTH} deep, trees wide. */
    private static void addTree(Profile p, CallTree tree, int type, Stacks now, Stacks base, Map<Frame, Integer> locations) {
        double[] values = new double[TYPES.size()];
        int[] rootFirst = new int[HeapFolder.MAX_DEPTH + 2];
        int[] leafFirst = new int[rootFirst.length];
        Deque<CallTree.Node> nodes = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        nodes.push(tree.root());
        depths.push(0);
        while (!nodes.isEmpty()) {
            CallTree.Node n = nodes.pop();
            int depth = depths.pop();
            if (depth > 0) {
                if (depth > rootFirst.length) {
                    rootFirst = Arrays.copyOf(rootFirst, depth * 2);
                    leafFirst = new int[rootFirst.length];
                }
                rootFirst[depth - 1] = locations.computeIfAbsent(n.frame(), f -> location(p, f));
            }
            if (n.self() != 0 || n.baseSelf() != 0) {
                for (int k = 0; k < depth; k++) leafFirst[k] = rootFirst[depth - 1 - k];
                if (n.self() != 0) {
                    values[type] = n.self();
                    now.add(leafFirst, depth, values);
                }
                if (n.baseSelf() != 0) {
                    values[type] = n.baseSelf();
                    base.add(leafFirst, depth, values);
                }
                values[type] = 0;
            }
            for (CallTree.Node c : n.children()) {
                nodes.push(c);
                depths.push(depth + 1);
            }
        }
    }

    private static int location(Profile p, Frame f) {
        int id = p.addLocation(0, Profile.NONE);
        p.addLine(p.function(f.name(), "", "", 0), 0, f.kind());
        return id;
    }
}
