package dev.jjf.model;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One process's stacks merged by raw address, root first, before anything is named: a node per
 * distinct address prefix, in primitive arrays. Folding walks this trie once, so the work per
 * frame of every stack is one hash probe here, and naming and merging into the call tree happen
 * once per distinct prefix instead of once per frame.
 *
 * <p>Nodes are numbered in the order they were made, so a node's caller always has a smaller
 * number and a walk in number order sees callers first, reading the arrays front to back.
 *
 * <p>A node is found by a hash of its whole prefix rather than by its caller's number, so the
 * probes for the frames of one stack do not wait on each other and the processor overlaps their
 * cache misses. The hash is exact, not probabilistic: each step {@code key = mix(key ^ address)}
 * is a bijection for a given address, and no two nodes in the table share a key, so a table entry
 * with the right key and the right address has the right caller too. A prefix whose key is
 * already taken by another prefix (or is zero, the empty slot, or the root's) goes, with everything below it,
 * to an exact map keyed by caller and address instead.
 */
final class AddressTrie {
    static final int ROOT = 0;
    static final int NONE = -1;
    static final long ROOT_KEY = 0x243F6A8885A308D3L;
    private static final long EMPTY = 0;
    private static final int MIN_NODES = 1024;

    private final int types;
    private long[] address;
    private int[] parent;
    /** {@code types} values per node, node by node. */
    private double[] value;
    private int size = 1;

    // Open addressing, linear probing. entries[2s] is a prefix's key, entries[2s + 1] its last
    // address, beside each other so that one cache miss checks both; nodes[s] is its node.
    private long[] entries;
    private int[] nodes;
    private int used;
    private long[] keys = new long[128];
    /** Nodes below a key collision, by (caller, address); empty on all but astronomically rare profiles. */
    private final Map<Edge, Integer> exact = new HashMap<>();
    private boolean[] inExact = new boolean[0];

    private record Edge(int parent, long address) {
    }

    /** @param expectedNodes a guess at the number of nodes, so that the arrays rarely grow */
    AddressTrie(int expectedNodes) {
        this(expectedNodes, 1);
    }

    /** @param types values per stack (one per sample type) */
    AddressTrie(int expectedNodes, int types) {
        this.types = types;
        int n = Math.max(MIN_NODES, expectedNodes);
        address = new long[n];
        parent = new int[n];
        value = new double[n * types];
        parent[ROOT] = NONE;
        int slots = Integer.highestOneBit(n * 2 - 1) << 1;
        entries = new long[slots * 2];
        nodes = new int[slots];
    }

    /**
     * Adds a stack's value to the node of its whole path.
     *
     * @param leafFirst addresses as a heap profile lists them, the allocation call first
     */
    void add(long[] leafFirst, double stackValue) {
        int at = node(leafFirst) * types; // before reading the field: node() may grow the array
        value[at] += stackValue;
    }

    /** Adds a stack's values, one per type, to the node of its whole path. */
    void add(long[] leafFirst, double[] stackValues) {
        int at = node(leafFirst) * types;
        for (int i = 0; i < types; i++) value[at + i] += stackValues[i];
    }

    /** The node of a stack's whole path, made if new. */
    private int node(long[] leafFirst) {
        int n = leafFirst.length;
        if (keys.length < n) keys = new long[Math.max(n, keys.length * 2)];
        long h = ROOT_KEY;
        for (int d = 0; d < n; d++) {
            h = mix(h, leafFirst[n - 1 - d]);
            keys[d] = h;
        }
        int node = ROOT;
        for (int d = 0; d < n; d++) {
            long a = leafFirst[n - 1 - d];
            node = isExact(node) ? exactChild(node, a) : child(node, a, keys[d]);
        }
        return node;
    }

    /** A bijection of h for any fixed address: distinct callers' keys stay distinct. */
    static long mix(long h, long address) {
        long x = (h ^ address) * 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 31);
    }

    private int child(int from, long addr, long key) {
        // The root's key is nobody else's either: no node may share a key with another.
        if (key == EMPTY || key == ROOT_KEY) return exactChild(from, addr);
        int mask = nodes.length - 1;
        for (int s = slot(key, mask); ; s = (s + 1) & mask) {
            long k = entries[2 * s];
            if (k == key) {
                // Keys are unique and mix is a bijection: the same key and address mean the same caller.
                return entries[2 * s + 1] == addr ? nodes[s] : exactChild(from, addr);
            }
            if (k == EMPTY) {
                int c = newNode(from, addr);
                entries[2 * s] = key;
                entries[2 * s + 1] = addr;
                nodes[s] = c;
                if (++used * 2 > nodes.length) grow();
                return c;
            }
        }
    }

    private boolean isExact(int node) {
        return node < inExact.length && inExact[node];
    }

    private int exactChild(int from, long addr) {
        Edge e = new Edge(from, addr);
        Integer known = exact.get(e);
        if (known != null) return known;
        int c = newNode(from, addr);
        exact.put(e, c);
        if (c >= inExact.length) inExact = Arrays.copyOf(inExact, Math.max(c + 1, address.length));
        inExact[c] = true;
        return c;
    }

    private int newNode(int from, long addr) {
        if (size == address.length) {
            int n = size * 2;
            address = Arrays.copyOf(address, n);
            parent = Arrays.copyOf(parent, n);
            value = Arrays.copyOf(value, n * types);
        }
        int c = size++;
        address[c] = addr;
        parent[c] = from;
        return c;
    }

    private void grow() {
        long[] e = new long[entries.length * 2];
        int[] v = new int[nodes.length * 2];
        int mask = v.length - 1;
        for (int i = 0; i < nodes.length; i++) {
            long k = entries[2 * i];
            if (k == EMPTY) continue;
            int s = slot(k, mask);
            while (e[2 * s] != EMPTY) s = (s + 1) & mask;
            e[2 * s] = k;
            e[2 * s + 1] = entries[2 * i + 1];
            v[s] = nodes[i];
        }
        entries = e;
        nodes = v;
    }

    private static int slot(long key, int mask) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    /** Frees the index that finds nodes by prefix: the trie can then be read, not added to. */
    void freeIndex() {
        entries = null;
        nodes = null;
    }

    /** Number of nodes, the root included; nodes are numbered from 0 (the root), a caller before its callees. */
    int size() {
        return size;
    }

    long address(int node) {
        return address[node];
    }

    /** The caller's node, {@link #NONE} for the root. */
    int parent(int node) {
        return parent[node];
    }

    /** Summed value of the stacks whose path ends at this node; 0 when none does. With several types, the first. */
    double value(int node) {
        return value[node * types];
    }

    /** Whether any stack's path ends at this node with a value other than 0. */
    boolean hasValue(int node) {
        for (int i = node * types, end = i + types; i < end; i++) {
            if (value[i] != 0) return true;
        }
        return false;
    }

    /** The parent array, handed over when the trie is done (no copy): {@link #size()} entries are valid. */
    int[] parents() {
        return parent;
    }

    /** The value array, {@code types} per node, handed over like {@link #parents()}. */
    double[] values() {
        return value;
    }
}
