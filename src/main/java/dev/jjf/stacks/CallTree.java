package dev.jjf.stacks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacks merged into a tree: the root is "all", its children are thread entry points, leaves are
 * allocation calls. Values are inclusive and fractional because jemalloc samples are unsampled.
 *
 * <p>Nodes live in primitive arrays, numbered from 0 (the root); {@link Node} is a view of one.
 * A 200 MB profile makes over a million nodes: as objects the garbage collector copied them
 * between generations, which took more time than folding them.
 */
public final class CallTree {
    /** Name of the synthetic root node. */
    public static final String ROOT_NAME = "all";
    static final int ROOT = 0;
    private static final int NONE = -1;
    /** Up to this many callees a node's callees are scanned; past it they are found by hash. */
    private static final int SCAN_LIMIT = 8;
    private static final Comparator<Frame> BY_NAME = Comparator.comparing(Frame::name).thenComparing(Frame::kind);

    private final String unit;
    private boolean differential;
    /** Totals are summed from the selves when next read. */
    private boolean stale;
    private boolean sorted = true;

    private final Map<Frame, Integer> frameIds = new HashMap<>();
    private Frame[] frames = new Frame[256];
    private int frameCount;

    private int size = 1;
    private int[] frame = new int[1024];
    private int[] parent = new int[1024];
    private int[] firstKid = new int[1024];
    private int[] nextSibling = new int[1024];
    private int[] kidCount = new int[1024];
    private double[] total = new double[1024];
    private double[] self = new double[1024];
    /** Baseline values, allocated with the first baseline stack. */
    private double[] baseTotal;
    private double[] baseSelf;

    // (parent, frame id) -> node for the callees of wide nodes, open addressing; dropped once the
    // tree is read, rebuilt when it is next added to.
    private long[] edgeKeys;
    private int[] edgeNodes;
    private int edges;

    /** @param unit what values count, "bytes" or "objects" */
    public CallTree(String unit) {
        this.unit = unit;
        frame[ROOT] = frameId(new Frame(ROOT_NAME, FrameKind.UNKNOWN));
        parent[ROOT] = NONE;
        firstKid[ROOT] = NONE;
        nextSibling[ROOT] = NONE;
    }

    public String unit() {
        return unit;
    }

    public Node root() {
        settle();
        return new Node(this, ROOT);
    }

    /** Total of the whole tree (the root's inclusive value). */
    public double total() {
        settle();
        return total[ROOT];
    }

    /** Number of nodes, the root included. */
    public int size() {
        return size;
    }

    /**
     * Adds one stack, ordered root first (thread entry) to leaf (allocation call).
     *
     * @param rootFirst frames from the outermost caller to the allocation call
     */
    public void add(List<Frame> rootFirst, double value) {
        int node = ROOT;
        for (Frame f : rootFirst) node = child(node, frameId(f));
        addSelf(node, value, 0);
    }

    /**
     * Adds one stack of the baseline a differential graph compares against. Widths still
     * follow {@link #add}; a path only the baseline has gets a node of width zero.
     */
    public void addBaseline(List<Frame> rootFirst, double value) {
        markDifferential();
        int node = ROOT;
        for (Frame f : rootFirst) node = child(node, frameId(f));
        addSelf(node, 0, value);
    }

    /** The root's node number, for {@link #childNode}. */
    public int rootNode() {
        return ROOT;
    }

    /**
     * The node for {@code frame} below node {@code parentNode}, made if new: for producers that
     * add millions of paths sharing prefixes, without building a frame list per path.
     */
    public int childNode(int parentNode, Frame frame) {
        if (parentNode < 0 || parentNode >= size) throw new IllegalArgumentException("no node " + parentNode);
        return child(parentNode, frameId(frame));
    }

    /** Adds to a node's self value ({@code baseline}: to its baseline self value). */
    public void addToNode(int node, double value, boolean baseline) {
        if (node < 0 || node >= size) throw new IllegalArgumentException("no node " + node);
        if (baseline) {
            markDifferential();
            addSelf(node, 0, value);
        } else {
            addSelf(node, value, 0);
        }
    }

    /** The kinds of the frames in this tree (the root's aside). */
    public java.util.Set<FrameKind> kinds() {
        java.util.EnumSet<FrameKind> kinds = java.util.EnumSet.noneOf(FrameKind.class);
        for (int i = 1; i < frameCount; i++) kinds.add(frames[i].kind());
        return kinds;
    }

    /** True once a baseline was added: nodes then carry {@link Node#delta()}. */
    public boolean isDifferential() {
        return differential;
    }

    /** The frame's number in this tree, the same for equal frames. */
    int frameId(Frame f) {
        Integer id = frameIds.get(f);
        if (id != null) return id;
        if (frameCount == frames.length) frames = Arrays.copyOf(frames, frameCount * 2);
        frames[frameCount] = f;
        frameIds.put(f, frameCount);
        return frameCount++;
    }

