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

    private final HeapGraph graph;
    /** Object of each DFS number; vertex[0] is the virtual root (-1). At least {@link #total} long. */
    private final int[] vertex;
    /** DFS numbers given, the virtual root's included. */
    private final int total;
    /** Immediate dominator (a DFS number) of each DFS number; 0 is the virtual root. Longer than {@link #total}. */
    private final int[] idom;
    /** Bit o: object o is reachable. */
    private final long[] reachable;
    /**
     * DFS number of each object, 0 when unreachable; made from {@link #vertex} when first asked
     * for. A fold needs only the DFS order, and a big dump's fold has no room to spare for it.
     */
    private int[] pre;
    /** Retained bytes of each DFS number, made when first asked for (the fold sums shallow sizes itself). */
    private long[] retained;
    /** Counted bytes of everything reachable, or -1 until first asked for. */
    private long reachableBytes = -1;

    private Dominators(HeapGraph graph, int[] vertex, int total, int[] idom, long[] reachable) {
        this.graph = graph;
        this.reachable = reachable;
        this.vertex = vertex;
        this.total = total;
        this.idom = idom;
    }

    public static Dominators compute(HeapGraph g) {
        int n = g.objectCount;
        // One longer than needed: its storage holds the semidominators (up to n + 1 DFS numbers)
        // once the numbers are dead; fewer arrays to allocate and collect at the peak.
        int[] pre = new int[n + 1];
        // Classes and sizes wait in the spill file, if the graph has one: retained sizes are summed
        // when asked for, and the fold reads them back.
        g.spillObjects();
        // Local copies: the launcher's C1 compiler reloads fields in every iteration.
        int[] edgeStart = g.edgeStarts();
        int[] edges = g.edgeTargets();

        // Depth-first numbering from the virtual root; pairs[2i] is the DFS tree (parent), by number.
        // Full size from the start: growing by doubling left ~2 dead copies of each for the GC.
        // The objects in DFS order are not read until the end: a graph that spills writes them to
        // its file as they come.
        int[] pairs = new int[2 * (n + 1)];
        IntList order = new IntList();
        if (g.spills()) order.spillAsItGrows(g.spillFile());
        order.add(-1);
        int count = 1;
        int[] stackNode = new int[64];
        int[] stackEdge = new int[64];
        int top = 0;
        for (int r : g.rootObjects) {
            if (pre[r] != 0) continue;
            pre[r] = count;
            pairs[2 * count] = 0;
            order.add(r);
            count++;
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
                pairs[2 * count] = pre[v];
                order.add(w);
                count++;
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
        long[] reachable = new long[(n + 63) >>> 6];
        for (int v = 0; v < n; v++) {
            if (pre[v] != 0) reachable[v >>> 6] |= 1L << v;
        }
        // A GC root's semidominator is the virtual root: marked in the sign bit of its DFS
        // parent, which the semidominator loop clears (no boolean per object).
        for (int r : g.rootObjects) pairs[2 * pre[r]] |= ROOT_FLAG;

        // Predecessors of reachable objects, by DFS number. The references are walked in object
        // order (the adjacency arrays front to back, not jumping around in DFS order): a
        // vertex's predecessors come in another order, which changes no semidominator (a minimum).
        // Only vertices with two or more are listed: most objects of a heap have one, which is
        // their DFS parent, and then both the semidominator and the immediate dominator are that
        // parent. Roots need none (both are the virtual root).
        // Where the heap has no room for the predecessor lists beside the references, a graph that
        // spills reads them from its file from here on (front to back, twice).
        long predBytes = 4L * (total + 1) + 4L * g.referenceCount();
        if (g.spills() && (g.spillsAlways() || !HeapDump.roomFor(predBytes))) {
            edgeStart = null;
            edges = null;
            g.releaseEdges();
            HeapDump.collectUnlessRoomFor(predBytes);
        }
        int[] predStart = new int[total + 1];
        IntSource starts = g.edgeStartSource();
        IntSource targets = g.edgeTargetSource();
        int from = starts.next();
        for (int v = 0; v < n; v++) {
            int to = starts.next();
            if (pre[v] == 0) {
                targets.skip(to - from);
            } else {
                for (int e = from; e < to; e++) predStart[pre[targets.next()]]++;
            }
            from = to;
        }
        int sum = 0;
        for (int i = 0; i <= total; i++) {
            int c = predStart[i];
            predStart[i] = sum;
            if (c > 1 && i < total && pairs[2 * i] >= 0) sum += c;
        }
        int[] preds = new int[sum];
        // The odd halves of pairs[] serve as the fill cursors first; -1 for vertices not listed.
        for (int i = 0; i < total; i++) pairs[2 * i + 1] = predStart[i] < predStart[i + 1] ? predStart[i] : -1;
        starts = g.edgeStartSource();
        targets = g.edgeTargetSource();
        from = starts.next();
        for (int v = 0; v < n; v++) {
            int to = starts.next();
            int i = pre[v];
            if (i == 0) {
                targets.skip(to - from);
            } else {
                for (int e = from; e < to; e++) {
                    int t = 2 * pre[targets.next()] + 1;
                    int c = pairs[t];
                    if (c >= 0) {
                        preds[c] = i;
                        pairs[t] = c + 1;
                    }
                }
            }
            from = to;
        }
        starts = null;
        targets = null;
        // A vertex's DFS parent is one of its predecessors: moved to the front of the list, it is
        // found there again for the immediate dominators, and pairs[2i] is free to be the ancestor.
        // Roots need no parent later (their dominator is the virtual root).
        for (int i = 1; i < total; i++) {
            int p = pairs[2 * i];
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
        edgeStart = null;
        edges = null;
        g.releaseEdges();
        // Object numbers are not needed any more (the predecessors are DFS numbers): their storage
        // holds the semidominators now, and they are made again only if asked for (pre()).

        // Semidominators, from the last DFS number back; the virtual root has number 0. When i is
        // being processed, exactly the numbers above i have been linked into the forest: "j <= i"
        // stands for "ancestor unset", so the parent serves as the ancestor without a reset, and
        // such a j is unprocessed: its semidominator is still j. pairs[2x + 1] is the smallest
        // semidominator on x's compressed path (Lengauer-Tarjan's semi[label[x]]): the label
        // itself is never needed, only its semidominator.
        int[] semi = pre;
        for (int i = 0; i < total; i++) pairs[2 * i + 1] = i;
        int[] path = new int[64];
        for (int i = total - 1; i > 0; i--) {
            int p = pairs[2 * i];
            int s;
            if (p < 0) {
                p &= ~ROOT_FLAG;
                s = 0;
            } else if (predStart[i] == predStart[i + 1]) {
                s = p; // its one predecessor is its DFS parent
            } else {
                s = i;
                for (int k = predStart[i], end = predStart[i + 1]; k < end && s > 0; k++) {
                    int j = preds[k];
                    int best;
                    if (j <= i) {
                        best = j;
                    } else {
                        // Path compression, iteratively: collect the path, then fold the best semidominators top down.
                        int x = j;
                        int depth = 0;
                        while (pairs[2 * x] > i) {
                            if (depth == path.length) path = java.util.Arrays.copyOf(path, depth * 2);
                            path[depth++] = x;
                            x = pairs[2 * x];
                        }
                        while (depth > 0) {
                            int y = path[--depth];
                            int a = pairs[2 * y];
                            if (pairs[2 * a + 1] < pairs[2 * y + 1]) pairs[2 * y + 1] = pairs[2 * a + 1];
                            pairs[2 * y] = pairs[2 * a];
                        }
                        best = pairs[2 * j + 1];
                    }
                    if (best < s) s = best;
                }
            }
            semi[i] = s;
            pairs[2 * i + 1] = s;
            pairs[2 * i] = p;
        }

        // Immediate dominators as nearest common ancestors in the DFS tree, parents read from the
        // front of the predecessor lists. They replace the semidominators in place: when i is
        // reached, only the numbers below it, already dominators, are read. A semidominator of 0
        // (every root, and objects only roots' paths lead to) means the virtual root.
        pairs = null;
        int[] dom = semi;
        dom[0] = 0;
        for (int i = 1; i < total; i++) {
            int si = dom[i];
            if (si == 0 || predStart[i] == predStart[i + 1]) continue; // the virtual root, or its DFS parent
            int d = preds[predStart[i]];
            while (d > si) d = dom[d];
            dom[i] = d;
        }
        preds = null;
        predStart = null;
        // What a big dump's fold needs is left (the DFS order and the dominators): collected now,
        // the fold's arrays reuse the pages of the ones above.
        HeapDump.collectAfterReading(n);
        return new Dominators(g, g.spills() ? order.toArray() : order.toArrayAndClear(), total, dom, reachable);
    }

    private int[] pre() {
        if (pre == null) {
            int[] p = new int[graph.objectCount];
            for (int i = 1; i < total; i++) p[vertex[i]] = i;
            pre = p;
        }
        return pre;
    }

    private long retained(int i) {
        if (retained == null) {
            long[] r = new long[total];
            for (int k = 1; k < total; k++) r[k] = graph.countedBytes(vertex[k]);
            for (int k = total - 1; k > 0; k--) r[idom[k]] += r[k];
            retained = r;
        }
        return retained[i];
    }

    /** DFS numbers of these objects (0 for unreachable ones): for a few objects, without {@link #pre}'s array. */
    int[] dfsNumbers(int[] objects) {
        int[] out = new int[objects.length];
        if (pre != null || objects.length == 0) {
            for (int k = 0; k < objects.length; k++) out[k] = isReachable(objects[k]) ? pre[objects[k]] : 0;
            return out;
        }
        int[] sorted = objects.clone();
        java.util.Arrays.sort(sorted);
        int[] numbers = new int[sorted.length];
        long[] wanted = new long[(graph.objectCount + 63) >>> 6];
        for (int o : sorted) wanted[o >>> 6] |= 1L << o;
        for (int i = 1; i < total; i++) {
            int o = vertex[i];
            if ((wanted[o >>> 6] & 1L << o) != 0) numbers[java.util.Arrays.binarySearch(sorted, o)] = i;
        }
        for (int k = 0; k < objects.length; k++) out[k] = numbers[java.util.Arrays.binarySearch(sorted, objects[k])];
        return out;
    }

    /** Objects reachable from a root. */
    public int reachableCount() {
        return total - 1;
    }

    public boolean isReachable(int object) {
        return (reachable[object >>> 6] & 1L << object) != 0;
    }

    /** The object's immediate dominator, {@link #ROOTS} or {@link #UNREACHABLE}. */
    public int immediateDominator(int object) {
        int i = pre()[object];
        if (i == 0) return UNREACHABLE;
        int d = idom[i];
        return d == 0 ? ROOTS : vertex[d];
    }

    /** Counted bytes this object keeps alive, itself included; 0 when unreachable. */
    public long retainedBytes(int object) {
        int i = pre()[object];
        return i == 0 ? 0 : retained(i);
    }

    /** Counted bytes of everything reachable. */
    public long reachableBytes() {
        if (reachableBytes < 0) {
            // Object by object, not in DFS order: the sizes are read front to back.
            long sum = 0;
            for (int o = 0; o < graph.objectCount; o++) {
                if ((reachable[o >>> 6] & 1L << o) != 0) sum += graph.countedBytes(o);
            }
            reachableBytes = sum;
        }
        return reachableBytes;
    }

    /** DFS number of a reachable object (1..reachableCount()), 0 when unreachable. */
    int dfsNumber(int object) {
        return pre()[object];
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
