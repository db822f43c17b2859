package dev.jjf.stacks;

import java.util.ArrayList;
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

    /** @param unit what values count, "bytes" or "objects" */
    public CallTree(String unit) {
        this.unit = unit;
    }

    public String unit() {
        return unit;
    }

    public Node root() {
        return root;
    }

    /** Total of the whole tree (the root's inclusive value). */
    public double total() {
        return root.total;
    }

    /**
     * Adds one stack, ordered root first (thread entry) to leaf (allocation call).
     *
     * @param rootFirst frames from the outermost caller to the allocation call
     */
    public void add(List<Frame> rootFirst, double value) {
        Node node = root;
        node.total += value;
        for (Frame frame : rootFirst) {
            node = node.child(frame);
            node.total += value;
        }
        node.self += value;
    }

    /**
     * Adds one stack of the baseline a differential graph compares against. Widths still
     * follow {@link #add}; a path only the baseline has gets a node of width zero.
     */
    public void addBaseline(List<Frame> rootFirst, double value) {
        differential = true;
        Node node = root;
        node.baseTotal += value;
        for (Frame frame : rootFirst) {
            node = node.child(frame);
            node.baseTotal += value;
        }
        node.baseSelf += value;
    }

    /** True once a baseline was added: nodes then carry {@link Node#delta()}. */
    public boolean isDifferential() {
        return differential;
    }

    /** A frame in context: one path from the root. */
    public static final class Node {
        private static final Comparator<Node> BY_NAME =
                Comparator.comparing((Node n) -> n.frame.name()).thenComparing(n -> n.frame.kind());

        private final Frame frame;
        private final Node parent;
        private Map<Frame, Node> children;
        private List<Node> sorted;
        private double total;
        private double self;
        private double baseTotal;
        private double baseSelf;

        Node(Frame frame, Node parent) {
            this.frame = frame;
            this.parent = parent;
        }

        Node child(Frame f) {
            if (children == null) children = new HashMap<>(4);
            sorted = null;
            return children.computeIfAbsent(f, k -> new Node(k, this));
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
            if (children == null) return List.of();
            if (sorted == null) {
                List<Node> list = new ArrayList<>(children.values());
                list.sort(BY_NAME);
                sorted = Collections.unmodifiableList(list);
            }
            return sorted;
        }

        /** Number of frames from the root; the root has depth 0. */
        public int depth() {
            int d = 0;
            for (Node n = parent; n != null; n = n.parent) d++;
            return d;
        }
    }
}