    /**
     * The callee of {@code node} with this frame, made if it is new. A node with few callees
     * scans them (newest first): callees made by neighbouring stacks are recent and still in
     * cache, where a hash probe is a cache miss on a big tree. Wide nodes, such as the thread
     * entry points under the root, are looked up in a hash index instead.
     */
    int child(int node, int frameId) {
        if (kidCount[node] <= SCAN_LIMIT) {
            for (int c = firstKid[node]; c != NONE; c = nextSibling[c]) {
                if (frame[c] == frameId) return c;
            }
            int c = newNode(node, frameId);
            if (kidCount[node] > SCAN_LIMIT && edgeKeys != null) {
                for (int k = firstKid[node]; k != NONE; k = nextSibling[k]) indexEdge(node, frame[k], k);
            }
            return c;
        }
        if (edgeKeys == null) indexEdges();
        long key = ((long) node << 32) | frameId;
        int mask = edgeNodes.length - 1;
        for (int s = slot(key, mask); ; s = (s + 1) & mask) {
            if (edgeNodes[s] == NONE) {
                int c = newNode(node, frameId);
                indexEdge(node, frameId, c);
                return c;
            }
            if (edgeKeys[s] == key) return edgeNodes[s];
        }
    }

    /** Adds to a node's self values; totals follow when the tree is next read. */
    void addSelf(int node, double value, double baseValue) {
        self[node] += value;
        if (baseValue != 0) {
            markDifferential();
            baseSelf[node] += baseValue;
        }
        stale = true;
    }

    void markDifferential() {
        differential = true;
        if (baseSelf == null) {
            baseSelf = new double[self.length];
            baseTotal = new double[self.length];
        }
    }

    /**
     * Makes room for this many more nodes at once: each array is allocated once, not doubled step by step
     * (large arrays are allocated outside the young generation, and each one can start a collection).
     */
    void ensureRoomFor(int moreNodes) {
        long needed = (long) size + moreNodes;
        if (needed > frame.length) resize((int) Math.min(Integer.MAX_VALUE - 8, needed));
    }

    private void resize(int n) {
        frame = Arrays.copyOf(frame, n);
        parent = Arrays.copyOf(parent, n);
        firstKid = Arrays.copyOf(firstKid, n);
        nextSibling = Arrays.copyOf(nextSibling, n);
        kidCount = Arrays.copyOf(kidCount, n);
        total = Arrays.copyOf(total, n);
        self = Arrays.copyOf(self, n);
        if (baseSelf != null) {
            baseSelf = Arrays.copyOf(baseSelf, n);
            baseTotal = Arrays.copyOf(baseTotal, n);
        }
    }

    private int newNode(int from, int frameId) {
        if (size == frame.length) resize(size * 2);
        int c = size++;
        frame[c] = frameId;
        parent[c] = from;
        firstKid[c] = NONE;
        nextSibling[c] = firstKid[from];
        firstKid[from] = c;
        kidCount[from]++;
        sorted = false;
        stale = true;
        return c;
    }

    /** Builds the hash index of the callees of every wide node. */
    private void indexEdges() {
        int wide = 0;
        for (int c = 1; c < size; c++) {
            if (kidCount[parent[c]] > SCAN_LIMIT) wide++;
        }
        int slots = Integer.highestOneBit(Math.max(1024, wide * 2) - 1) << 1;
        edgeKeys = new long[slots];
        edgeNodes = new int[slots];
        Arrays.fill(edgeNodes, NONE);
        edges = 0;
        for (int c = 1; c < size; c++) {
            if (kidCount[parent[c]] > SCAN_LIMIT) indexEdge(parent[c], frame[c], c);
        }
    }

    private void indexEdge(int from, int frameId, int c) {
        if ((edges + 1) * 2 > edgeNodes.length) {
            indexEdges(); // rebuilt at twice the size: it already holds this edge if c is indexed
            if (kidCount[from] > SCAN_LIMIT && edgeFor(from, frameId) == c) return;
        }
        long key = ((long) from << 32) | frameId;
        int mask = edgeNodes.length - 1;
        int s = slot(key, mask);
        while (edgeNodes[s] != NONE) {
            if (edgeKeys[s] == key) return;
            s = (s + 1) & mask;
        }
        edgeKeys[s] = key;
        edgeNodes[s] = c;
        edges++;
    }

