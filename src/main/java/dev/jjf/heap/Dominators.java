package dev.jjf.heap;

/**
 * The dominator tree of a heap graph and every object's retained size, by Semi-NCA (Georgiadis'
 * variant of Lengauer–Tarjan: semidominators with path compression, then immediate dominators as
 * nearest common ancestors), iteratively in int arrays.
 *
 * <p>A virtual root points at every GC root. An object's retained size is the counted shallow
 * size of everything it dominates, itself included: what a collection would free without it.
 */
public final class Dominators {
    /** {@link #immediateDominator} of objects dominated only by the set of GC roots. */
    public static final int ROOTS = -1;
    /** {@link #immediateDominator} of objects no root reaches. */
    public static final int UNREACHABLE = -2;

    /** DFS number of each object; 0 when unreachable (the virtual root has number 0). */
    private final int[] pre;
    /** Object of each DFS number; vertex[0] is the virtual root (-1). */
    private final int[] vertex;
    /** Immediate dominator of each DFS number, as a DFS number. */
    private final int[] idom;
    /** Retained bytes of each DFS number; [0] is the whole reachable heap. */
    private final long[] retained;

    private Dominators(int[] pre, int[] vertex, int[] idom, long[] retained) {
        this.pre = pre;
        this.vertex = vertex;
        this.idom = idom;
        this.retained = retained;
    }

    public static Dominators compute(HeapGraph g) {
        int n = g.objectCount;
        int[] pre = new int[n];
        boolean[] isRoot = new boolean[n];
        for (int r : g.rootObjects) isRoot[r] = true;

        // Depth-first numbering from the virtual root; parent[] is the DFS tree, by number.
        int[] vertex = new int[Math.max(16, Math.min(n + 1, 1 << 16))];
        int[] parent = new int[vertex.length];
        vertex[0] = -1;
        int count = 1;
        int[] stackNode = new int[64];
        int[] stackEdge = new int[64];
        int top = 0;
        for (int r : g.rootObjects) {
            if (pre[r] != 0) continue;
            if (count == vertex.length) {
                vertex = java.util.Arrays.copyOf(vertex, grow(vertex.length, n + 1));
                parent = java.util.Arrays.copyOf(parent, vertex.length);
            }
            pre[r] = count;
            vertex[count] = r;
            parent[count++] = 0;
            stackNode[0] = r;
            stackEdge[0] = g.edgeStart[r];
            top = 1;
            while (top > 0) {
                int v = stackNode[top - 1];
                int e = stackEdge[top - 1];
                int end = g.edgeStart[v + 1];
                while (e < end && pre[g.edges[e]] != 0) e++;
                if (e == end) {
                    top--;
                    continue;
                }
                stackEdge[top - 1] = e + 1;
                int w = g.edges[e];
                if (count == vertex.length) {
                    vertex = java.util.Arrays.copyOf(vertex, grow(vertex.length, n + 1));
                    parent = java.util.Arrays.copyOf(parent, vertex.length);
                }
                pre[w] = count;
                vertex[count] = w;
                parent[count++] = pre[v];
                if (top == stackNode.length) {
                    stackNode = java.util.Arrays.copyOf(stackNode, top * 2);
                    stackEdge = java.util.Arrays.copyOf(stackEdge, top * 2);
                }
                stackNode[top] = w;
                stackEdge[top++] = g.edgeStart[w];
            }
        }
        stackNode = null;
        stackEdge = null;
        int total = count;

        // Predecessors of reachable objects, by DFS number.
        int[] predStart = new int[total + 1];
        for (int i = 1; i < total; i++) {
            int v = vertex[i];
            for (int e = g.edgeStart[v], end = g.edgeStart[v + 1]; e < end; e++) predStart[pre[g.edges[e]]]++;
        }
        int sum = 0;
        for (int i = 0; i <= total; i++) {
            int c = predStart[i];
            predStart[i] = sum;
            sum += c;
        }
        int[] preds = new int[sum];
        int[] fill = new int[total];
        System.arraycopy(predStart, 0, fill, 0, total);
        for (int i = 1; i < total; i++) {
            int v = vertex[i];
            for (int e = g.edgeStart[v], end = g.edgeStart[v + 1]; e < end; e++) {
                int w = pre[g.edges[e]];
                preds[fill[w]++] = i;
            }
        }
        fill = null;

        // Semidominators, from the last DFS number back; the virtual root has number 0.
        int[] semi = new int[total];
        int[] label = new int[total];
        int[] ancestor = new int[total];
        for (int i = 0; i < total; i++) {
            semi[i] = i;
            label[i] = i;
            ancestor[i] = -1;
        }
        int[] path = new int[64];
        for (int i = total - 1; i > 0; i--) {
            if (isRoot[vertex[i]]) {
                semi[i] = 0;
            } else {
                int s = semi[i];
                for (int k = predStart[i], end = predStart[i + 1]; k < end && s > 0; k++) {
                    int j = preds[k];
                    int u;
                    if (ancestor[j] == -1) {
                        u = j;
                    } else {
                        // Path compression, iteratively: collect the path, then fold labels top down.
                        int x = j;
                        int depth = 0;
                        while (ancestor[ancestor[x]] != -1) {
                            if (depth == path.length) path = java.util.Arrays.copyOf(path, depth * 2);
                            path[depth++] = x;
                            x = ancestor[x];
                        }
                        while (depth > 0) {
                            int y = path[--depth];
                            int a = ancestor[y];
                            if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
                            ancestor[y] = ancestor[a];
                        }
                        u = label[j];
                    }
                    if (semi[u] < s) s = semi[u];
                }
                semi[i] = s;
            }
            ancestor[i] = parent[i];
        }
        label = null;
        ancestor = null;
        preds = null;
        predStart = null;

        // Immediate dominators as nearest common ancestors in the DFS tree (parent[] becomes idom[]).
        int[] idom = parent;
        for (int i = 1; i < total; i++) {
            int d = idom[i];
            while (d > semi[i]) d = idom[d];
            idom[i] = d;
        }
        semi = null;

        long[] retained = new long[total];
        for (int i = 1; i < total; i++) retained[i] = g.countedBytes(vertex[i]);
        for (int i = total - 1; i > 0; i--) retained[idom[i]] += retained[i];
        return new Dominators(pre, java.util.Arrays.copyOf(vertex, total), idom, retained);
    }

    private static int grow(int length, int max) {
        return (int) Math.min(max, Math.max(16, (long) length * 2));
    }

    /** Objects reachable from a root. */
    public int reachableCount() {
        return vertex.length - 1;
    }

    public boolean isReachable(int object) {
        return pre[object] != 0;
    }

    /** The object's immediate dominator, {@link #ROOTS} or {@link #UNREACHABLE}. */
    public int immediateDominator(int object) {
        int i = pre[object];
        if (i == 0) return UNREACHABLE;
        int d = idom[i];
        return d == 0 ? ROOTS : vertex[d];
    }

    /** Counted bytes this object keeps alive, itself included; 0 when unreachable. */
    public long retainedBytes(int object) {
        int i = pre[object];
        return i == 0 ? 0 : retained[i];
    }

    /** Counted bytes of everything reachable. */
    public long reachableBytes() {
        return retained[0];
    }

    /** The k-th reachable object in an order where every object comes after its dominator. */
    public int inDominatorOrder(int k) {
        return vertex[k + 1];
    }
}
