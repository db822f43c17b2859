package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks of a parsed {@link HeapGraph} against the {@link SyntheticHeap} it was written from, and of
 * its {@link Dominators} against a slow computation that shares nothing with them.
 */
final class HeapModelChecks {
    private static final Map<Integer, String> PRIMITIVE_ARRAYS = Map.of(SyntheticHeap.BOOLEAN, "boolean[]", SyntheticHeap.CHAR, "char[]",
            SyntheticHeap.FLOAT, "float[]", SyntheticHeap.DOUBLE, "double[]", SyntheticHeap.BYTE, "byte[]", SyntheticHeap.SHORT, "short[]",
            SyntheticHeap.INT, "int[]", SyntheticHeap.LONG, "long[]");

    private HeapModelChecks() {
    }

    /** The name the graph should give model object {@code o}. */
    static String className(SyntheticHeap heap, SyntheticHeap.Obj o) {
        return switch (o.kind()) {
            case CLASS -> heap.classes.get(o.classDef()).name() + ".class";
            case INSTANCE, OBJECT_ARRAY -> heap.classes.get(o.classDef()).name();
            case PRIMITIVE_ARRAY -> PRIMITIVE_ARRAYS.get(o.elementType());
        };
    }

    /** Objects per class name: the model's. */
    static Map<String, Integer> histogram(SyntheticHeap heap) {
        Map<String, Integer> out = new TreeMap<>();
        for (SyntheticHeap.Obj o : heap.objects) out.merge(className(heap, o), 1, Integer::sum);
        return out;
    }

    /** Objects per class name: the graph's, leaving out names in {@code extraClasses} (objects the format adds). */
    static Map<String, Integer> histogram(HeapGraph g) {
        Map<String, Integer> out = new TreeMap<>();
        for (int o = 0; o < g.objectCount(); o++) out.merge(g.className(o), 1, Integer::sum);
        return out;
    }

    /** References counted by (from class, to class): the model's. */
    static Map<String, Integer> edges(SyntheticHeap heap) {
        Map<String, Integer> out = new TreeMap<>();
        for (SyntheticHeap.Obj o : heap.objects) {
            for (int to : heap.references(o.number())) out.merge(className(heap, o) + " -> " + className(heap, heap.objects.get(to)), 1, Integer::sum);
        }
        return out;
    }

    /** The same from the graph. */
    static Map<String, Integer> edges(HeapGraph g) {
        Map<String, Integer> out = new TreeMap<>();
        for (int o = 0; o < g.objectCount(); o++) {
            for (int to : g.references(o)) out.merge(g.className(o) + " -> " + g.className(to), 1, Integer::sum);
        }
        return out;
    }

    /**
     * Retained bytes of every object, the slow way: for each reachable X, walk from the roots with X
     * removed; what is no longer reached (X included) is what X retains. Quadratic: small heaps only.
     */
    static long[] slowRetained(HeapGraph g) {
        int n = g.objectCount();
        boolean[] reachable = reach(g, -1);
        long[] out = new long[n];
        for (int x = 0; x < n; x++) {
            if (!reachable[x]) continue;
            boolean[] without = reach(g, x);
            long sum = 0;
            for (int y = 0; y < n; y++) if (reachable[y] && !without[y]) sum += g.countedBytes(y);
            out[x] = sum;
        }
        return out;
    }

    static boolean[] reach(HeapGraph g, int removed) {
        boolean[] seen = new boolean[g.objectCount()];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int r = 0; r < g.rootCount(); r++) {
            int o = g.rootObject(r);
            if (o != removed && !seen[o]) {
                seen[o] = true;
                queue.add(o);
            }
        }
        while (!queue.isEmpty()) {
            for (int to : g.references(queue.poll())) {
                if (to != removed && !seen[to]) {
                    seen[to] = true;
                    queue.add(to);
                }
            }
        }
        return seen;
    }

    /** Every object's retained bytes from the dominator tree equal the slow computation's. */
    static void assertRetainedSizesAgree(HeapGraph g, Dominators d) {
        long[] slow = slowRetained(g);
        boolean[] reachable = reach(g, -1);
        int checked = 0;
        for (int o = 0; o < g.objectCount(); o++) {
            assertEquals(reachable[o], d.isReachable(o), "reachability of object " + o + " (" + g.className(o) + ")");
            if (!reachable[o]) continue;
            assertEquals(slow[o], d.retainedBytes(o), "retained bytes of object " + o + " (" + g.className(o) + ")");
            checked++;
        }
        assertEquals(countTrue(reachable), checked);
    }

    static int countTrue(boolean[] a) {
        int n = 0;
        for (boolean b : a) if (b) n++;
        return n;
    }

    /** Root kinds and how many objects each holds as its best root. */
    static Map<RootKind, Integer> rootKinds(HeapGraph g) {
        Map<RootKind, Integer> out = new HashMap<>();
        for (int r = 0; r < g.rootCount(); r++) out.merge(g.rootLabel(r).kind(), 1, Integer::sum);
        return out;
    }

    /** The first object of the graph with this class name, or -1. */
    static int first(HeapGraph g, String className) {
        for (int o = 0; o < g.objectCount(); o++) if (g.className(o).equals(className)) return o;
        return -1;
    }
}
