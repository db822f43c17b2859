package dev.jjf.stacks;

import dev.jjf.model.FrameKind;
import dev.jjf.model.Profile;
import dev.jjf.model.ProfileSymbolizer;
import dev.jjf.model.Stacks;
import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.Metric;
import dev.jjf.profile.ProfileStream;
import dev.jjf.symbols.ProcessSymbols;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a symbolized {@link Profile} into a call tree: trims the allocator's own frames, applies
 * include/exclude filters, and adds the values of one sample type. Several profiles added to one
 * folder are summed. Names come from the profile; nothing here symbolizes.
 */
public final class StackFolder {
    private final Metric metric;
    private final Pattern include;
    private final Pattern exclude;
    private final boolean byLine;
    private final CallTree tree;

    /**
     * @param include keep only stacks with a frame matching this (null: all)
     * @param exclude drop stacks with a frame matching this (null: none)
     */
    public StackFolder(Metric metric, Pattern include, Pattern exclude) {
        this(metric, include, exclude, false);
    }

    /**
     * @param byLine one frame per source line ({@code --lines}): a frame whose line is known is
     *     named {@code function:LINE}; otherwise one frame per function
     */
    public StackFolder(Metric metric, Pattern include, Pattern exclude, boolean byLine) {
        this.metric = metric;
        this.include = include;
        this.exclude = exclude;
        this.byLine = byLine;
        this.tree = new CallTree(metric.unit());
    }

    /**
     * A folder for profiles that are not jemalloc's (heap dumps): values are taken by sample type
     * index with {@link #add(Profile, int)}.
     *
     * @param unit what the tree's values count, "bytes" or "objects"
     */
    public StackFolder(String unit, Pattern include, Pattern exclude) {
        this.metric = null;
        this.include = include;
        this.exclude = exclude;
        this.byLine = false;
        this.tree = new CallTree(unit);
    }

    public CallTree tree() {
        return tree;
    }

