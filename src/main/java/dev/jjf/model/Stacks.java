package dev.jjf.model;

import java.util.Arrays;

/**
 * The samples of one process (or one heap dump) of a {@link Profile}, merged into a tree by
 * call path: a node per distinct path prefix, root first, in primitive arrays. A sample is a node
 * with a value other than 0: its locations are the node's {@link #leafLocation} followed by the
 * {@link #location}s of its callers up to the root, which is exactly pprof's
 * {@code Sample.location_id} (leaf first). Storing samples as a tree is what lets a 200 MB
 * profile with millions of frames be held and folded with one entry per distinct prefix.
 *
 * <p>Nodes are numbered from {@link #ROOT} (the empty path) in the order they were made, so a
 * node's caller always has a smaller number: a walk in number order sees callers first.
 *
 * <p>A node has two locations because a jemalloc stack's leaf is a program counter while every
 * caller is a return address, named at {@code address - 1}: the same address can name different
 * lines in the two roles. {@link #location} is the node's location as a caller ({@link Profile#NONE}
 * when it has no callees), {@link #leafLocation} as the end of a sample ({@link Profile#NONE}
 * when no sample ends there). Stacks added with {@link #add} give both the same location.
 */
public final class Stacks {
    /** The empty path; a value here is a sample with no frames. */
    public static final int ROOT = 0;
    private static final int MIN_NODES = 1024;

    private final int types;
    private final boolean base;
    private int size = 1;
    private int[] parent;
    private int[] location;
    private int[] leafLocation;
    private double[] values;

    // (parent, location) -> node, open addressing; only for stacks added with add().
    private long[] edgeKeys;
    private int[] edgeNodes;
    private int edges;

    Stacks(int types, boolean base) {
        this.types = types;
        this.base = base;
        parent = new int[MIN_NODES];
        location = new int[MIN_NODES];
        leafLocation = new int[MIN_NODES];
        values = new double[MIN_NODES * types];
        parent[ROOT] = Profile.NONE;
        location[ROOT] = Profile.NONE;
        leafLocation[ROOT] = Profile.NONE;
    }

    /** Takes over a finished address trie's arrays (no copy); the caller fills in the locations. */
    Stacks(int types, boolean base, int size, int[] parent, double[] values) {
        this.types = types;
        this.base = base;
        this.size = size;
        this.parent = parent;
        this.values = values;
        this.location = new int[parent.length];
        this.leafLocation = new int[parent.length];
        Arrays.fill(location, Profile.NONE);
        Arrays.fill(leafLocation, Profile.NONE);
    }

    /** True for the baseline of a differential profile (pprof's -diff_base). */
    public boolean isBase() {
        return base;
    }

    /** Number of nodes, the root included. */
    public int size() {
        return size;
    }

    /** The caller's node, {@link Profile#NONE} for the root. */
    public int parent(int node) {
        return parent[node];
    }

    /** The node's location as a caller of the nodes below it; {@link Profile#NONE} when it calls nothing. */
    public int location(int node) {
        return location[node];
    }

    /** The node's location as the leaf of the samples that end here; {@link Profile#NONE} when none does. */
    public int leafLocation(int node) {
        return leafLocation[node];
    }

    /** Summed value of sample type {@code type} of the samples that end at this node; 0 when none does. */
    public double value(int node, int type) {
        return values[node * types + type];
    }

    /** Whether a sample ends at this node: any of its values is not 0. */
    public boolean isSample(int node) {
        for (int i = node * types, end = i + types; i < end; i++) {
            if (values[i] != 0) return true;
        }
        return false;
    }

    void setLocation(int node, int loc) {
        location[node] = loc;
    }

    void setLeafLocation(int node, int loc) {
        leafLocation[node] = loc;
    }

    /**
     * Adds one sample: its values (one per sample type, in the profile's order) go to the node
     * of its path, made if new. For producers that name frames before they merge them (heap
     * dumps); jemalloc profiles are merged by address first ({@link ProfileSymbolizer}).
     *
     * @param leafFirst location ids, the innermost frame first (pprof's order)
     */
    public void add(int[] leafFirst, int count, double[] sampleValues) {
        int node = ROOT;
        for (int d = count - 1; d >= 0; d--) node = child(node, leafFirst[d]);
        int at = node * types;
        for (int i = 0; i < types; i++) values[at + i] += sampleValues[i];
    }

    private int child(int from, int loc) {
        if (edgeKeys == null) {
            edgeKeys = new long[MIN_NODES * 2];
            edgeNodes = new int[MIN_NODES * 2];
            Arrays.fill(edgeNodes, Profile.NONE);
            // Nodes taken over from a trie are not indexed: index them now.
            for (int c = 1; c < size; c++) {
                if (location[c] != Profile.NONE) index(parent[c], location[c], c);
            }
        }
        long key = ((long) from << 32) | (loc & 0xFFFFFFFFL);
        int mask = edgeNodes.length - 1;
        for (int s = slot(key, mask); ; s = (s + 1) & mask) {
            if (edgeNodes[s] == Profile.NONE) {
                int c = newNode(from, loc);
                index(from, loc, c);
                return c;
            }
            if (edgeKeys[s] == key) return edgeNodes[s];
        }
    }

    private void index(int from, int loc, int node) {
        if ((edges + 1) * 2 > edgeNodes.length) {
            long[] oldKeys = edgeKeys;
            int[] oldNodes = edgeNodes;
            edgeKeys = new long[oldKeys.length * 2];
            edgeNodes = new int[oldNodes.length * 2];
            Arrays.fill(edgeNodes, Profile.NONE);
            edges = 0;
            for (int i = 0; i < oldNodes.length; i++) {
                if (oldNodes[i] != Profile.NONE) put(oldKeys[i], oldNodes[i]);
            }
        }
        put(((long) from << 32) | (loc & 0xFFFFFFFFL), node);
    }

    private void put(long key, int node) {
        int mask = edgeNodes.length - 1;
        int s = slot(key, mask);
        while (edgeNodes[s] != Profile.NONE) {
            if (edgeKeys[s] == key) return;
            s = (s + 1) & mask;
        }
        edgeKeys[s] = key;
        edgeNodes[s] = node;
        edges++;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private int newNode(int from, int loc) {
        if (size == parent.length) {
            int n = size * 2;
            parent = Arrays.copyOf(parent, n);
            location = Arrays.copyOf(location, n);
            leafLocation = Arrays.copyOf(leafLocation, n);
            values = Arrays.copyOf(values, n * types);
        }
        int c = size++;
        parent[c] = from;
        location[c] = loc;
        leafLocation[c] = loc;
        return c;
    }

    /**
     * The locations of the sample ending at {@code node}, leaf first, into {@code out} (grown
     * when too small).
     *
     * @return the array written, with {@link #depth} entries
     */
    public int[] locations(int node, int[] out) {
        int d = depth(node);
        int[] o = out.length < d ? new int[Math.max(d, out.length * 2)] : out;
        int i = 0;
        if (node != ROOT) {
            o[i++] = leafLocation[node];
            for (int u = parent[node]; u != ROOT; u = parent[u]) o[i++] = location[u];
        }
        return o;
    }

    /** Number of frames from the root; the root has depth 0. */
    public int depth(int node) {
        int d = 0;
        for (int u = node; u != ROOT; u = parent[u]) d++;
        return d;
    }
}
