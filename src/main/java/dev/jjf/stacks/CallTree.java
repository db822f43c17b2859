package dev.jjf.stacks;

import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacks merged into a tree: the root is "all", its children are thread entry points, leaves are
 * allocation calls. Values are inclusive and fractional because jemalloc samples are unsampled.
 */
public final class CallTree {
    /** Name of the synthetic root node. */
    public static final String ROOT_NAME = "all";

    private final Node root = new Node(new Frame(ROOT_NAME, FrameKind.UNKNOWN), null);
    private final String unit;
    private boolean differential;
    private boolean stale;

    /** @param unit what values count, "bytes" or "objects" */
    public CallTree(String unit) {
        this.unit = unit;
    }

    public String unit() {
        return unit;
    }

    public Node root() {
        settle();
        return root;
    }

    /** Total of the whole tree (the root's inclusive value). */
    public double total() {
        settle();
        return root.total;
    }

    /**
     * Adds one stack, ordered root first (thread entry) to leaf (allocation call).
     *
     * @param rootFirst frames from the outermost caller to the allocation call
     */
    public void add(List<Frame> rootFirst, double value) {
        Node node = rootForUpdate();
        for (Frame frame : rootFirst) node = node.child(frame);
        node.addSelf(value, 0);
    }

    /**
     * Adds one stack of the baseline a differential graph compares against. Widths still
     * follow {@link #add}; a path only the baseline has gets a node of width zero.
     */
    public void addBaseline(List<Frame> rootFirst, double value) {
        markDifferential();
        Node node = rootForUpdate();
        for (Frame frame : rootFirst) node = node.child(frame);
        node.addSelf(0, value);
    }

    /** True once a baseline was added: nodes then carry {@link Node#delta()}. */
    public boolean isDifferential() {
        return differential;
    }

    void markDifferential() {
        differential = true;
    }

    /**
     * The root, for a builder that adds values with {@link Node#addSelf}: inclusive totals are
     * summed from the selves when the tree is next read.
     */
    Node rootForUpdate() {
        stale = true;
        return root;
    }

    // Totals are summed bottom-up (a node's self, then its callees in order) rather than along
    // every stack as it is added: the work is per node, not per frame.
    private void settle() {
        if (stale) {
            root.sumTotals();
            stale = false;
        }
    }

    /** A frame in context: one path from the root. */
    public static final class Node {
        private static final Comparator<Node> BY_NAME =
                Comparator.comparing((Node n) -> n.frame.name()).thenComparing(n -> n.frame.kind());
        /** Past this many callees a hash index replaces the linear scan. */
        private static final int INDEX_FROM = 12;
        private static final Node[] NONE = new Node[0];

        private final Frame frame;
        private final Node parent;
        // Most nodes have one or two callees, so callees live in a plain array (a HashMap per node
        // costs about three times the memory, which decides whether a 200 MB profile fits in
        // 512 MB); only wide nodes get an index.
        private Node[] kids = NONE;
        private int kidCount;
        private Map<Frame, Node> index;
        private boolean sorted = true;
        private double total;
        private double self;
        private double baseTotal;
        private double baseSelf;

        Node(Frame frame, Node parent) {
            this.frame = frame;
            this.parent = parent;
        }

        Node child(Frame f) {
            if (index != null) {
                Node n = index.get(f);
                if (n != null) return n;
            } else {
                for (int i = 0; i < kidCount; i++) {
                    if (kids[i].frame.equals(f)) return kids[i];
                }
            }
            return newChild(f);
        }

        /** {@link #child} when every frame in the tree is interned, so identity decides. */
        Node internedChild(Frame f) {
            if (index != null) {
                Node n = index.get(f);
                if (n != null) return n;
            } else {
                Node[] k = kids;
                for (int i = 0; i < kidCount; i++) {
                    if (k[i].frame == f) return k[i];
                }
            }
            return newChild(f);
        }

        void addSelf(double value, double baseValue) {
            self += value;
            baseSelf += baseValue;
        }

        /** Sets every total at and below this node from the selves: a node's self, then its callees in order. */
        private void sumTotals() {
            // Iterative post-order: stacks can be deeper than a comfortable recursion.
            Node[] stack = new Node[64];
            int[] next = new int[64];
            int top = 0;
            stack[0] = this;
            while (top >= 0) {
                Node n = stack[top];
                int k = next[top];
                if (k == 0) {
                    n.total = n.self;
                    n.baseTotal = n.baseSelf;
                }
                if (k < n.kidCount) {
                    next[top] = k + 1;
                    if (++top == stack.length) {
                        stack = Arrays.copyOf(stack, top * 2);
                        next = Arrays.copyOf(next, top * 2);
                    }
                    stack[top] = n.kids[k];
                    next[top] = 0;
                } else if (--top >= 0) {
                    stack[top].total += n.total;
                    stack[top].baseTotal += n.baseTotal;
                }
            }
        }

        private Node newChild(Frame f) {
            Node n = new Node(f, this);
            if (kidCount == kids.length) kids = Arrays.copyOf(kids, kidCount == 0 ? 1 : kidCount * 2);
            kids[kidCount++] = n;
            sorted = kidCount == 1;
            if (index != null) {
                index.put(f, n);
            } else if (kidCount > INDEX_FROM) {
                index = new HashMap<>(kidCount * 2);
                for (int i = 0; i < kidCount; i++) index.put(kids[i].frame, kids[i]);
            }
            return n;
        }

        public Frame frame() {
            return frame;
        }

        public String name() {
            return frame.name();
        }

        public FrameKind kind() {
            return frame.kind();
        }

        /** The caller, or null for the root. */
        public Node parent() {
            return parent;
        }

        /** Inclusive value: this frame and everything it called. */
        public double total() {
            return total;
        }

        /** Value allocated with this frame as the leaf. */
        public double self() {
            return self;
        }

        /** Inclusive value in the baseline of a differential tree, else 0. */
        public double baseTotal() {
            return baseTotal;
        }

        /** Value with this frame as the leaf in the baseline. */
        public double baseSelf() {
            return baseSelf;
        }

        /** Growth since the baseline: total - baseTotal. */
        public double delta() {
            return total - baseTotal;
        }

        /** Callees sorted by name (then kind), as flamegraph.pl orders them. */
        public List<Node> children() {
            if (kidCount == 0) return List.of();
            if (!sorted) {
                if (kids.length != kidCount) kids = Arrays.copyOf(kids, kidCount);
                Arrays.sort(kids, BY_NAME);
                sorted = true;
            }
            return Collections.unmodifiableList(Arrays.asList(kids).subList(0, kidCount));
        }

        /** Number of callees. */
        public int childCount() {
            return kidCount;
        }

        /** Number of nodes below this one, counted without sorting anything. */
        public long descendants() {
            long n = 0;
            Node[] stack = new Node[64];
            int top = 0;
            stack[top++] = this;
            while (top > 0) {
                Node node = stack[--top];
                n += node.kidCount;
                if (top + node.kidCount > stack.length) stack = Arrays.copyOf(stack, Math.max(stack.length * 2, top + node.kidCount));
                System.arraycopy(node.kids, 0, stack, top, node.kidCount);
                top += node.kidCount;
            }
            return n;
        }

        /** Number of frames from the root; the root has depth 0. */
        public int depth() {
            int d = 0;
            for (Node n = parent; n != null; n = n.parent) d++;
            return d;
        }
    }
}
