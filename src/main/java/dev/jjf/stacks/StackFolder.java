package dev.jjf.stacks;

import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.Metric;
import dev.jjf.profile.ProfileStream;
import dev.jjf.profile.StackSample;
import dev.jjf.symbols.Location;
import dev.jjf.symbols.ProcessSymbols;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns symbolized stacks into a call tree: trims the allocator's own frames, classifies every
 * frame, applies include/exclude filters, and adds the unsampled value. Several profiles added
 * to one folder are summed.
 */
public final class StackFolder {
    private final Metric metric;
    private final Pattern include;
    private final Pattern exclude;
    private final CallTree tree;

    /**
     * @param include keep only stacks with a frame matching this (null: all)
     * @param exclude drop stacks with a frame matching this (null: none)
     */
    public StackFolder(Metric metric, Pattern include, Pattern exclude) {
        this.metric = metric;
        this.include = include;
        this.exclude = exclude;
        this.tree = new CallTree(metric.unit());
    }

    public CallTree tree() {
        return tree;
    }

    /** What one address of one process contributes to a stack, worked out once per address. */
    private static final class Site {
        /** The frames' ids in the tree. */
        final int[] rootFirst;
        final boolean allocator;
        /** For an allocator frame: the id of the entry point a program called, or -1. */
        final int entryPoint;
        /** {@link #INCLUDED} and {@link #EXCLUDED} for the frames and for the entry point. */
        final int flags;
        final int entryFlags;

        Site(int[] rootFirst, boolean allocator, int entryPoint, int flags, int entryFlags) {
            this.rootFirst = rootFirst;
            this.allocator = allocator;
            this.entryPoint = entryPoint;
            this.flags = flags;
            this.entryFlags = entryFlags;
        }
    }

    private static final int INCLUDED = 1;
    private static final int EXCLUDED = 2;

    /** Adds every stack of one profile, named by that process's symbols. */
    public void add(HeapProfile profile, ProcessSymbols symbols) {
        Process p = new Process(symbols, profile.samplePeriodBytes(), false, expectedNodes(profile));
        for (StackSample sample : profile.samples()) p.add(sample);
        p.fold();
    }

    /** Adds a profile to the baseline of a differential graph. */
    public void addBaseline(HeapProfile profile, ProcessSymbols symbols) {
        tree.markDifferential();
        Process p = new Process(symbols, profile.samplePeriodBytes(), true, expectedNodes(profile));
        for (StackSample sample : profile.samples()) p.add(sample);
        p.fold();
    }

    /**
     * Adds every stack of a profile as it is parsed, named by that process's symbols.
     *
     * @return the number of stacks read
     */
    public long add(ProfileStream profile, ProcessSymbols symbols) throws IOException {
        Process p = null;
        for (List<StackSample> batch; (batch = profile.next()) != null; ) {
            if (p == null) p = new Process(symbols, profile.samplePeriodBytes(), false, expectedNodes(profile));
            for (StackSample sample : batch) p.add(sample);
        }
        if (p != null) p.fold();
        return profile.stacks();
    }

    // Distinct address prefixes measured: a quarter of all addresses on small profiles, an eighth
    // on a 200 MB one; 62 to 137 bytes of profile text per prefix.
    private static int expectedNodes(HeapProfile profile) {
        long addresses = 0;
        for (StackSample s : profile.samples()) addresses += s.addresses().length;
        return (int) Math.min(addresses / 4, MAX_EXPECTED_NODES);
    }

    private static int expectedNodes(ProfileStream profile) throws IOException {
        return (int) Math.min(Files.size(profile.source()) / 128, MAX_EXPECTED_NODES);
    }

    /** Past this a guess only costs memory: the trie grows when it needs to. */
    private static final int MAX_EXPECTED_NODES = 1 << 24;

    /**
     * Folding state of one process. Its stacks are first merged by address ({@link AddressTrie}),
     * then the trie is walked once: each distinct address is named once, and each distinct
     * prefix descends the call tree once.
     */
    private final class Process {
        private final ProcessSymbols symbols;
        private final long period;
        private final boolean baseline;
        private final AddressTrie trie;
        // The leaf is looked up as is and callers as return addresses, hence two maps.
        private final AddressMap<Site> leaves = new AddressMap<>();
        private final AddressMap<Site> callers = new AddressMap<>();

        // Walk state per trie node, for nodes with callees (callers).
        private Site[] caller;
        /** Filter flags of every frame of the path down to the node. */
        private byte[] flags;
        /**
         * The outermost node of the run of allocator callers that ends at this node, never one
         * right below the root (the outermost frame is never trimmed); {@link AddressTrie#NONE}
         * when the node is not an allocator frame.
         */
        private int[] runStart;
        /** The call-tree node of the path down to the node, made on first use; -1 before. */
        private int[] node;
        private int[] chain = new int[128];

        Process(ProcessSymbols symbols, long period, boolean baseline, int expectedNodes) {
            this.symbols = symbols;
            this.period = period;
            this.baseline = baseline;
            this.trie = new AddressTrie(expectedNodes);
        }

