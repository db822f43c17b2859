package dev.jjf.heap;

import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.Frame;
import dev.jjf.model.FrameKind;

/**
 * Folds a heap graph into the call tree the renderers draw, the way Perfetto's heap graph view
 * does: each object's path is its chain of dominators from a GC root, each link named by its
 * class (root → … → class). Runs of one class (a linked list's nodes) fold into one frame, and
 * paths stop growing at {@link #MAX_DEPTH} frames.
 */
public final class HeapFolder {
    /** Frames per path at most; deeper objects are counted in the frame at this depth. */
    static final int MAX_DEPTH = 48;
    /** The path prefix of objects that several roots reach, none dominating. */
    static final String SEVERAL_ROOTS = "several GC roots";

    private HeapFolder() {
    }

    /** A new tree of this graph under this metric. */
    public static CallTree fold(HeapGraph g, Dominators d, HeapMetric metric) {
        CallTree tree = new CallTree(metric.unit());
        foldInto(tree, g, d, metric, false);
        return tree;
    }

    /** Adds this graph's paths to {@code tree}: as the baseline of a differential tree when {@code baseline}. */
    public static void foldInto(CallTree tree, HeapGraph g, Dominators d, HeapMetric metric, boolean baseline) {
        g.loadObjects();
        Frame[] classFrames = new Frame[g.classNames.length];
        Frame[] mirrorFrames = new Frame[g.classNames.length];
        if (metric == HeapMetric.SHALLOW) {
            for (int o = 0; o < g.objectCount; o++) {
                if (!d.isReachable(o) || !g.isCounted(o)) continue;
                tree.addToNode(tree.childNode(tree.rootNode(), frame(g, o, classFrames, mirrorFrames)), g.shallowBytes.get(o), baseline);
            }
            return;
        }
        // Tree node, depth and class of each reachable object by DFS number, in that order
        // (dominators come first): a dominator is looked up by its number, with no jump through
        // the object-indexed arrays. A graph that spills (a big dump) has no room for the classes
        // twice: it looks its dominators' classes up by object.
        int reachable = d.reachableCount();
        int[] nodeOf = new int[reachable + 1];
        byte[] depthOf = new byte[reachable + 1];
        int[] classOf = g.spills() ? null : new int[reachable + 1];
        RootNodes roots = new RootNodes(tree, g);
        for (int i = 1; i <= reachable; i++) {
            int o = d.dfsObject(i);
            int di = d.dfsDominator(i);
            int c = g.classOf.get(o);
            if (classOf != null) classOf[i] = c;
            int parentNode;
            int depth;
            Frame f = frame(g, o, classFrames, mirrorFrames);
            if (di == 0) {
                parentNode = roots.nodeOf(o);
                // A class's own frame adds nothing under "static fields of" that class.
                if (roots.isClassRoot(o)) {
                    nodeOf[i] = parentNode;
                    depthOf[i] = 1;
                    add(tree, g, o, parentNode, metric, baseline);
                    continue;
                }
                depth = 1;
            } else {
                parentNode = nodeOf[di];
                depth = depthOf[di];
            }
            int node;
            // Same frame as the dominator's is the same class (or mirror) number; a class
            // object's frame never folds.
            int dc = di == 0 ? -1 : classOf != null ? classOf[di] : g.classOf.get(d.dfsObject(di));
            if (depth >= MAX_DEPTH || (di != 0 && dc == c && (dc & HeapGraph.MIRROR) == 0)) {
                node = parentNode; // same class as its dominator, or too deep: folded into it
            } else {
                node = tree.childNode(parentNode, f);
                depth++;
            }
            nodeOf[i] = node;
            depthOf[i] = (byte) depth;
            add(tree, g, o, node, metric, baseline);
        }
        if (metric == HeapMetric.NATIVE) {
            Frame[] kindFrames = new Frame[NativeKind.values().length];
            int[] numbers = d.dfsNumbers(g.nativeOwners);
            for (int i = 0; i < g.nativeOwners.length; i++) {
                int o = g.nativeOwners[i];
                if (numbers[i] == 0 || !g.isCounted(o)) continue;
                int kind = g.nativeKinds[i];
                if (kindFrames[kind] == null) kindFrames[kind] = new Frame(NativeKind.values()[kind].label(), FrameKind.NATIVE_OWNED);
                tree.addToNode(tree.childNode(nodeOf[numbers[i]], kindFrames[kind]), g.nativeBytes[i], baseline);
            }
        }
    }

