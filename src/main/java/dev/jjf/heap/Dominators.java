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

    /** Sign bit of parent[]: the vertex is a GC root. */
    private static final int ROOT_FLAG = 1 << 31;

    /** DFS number of each object; 0 when unreachable (the virtual root has number 0). */
    private final int[] pre;
    /** Object of each DFS number; vertex[0] is the virtual root (-1). Longer than {@link #total}. */
    private final int[] vertex;
    /** DFS numbers given, the virtual root's included. */
    private final int total;
    /** Immediate dominator of each DFS number, as a DFS number. */
    private final int[] idom;
    /** Retained bytes of each DFS number; [0] is the whole reachable heap. */
    private final long[] retained;

    private Dominators(int[] pre, int[] vertex, int total, int[] idom, long[] retained) {
        this.pre = pre;
        this.vertex = vertex;
        this.total = total;
        this.idom = idom;
        this.retained = retained;
    }

    public static Dominators compute(HeapGraph g) {
        int n = g.objectCount;
        // One longer than needed: its storage serves as label[] (up to n + 1 DFS numbers) once the
        // numbers are dead; fewer arrays to allocate and collect at the peak.
        int[] pre = new int[n + 1];
        // Local copies: the launcher's C1 compiler reloads fields in every iteration.
        int[] edgeStart = g.edgeStart;
        int[] edges = g.edges;

        // Depth-first numbering from the virtual root; parent[] is the DFS tree, by number.
        // Full size from the start: growing by doubling left ~2 dead copies of each for the GC.
        int[] vertex = new int[n + 1];
        int[] parent = new int[vertex.length];
        vertex[0] = -1;
        int count = 1;
        int[] stackNode = new int[64];
        int[] stackEdge = new int[64];
        int top = 0;
        for (int r : g.rootObjects) {
            if (pre[r] != 0) continue;
            pre[r] = count;
            vertex[count] = r;
            parent[count++] = 0;
            stackNode[0] = r;
            stackEdge[0] = edgeStart[r];
            top = 1;
            while (top > 0) {
                int v = stackNode[top - 1];
                int e = stackEdge[top - 1];
                int end = edgeStart[v + 1];
                while (e < end && pre[edges[e]] != 0) e++;
                if (e == end) {
                    top--;
                    continue;
                }
                stackEdge[top - 1] = e + 1;
                int w = edges[e];
                pre[w] = count;
                vertex[count] = w;
                parent[count++] = pre[v];
                if (top == stackNode.length) {
                    stackNode = java.util.Arrays.copyOf(stackNode, top * 2);
                    stackEdge = java.util.Arrays.copyOf(stackEdge, top * 2);
                }
                stackNode[top] = w;
                stackEdge[top++] = edgeStart[w];
            }
        }
        stackNode = null;
        stackEdge = null;
        int total = count;
        // A GC root's semidominator is the virtual root: marked in the sign bit of its DFS
        // parent, which the semidominator loop clears (no boolean per object).
        for (int r : g.rootObjects) parent[pre[r]] |= ROOT_FLAG;

        // Predecessors of reachable objects, by DFS number. The references are walked in object
        // order (the adjacency arrays front to back, not jumping around in DFS order): a
        // vertex's predecessors come in another order, which changes no semidominator (a minimum).
        int[] predStart = new int[total + 1];
        for (int v = 0; v < n; v++) {
            if (pre[v] == 0) continue;
            for (int e = edgeStart[v], end = edgeStart[v + 1]; e < end; e++) predStart[pre[edges[e]]]++;
        }
        int sum = 0;
        for (int i = 0; i <= total; i++) {
            int c = predStart[i];
            predStart[i] = sum;
            sum += c;
        }
        int[] preds = new int[sum];
        // semi[] serves as the fill cursor first: one array fewer at the peak.
        int[] semi = new int[total];
        int[] fill = semi;
        System.arraycopy(predStart, 0, fill, 0, total);
        for (int v = 0; v < n; v++) {
            int i = pre[v];
            if (i == 0) continue;
            for (int e = edgeStart[v], end = edgeStart[v + 1]; e < end; e++) preds[fill[pre[edges[e]]]++] = i;
        }
        fill = null;
        // A vertex's DFS parent is one of its predecessors: moved to the front of the list, it is
        // found there again for the immediate dominators, and parent[] is free to be ancestor[].
        // Roots need no parent later (their dominator is the virtual root).
        for (int i = 1; i < total; i++) {
            int p = parent[i];
            if (p < 0) continue;
            int first = predStart[i];
            for (int k = first, end = predStart[i + 1]; k < end; k++) {
                if (preds[k] == p) {
                    preds[k] = preds[first];
                    preds[first] = p;
                    break;
                }
            }
        }
        // Object numbers are not needed until the end (the predecessors are DFS numbers): their
        // storage becomes label[] now, and they are rebuilt at the end.

        // Semidominators, from the last DFS number back; the virtual root has number 0. When i is
        // being processed, exactly the numbers above i have been linked into the forest: "j <= i"
        // stands for "ancestor[j] unset", so parent[] serves as ancestor[] without a reset.
        int[] label = pre;
        int[] ancestor = parent;
        for (int i = 0; i < total; i++) {
            semi[i] = i;
            label[i] = i;
        }
        int[] path = new int[64];
        for (int i = total - 1; i > 0; i--) {
            int p = ancestor[i];
            if (p < 0) {
                p &= ~ROOT_FLAG;
                semi[i] = 0;
            } else {
                int s = semi[i];
                for (int k = predStart[i], end = predStart[i + 1]; k < end && s > 0; k++) {
                    int j = preds[k];
                    int u;
                    if (j <= i) {
                        u = j;
                    } else {
                        // Path compression, iteratively: collect the path, then fold labels top down.
                        int x = j;
                        int depth = 0;
                        while (ancestor[x] > i) {
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
            ancestor[i] = p;
        }
        label = null;

        // Immediate dominators as nearest common ancestors in the DFS tree, parents read from the
        // front of the predecessor lists; ancestor[]'s storage becomes idom[]. A semidominator of
        // 0 (every root, and objects only roots' paths lead to) means the virtual root.
        int[] idom = ancestor;
        ancestor = null;
        idom[0] = 0;
        for (int i = 1; i < total; i++) {
            int si = semi[i];
            if (si == 0) {
                idom[i] = 0;
                continue;
            }
            int d = preds[predStart[i]];
            while (d > si) d = idom[d];
            idom[i] = d;
        }
        semi = null;
        preds = null;
        predStart = null;

        java.util.Arrays.fill(pre, 0);
        for (int i = 1; i < total; i++) pre[vertex[i]] = i;
        long[] retained = new long[total];
        for (int i = 1; i < total; i++) retained[i] = g.countedBytes(vertex[i]);
        for (int i = total - 1; i > 0; i--) retained[idom[i]] += retained[i];
        return new Dominators(pre, vertex, total, idom, retained);
    }

    /** Objects reachable from a root. */
    public int reachableCount() {
        return total - 1;
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

    /** DFS number of a reachable object (1..reachableCount()), 0 when unreachable. */
    int dfsNumber(int object) {
        return pre[object];
    }

    /** The object of DFS number {@code i} (1..reachableCount()). */
    int dfsObject(int i) {
        return vertex[i];
    }

    /** DFS number of the immediate dominator of DFS number {@code i}; 0 when only the roots dominate it. */
    int dfsDominator(int i) {
        return idom[i];
    }

    /** The k-th reachable object in an order where every object comes after its dominator. */
    public int inDominatorOrder(int k) {
        return vertex[k + 1];
    }
}