    private int edgeFor(int from, int frameId) {
        long key = ((long) from << 32) | frameId;
        int mask = edgeNodes.length - 1;
        for (int s = slot(key, mask); edgeNodes[s] != NONE; s = (s + 1) & mask) {
            if (edgeKeys[s] == key) return edgeNodes[s];
        }
        return NONE;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /**
     * Sums totals bottom-up (a node's self plus its callees' totals) and sorts callees by name,
     * once, before anything reads the tree. Nodes are numbered callers first, so one backward
     * pass sums every total.
     */
    private void settle() {
        if (stale) {
            System.arraycopy(self, 0, total, 0, size);
            for (int c = size - 1; c > 0; c--) total[parent[c]] += total[c];
            if (baseSelf != null) {
                System.arraycopy(baseSelf, 0, baseTotal, 0, size);
                for (int c = size - 1; c > 0; c--) baseTotal[parent[c]] += baseTotal[c];
            }
            stale = false;
        }
        if (!sorted) {
            sortCallees();
            sorted = true;
        }
        edgeKeys = null;
        edgeNodes = null;
    }

    /** Relinks every callee list in flamegraph.pl's order: by name, then kind. */
    private void sortCallees() {
        int[] kids = new int[16];
        for (int n = 0; n < size; n++) {
            int k = kidCount[n];
            if (k < 2) continue;
            if (kids.length < k) kids = new int[Math.max(k, kids.length * 2)];
            int i = 0;
            for (int c = firstKid[n]; c != NONE; c = nextSibling[c]) kids[i++] = c;
            if (!inOrder(kids, k)) sortByFrame(kids, k);
            firstKid[n] = kids[0];
            for (int j = 0; j < k - 1; j++) nextSibling[kids[j]] = kids[j + 1];
            nextSibling[kids[k - 1]] = NONE;
        }
    }

    private boolean inOrder(int[] kids, int k) {
        for (int j = 1; j < k; j++) {
            if (BY_NAME.compare(frames[frame[kids[j - 1]]], frames[frame[kids[j]]]) > 0) return false;
        }
        return true;
    }

    private void sortByFrame(int[] kids, int k) {
        Integer[] boxed = new Integer[k];
        for (int j = 0; j < k; j++) boxed[j] = kids[j];
        Arrays.sort(boxed, (a, b) -> BY_NAME.compare(frames[frame[a]], frames[frame[b]]));
        for (int j = 0; j < k; j++) kids[j] = boxed[j];
    }

    /** A frame in context: one path from the root. A view of one node of the tree. */
    public static final class Node {
        private final CallTree tree;
        private final int index;

        private Node(CallTree tree, int index) {
            this.tree = tree;
            this.index = index;
        }

        public Frame frame() {
            return tree.frames[tree.frame[index]];
        }

        public String name() {
            return frame().name();
        }

        public FrameKind kind() {
            return frame().kind();
        }

        /** The caller, or null for the root. */
        public Node parent() {
            int p = tree.parent[index];
            return p == NONE ? null : new Node(tree, p);
        }

        /** Inclusive value: this frame and everything it called. */
        public double total() {
            tree.settle();
            return tree.total[index];
        }

        /** Value allocated with this frame as the leaf. */
        public double self() {
            return tree.self[index];
        }

        /** Inclusive value in the baseline of a differential tree, else 0. */
        public double baseTotal() {
            tree.settle();
            return tree.baseTotal == null ? 0 : tree.baseTotal[index];
        }

        /** Value with this frame as the leaf in the baseline. */
        public double baseSelf() {
            return tree.baseSelf == null ? 0 : tree.baseSelf[index];
        }

        /** Growth since the baseline: total - baseTotal. */
        public double delta() {
            return total() - baseTotal();
        }

        /** Callees sorted by name (then kind), as flamegraph.pl orders them. */
        public List<Node> children() {
            tree.settle();
            int k = tree.kidCount[index];
            if (k == 0) return List.of();
            List<Node> out = new ArrayList<>(k);
            for (int c = tree.firstKid[index]; c != NONE; c = tree.nextSibling[c]) out.add(new Node(tree, c));
            return Collections.unmodifiableList(out);
        }

        /** Number of callees. */
        public int childCount() {
            return tree.kidCount[index];
        }

        /** Number of nodes below this one. */
        public long descendants() {
            if (index == ROOT) return tree.size - 1;
            long n = 0;
            int[] stack = new int[64];
            int top = 0;
            stack[top++] = index;
            while (top > 0) {
                int node = stack[--top];
                for (int c = tree.firstKid[node]; c != NONE; c = tree.nextSibling[c]) {
                    n++;
                    if (top == stack.length) stack = Arrays.copyOf(stack, top * 2);
                    stack[top++] = c;
                }
            }
            return n;
        }

        /** Number of frames from the root; the root has depth 0. */
        public int depth() {
            int d = 0;
            for (int p = tree.parent[index]; p != NONE; p = tree.parent[p]) d++;
            return d;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Node n && n.tree == tree && n.index == index;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(tree) * 31 + index;
        }

        @Override
        public String toString() {
            return name() + " (" + total() + ")";
        }
    }
}
