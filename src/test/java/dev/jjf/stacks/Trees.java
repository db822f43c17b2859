package dev.jjf.stacks;

import java.util.List;

/** Builds call trees from hand-written stacks, for tests of the tree and of the renderers. */
public final class Trees {
    private Trees() {
    }

    /** Adds one stack, root first, as StackFolder adds a sample's frames. */
    public static void add(CallTree tree, List<Frame> rootFirst, double value) {
        int node = CallTree.ROOT;
        for (Frame f : rootFirst) node = tree.child(node, tree.frameId(f));
        tree.addSelf(node, value, 0);
    }

    /** Adds one stack of the baseline a differential graph compares against. */
    public static void addBaseline(CallTree tree, List<Frame> rootFirst, double value) {
        tree.markDifferential();
        int node = CallTree.ROOT;
        for (Frame f : rootFirst) node = tree.child(node, tree.frameId(f));
        tree.addSelf(node, 0, value);
    }
}