    /**
     * The paths to native memory owners only, as {@link #foldInto} with {@link HeapMetric#NATIVE}
     * makes them: what a summary of the biggest owners reads. The full fold also makes the path
     * of every other reachable object, with nothing in it, which a flamegraph of native memory
     * shows (JSON lists empty frames) but a summary does not.
     */
    public static void foldNativeOwners(CallTree tree, HeapGraph g, Dominators d, boolean baseline) {
        g.loadObjects();
        Frame[] classFrames = new Frame[g.classNames.length];
        Frame[] mirrorFrames = new Frame[g.classNames.length];
        RootNodes roots = new RootNodes(tree, g);
        Frame[] kindFrames = new Frame[NativeKind.values().length];
        // Node and depth of each DFS number on an owner's path (node << 8 | depth).
        java.util.Map<Integer, Long> placed = new java.util.HashMap<>();
        IntList chain = new IntList();
        int[] numbers = d.dfsNumbers(g.nativeOwners);
        for (int k = 0; k < g.nativeOwners.length; k++) {
            int owner = g.nativeOwners[k];
            if (numbers[k] == 0 || !g.isCounted(owner)) continue;
            // Up the dominator tree to a number already placed (or the roots), then down again.
            chain.clear();
            for (int i = numbers[k]; i != 0 && !placed.containsKey(i); i = d.dfsDominator(i)) chain.add(i);
            for (long c = chain.size() - 1; c >= 0; c--) {
                int i = chain.get(c);
                int o = d.dfsObject(i);
                int di = d.dfsDominator(i);
                int cls = g.classOf.get(o);
                int parentNode;
                int depth;
                if (di == 0) {
                    parentNode = roots.nodeOf(o);
                    if (roots.isClassRoot(o)) {
                        placed.put(i, (long) parentNode << 8 | 1);
                        continue;
                    }
                    depth = 1;
                } else {
                    long p = placed.get(di);
                    parentNode = (int) (p >>> 8);
                    depth = (int) (p & 0xff);
                }
                int dc = di == 0 ? -1 : g.classOf.get(d.dfsObject(di));
                int node;
                if (depth >= MAX_DEPTH || (di != 0 && dc == cls && (dc & HeapGraph.MIRROR) == 0)) {
                    node = parentNode;
                } else {
                    node = tree.childNode(parentNode, frame(g, o, classFrames, mirrorFrames));
                    depth++;
                }
                placed.put(i, (long) node << 8 | depth);
            }
            int kind = g.nativeKinds[k];
            if (kindFrames[kind] == null) kindFrames[kind] = new Frame(NativeKind.values()[kind].label(), FrameKind.NATIVE_OWNED);
            int node = (int) (placed.get(numbers[k]) >>> 8);
            tree.addToNode(tree.childNode(node, kindFrames[kind]), g.nativeBytes[k], baseline);
        }
    }

    /**
     * The nodes right under the tree's root: one per root kind (made once), and one for objects
     * that several roots hold and no single object dominates.
     */
    private static final class RootNodes {
        private final CallTree tree;
        private final HeapGraph g;
        private final Frame[] frames;
        private int severalNode = -1;

        RootNodes(CallTree tree, HeapGraph g) {
            this.tree = tree;
            this.g = g;
            this.frames = new Frame[g.labels.size()];
        }

        /** Where object {@code o}, which no object dominates, goes. */
        int nodeOf(int o) {
            int r = java.util.Arrays.binarySearch(g.rootObjects, o);
            if (r < 0) {
                if (severalNode < 0) severalNode = tree.childNode(tree.rootNode(), new Frame(SEVERAL_ROOTS, FrameKind.HEAP_ROOT));
                return severalNode;
            }
            int li = g.rootLabels[r];
            if (frames[li] == null) frames[li] = new Frame(g.labels.get(li).name(), FrameKind.HEAP_ROOT);
            return tree.childNode(tree.rootNode(), frames[li]);
        }

        /** A class that is a root itself (its static fields): it goes right into its root's node. */
        boolean isClassRoot(int o) {
            return g.isClassObject(o) && java.util.Arrays.binarySearch(g.rootObjects, o) >= 0;
        }
    }

    private static void add(CallTree tree, HeapGraph g, int o, int node, HeapMetric metric, boolean baseline) {
        switch (metric) {
            case RETAINED -> {
                int bytes = g.countedBytes(o);
                if (bytes > 0) tree.addToNode(node, bytes, baseline);
            }
            case COUNT -> {
                if (g.isCounted(o)) tree.addToNode(node, 1, baseline);
            }
            default -> {
            }
        }
    }

    private static Frame frame(HeapGraph g, int o, Frame[] classFrames, Frame[] mirrorFrames) {
        int c = g.classOf.get(o);
        if ((c & HeapGraph.MIRROR) != 0) {
            c &= ~HeapGraph.MIRROR;
            if (mirrorFrames[c] == null) mirrorFrames[c] = new Frame(g.classNames[c] + ".class", kindOf(g.classNames[c]));
            return mirrorFrames[c];
        }
        if (classFrames[c] == null) classFrames[c] = new Frame(g.classNames[c], kindOf(g.classNames[c]));
        return classFrames[c];
    }

    /** Arrays, JDK classes and the rest (application and library classes). */
    static FrameKind kindOf(String className) {
        if (className.endsWith("[]")) return FrameKind.ARRAY;
        if (className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.")
                || className.startsWith("android.") || className.startsWith("dalvik.") || className.startsWith("libcore.")
                || className.startsWith("com.oracle.svm.")) {
            return FrameKind.JDK_CLASS;
        }
        return FrameKind.APP_CLASS;
    }
}