    /** What one location contributes to a stack, worked out once per location. */
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
        ProfileSymbolizer s = new ProfileSymbolizer(List.of(metric));
        s.add(profile, symbols, false);
        add(s.profile());
    }

    /** Adds a profile to the baseline of a differential graph. */
    public void addBaseline(HeapProfile profile, ProcessSymbols symbols) {
        ProfileSymbolizer s = new ProfileSymbolizer(List.of(metric));
        s.add(profile, symbols, true);
        add(s.profile());
    }

    /**
     * Adds every stack of a profile as it is parsed, named by that process's symbols.
     *
     * @return the number of stacks read
     */
    public long add(ProfileStream profile, ProcessSymbols symbols) throws IOException {
        ProfileSymbolizer s = new ProfileSymbolizer(List.of(metric));
        long stacks = s.add(profile, symbols, false);
        add(s.profile());
        return stacks;
    }

    /**
     * Adds every sample of a symbolized profile: base stacks to the baseline of a differential
     * graph, the others to the graph. The profile must have this folder's metric as a sample type.
     */
    public void add(Profile profile) {
        if (metric == null) throw new IllegalStateException("no metric: use add(profile, sampleType)");
        int type = profile.sampleTypeIndex(ProfileSymbolizer.sampleType(metric).type());
        if (type == Profile.NONE) throw new IllegalArgumentException("the profile has no " + metric.id() + " values");
        add(profile, type);
    }

    /** Adds every sample of a symbolized profile, taking the values of one sample type (an index into its sample types). */
    public void add(Profile profile, int type) {
        Site[] sites = new Site[profile.locationCount()];
        for (Stacks stacks : profile.stacks()) {
            if (stacks.isBase()) tree.markDifferential();
            new Walk(profile, stacks, type, sites).fold();
        }
    }

    /**
     * Folding state of one set of stacks. Stacks are merged by path already ({@link Stacks}), so
     * the tree is walked once: each distinct prefix descends the call tree once.
     */
    private final class Walk {
        private final Profile profile;
        private final Stacks stacks;
        private final int type;
        private final boolean baseline;
        private final Site[] sites;

        // Walk state per stacks node, for nodes with callees (callers).
        private Site[] caller;
        /** Filter flags of every frame of the path down to the node. */
        private byte[] flags;
        /**
         * The outermost node of the run of allocator callers that ends at this node, never one
         * right below the root (the outermost frame is never trimmed); {@link Profile#NONE}
         * when the node is not an allocator frame.
         */
        private int[] runStart;
        /** The call-tree node of the path down to the node, made on first use; -1 before. */
        private int[] node;
        private int[] chain = new int[128];

        Walk(Profile profile, Stacks stacks, int type, Site[] sites) {
            this.profile = profile;
            this.stacks = stacks;
            this.type = type;
            this.baseline = stacks.isBase();
            this.sites = sites;
        }

        /** Walks the stacks in node order, callers first, and adds every stack that passes the filters to the tree. */
        void fold() {
            int size = stacks.size();
            // Every distinct prefix is at most one new call-tree path end; inlining adds a few more.
            tree.ensureRoomFor(size);
            boolean[] hasCallees = new boolean[size];
            for (int t = 1; t < size; t++) hasCallees[stacks.parent(t)] = true;
            caller = new Site[size];
            flags = new byte[size];
            runStart = new int[size];
            node = new int[size];
            Arrays.fill(node, -1);
            node[Stacks.ROOT] = CallTree.ROOT;
            runStart[Stacks.ROOT] = Profile.NONE;
            if (stacks.value(Stacks.ROOT, type) != 0) end(Stacks.ROOT);
            for (int t = 1; t < size; t++) {
                if (hasCallees[t]) {
                    Site s = site(stacks.location(t));
                    int p = stacks.parent(t);
                    caller[t] = s;
                    flags[t] = (byte) (flags[p] | s.flags);
                    runStart[t] = !s.allocator ? Profile.NONE : p != Stacks.ROOT && stacks.parent(p) != Stacks.ROOT && runStart[p] != Profile.NONE ? runStart[p] : t;
                }
                if (stacks.value(t, type) != 0) end(t);
            }
        }

        /** A stack ends at node t: trims the allocator's frames off its end and adds it. */
        private void end(int t) {
            double value = stacks.value(t, type);
            if (t == Stacks.ROOT) {
                // An empty stack has no frame for --include to match.
                if (include == null) tree.addSelf(node[t], baseline ? 0 : value, baseline ? value : 0);
                return;
            }
            Site leaf = site(stacks.leafLocation(t));
            int p = stacks.parent(t);
            // Allocator frames at the end of the stack are trimmed, but never the outermost frame;
            // the outermost trimmed one says which entry point the program called.
            int trimFrom = !leaf.allocator || p == Stacks.ROOT ? Profile.NONE
                    : stacks.parent(p) != Stacks.ROOT && runStart[p] != Profile.NONE ? runStart[p] : t;
            Site outermost = trimFrom == Profile.NONE ? null : trimFrom == t ? leaf : caller[trimFrom];
            int f = outermost == null ? flags[p] | leaf.flags : flags[stacks.parent(trimFrom)] | outermost.entryFlags;
            if (include != null && (f & INCLUDED) == 0) return;
            if (exclude != null && (f & EXCLUDED) != 0) return;

            int n;
            if (outermost == null) {
                n = descend(path(p), leaf.rootFirst);
            } else {
                n = path(stacks.parent(trimFrom));
                if (outermost.entryPoint >= 0) n = tree.child(n, outermost.entryPoint);
            }
            tree.addSelf(n, baseline ? 0 : value, baseline ? value : 0);
        }

        /** The call-tree node of the path down to node t, made on first use. */
        private int path(int t) {
            int k = 0;
            int u = t;
            while (node[u] < 0) {
                if (k == chain.length) chain = Arrays.copyOf(chain, k * 2);
                chain[k++] = u;
                u = stacks.parent(u);
            }
            int n = node[u];
            while (k > 0) {
                u = chain[--k];
                n = descend(n, caller[u].rootFirst);
                node[u] = n;
            }
            return n;
        }

        private Site site(int location) {
            Site s = sites[location];
            if (s == null) {
                s = StackFolder.this.site(profile, location);
                sites[location] = s;
            }
            return s;
        }
    }

    /**
     * Which locations are jemalloc's own frames, which folding trims off the leaf end of every
     * stack (pprof output trims them the same way).
     */
    public static boolean[] allocatorLocations(Profile p) {
        boolean[] out = new boolean[p.locationCount()];
        for (int l = 0; l < out.length; l++) out[l] = AllocatorFrames.isAllocator(p, l);
        return out;
    }

    private int descend(int from, int[] rootFirst) {
        int n = from;
        for (int f : rootFirst) n = tree.child(n, f);
        return n;
    }

    private Site site(Profile p, int location) {
        int count = p.locationLineCount(location);
        int first = p.locationFirstLine(location);
        int[] rootFirst = new int[count];
        int f = 0;
        for (int i = 0; i < count; i++) {
            int line = first + count - 1 - i;
            Frame frame = frame(p, line);
            rootFirst[i] = tree.frameId(frame);
            f |= flags(frame);
        }
        boolean allocator = AllocatorFrames.isAllocator(p, location);
        String entry = allocator ? AllocatorFrames.entryPoint(p, location) : null;
        Frame entryFrame = entry == null ? null : new Frame(entry, FrameKind.NATIVE);
        return new Site(rootFirst, allocator, entryFrame == null ? -1 : tree.frameId(entryFrame), f, entryFrame == null ? 0 : flags(entryFrame));
    }

    /** Once per location, so the line costs the fold nothing per stack. */
    private Frame frame(Profile p, int line) {
        int function = p.lineFunction(line);
        String name = p.functionName(function);
        int number = byLine ? p.lineNumber(line) : 0;
        return new Frame(number > 0 ? name + LINE_SEPARATOR + number : name, p.lineKind(line), p.functionFile(function), number);
    }

    /** Between a function and its line with {@code --lines}, as async-profiler's converter writes them. */
    public static final String LINE_SEPARATOR = ":";

    private int flags(Frame f) {
        return (include != null && include.matcher(f.name()).find() ? INCLUDED : 0)
                | (exclude != null && exclude.matcher(f.name()).find() ? EXCLUDED : 0);
    }
}