        void add(StackSample sample) {
            double value = metric.value(sample, period);
            if (value != 0) trie.add(sample.addresses(), value);
        }

        /** Walks the trie in node order, callers first, and adds every stack that passes the filters to the tree. */
        void fold() {
            trie.freeIndex(); // the largest array; the call tree grows next
            int size = trie.size();
            // Every distinct address prefix is at most one new call-tree path end; inlining adds a few more.
            tree.ensureRoomFor(size);
            boolean[] hasCallees = new boolean[size];
            for (int t = 1; t < size; t++) hasCallees[trie.parent(t)] = true;
            caller = new Site[size];
            flags = new byte[size];
            runStart = new int[size];
            node = new int[size];
            Arrays.fill(node, -1);
            node[AddressTrie.ROOT] = CallTree.ROOT;
            runStart[AddressTrie.ROOT] = AddressTrie.NONE;
            if (trie.value(AddressTrie.ROOT) != 0) end(AddressTrie.ROOT);
            for (int t = 1; t < size; t++) {
                if (hasCallees[t]) {
                    // Only an address with callees below it is a caller, looked up as a return address.
                    Site s = site(callers, trie.address(t), true);
                    int p = trie.parent(t);
                    caller[t] = s;
                    flags[t] = (byte) (flags[p] | s.flags);
                    runStart[t] = !s.allocator ? AddressTrie.NONE : p != AddressTrie.ROOT && trie.parent(p) != AddressTrie.ROOT && runStart[p] != AddressTrie.NONE ? runStart[p] : t;
                }
                if (trie.value(t) != 0) end(t);
            }
        }

        /** A stack ends at trie node t: trims the allocator's frames off its end and adds it. */
        private void end(int t) {
            double value = trie.value(t);
            if (t == AddressTrie.ROOT) {
                // An empty stack has no frame for --include to match.
                if (include == null) tree.addSelf(node[t], baseline ? 0 : value, baseline ? value : 0);
                return;
            }
            Site leaf = site(leaves, trie.address(t), false);
            int p = trie.parent(t);
            // Allocator frames at the end of the stack are trimmed, but never the outermost frame;
            // the outermost trimmed one says which entry point the program called.
            int trimFrom = !leaf.allocator || p == AddressTrie.ROOT ? AddressTrie.NONE
                    : trie.parent(p) != AddressTrie.ROOT && runStart[p] != AddressTrie.NONE ? runStart[p] : t;
            Site outermost = trimFrom == AddressTrie.NONE ? null : trimFrom == t ? leaf : caller[trimFrom];
            int f = outermost == null ? flags[p] | leaf.flags : flags[trie.parent(trimFrom)] | outermost.entryFlags;
            if (include != null && (f & INCLUDED) == 0) return;
            if (exclude != null && (f & EXCLUDED) != 0) return;

            int n;
            if (outermost == null) {
                n = descend(path(p), leaf.rootFirst);
            } else {
                n = path(trie.parent(trimFrom));
                if (outermost.entryPoint >= 0) n = tree.child(n, outermost.entryPoint);
            }
            tree.addSelf(n, baseline ? 0 : value, baseline ? value : 0);
        }

        /** The call-tree node of the path down to trie node t, made on first use. */
        private int path(int t) {
            int k = 0;
            int u = t;
            while (node[u] < 0) {
                if (k == chain.length) chain = Arrays.copyOf(chain, k * 2);
                chain[k++] = u;
                u = trie.parent(u);
            }
            int n = node[u];
            while (k > 0) {
                u = chain[--k];
                n = descend(n, caller[u].rootFirst);
                node[u] = n;
            }
            return n;
        }

        private Site site(AddressMap<Site> cache, long address, boolean returnAddress) {
            Site s = cache.get(address);
            if (s == null) {
                s = StackFolder.this.site(symbols.locate(address, returnAddress));
                cache.put(address, s);
            }
            return s;
        }
    }

    private int descend(int from, int[] rootFirst) {
        int n = from;
        for (int f : rootFirst) n = tree.child(n, f);
        return n;
    }

    private Site site(Location loc) {
        var lines = loc.lines();
        int[] rootFirst = new int[lines.size()];
        int f = 0;
        for (int i = 0; i < rootFirst.length; i++) {
            Frame frame = Classifier.frame(lines.get(lines.size() - 1 - i));
            rootFirst[i] = tree.frameId(frame);
            f |= flags(frame);
        }
        boolean allocator = AllocatorFrames.isAllocator(loc);
        String entry = allocator ? AllocatorFrames.entryPoint(loc) : null;
        Frame entryFrame = entry == null ? null : new Frame(entry, FrameKind.NATIVE);
        return new Site(rootFirst, allocator, entryFrame == null ? -1 : tree.frameId(entryFrame), f, entryFrame == null ? 0 : flags(entryFrame));
    }

    private int flags(Frame f) {
        return (include != null && include.matcher(f.name()).find() ? INCLUDED : 0)
                | (exclude != null && exclude.matcher(f.name()).find() ? EXCLUDED : 0);
    }

}
