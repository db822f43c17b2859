package dev.jjf.heap;

import java.util.Comparator;
import java.util.List;

/** Roots with one entry per object: the one whose kind names it best (see {@link RootKind}'s order). */
record GraphRoots(int[] objects, int[] labels) {
    /** One root record: object, label index, kind ordinal. */
    record Root(int object, int label, int kind) {
    }

    static GraphRoots unique(List<Root> roots) {
        Root[] all = roots.toArray(new Root[0]);
        java.util.Arrays.sort(all, Comparator.comparingInt(Root::object).thenComparingInt(Root::kind));
        int[] objects = new int[all.length];
        int[] labels = new int[all.length];
        int n = 0;
        for (Root r : all) {
            if (n > 0 && objects[n - 1] == r.object()) continue;
            objects[n] = r.object();
            labels[n++] = r.label();
        }
        return new GraphRoots(java.util.Arrays.copyOf(objects, n), java.util.Arrays.copyOf(labels, n));
    }
}
