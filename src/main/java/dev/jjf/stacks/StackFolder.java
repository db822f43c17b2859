package dev.jjf.stacks;

import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.Metric;
import dev.jjf.profile.ProfileStream;
import dev.jjf.profile.StackSample;
import dev.jjf.symbols.Line;
import dev.jjf.symbols.Location;
import dev.jjf.symbols.ProcessSymbols;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    /** One instance per distinct frame, so the tree finds callees by identity. */
    private final Map<Frame, Frame> frames = new HashMap<>();
    private Frame[] path = new Frame[256];

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
        final Frame[] rootFirst;
        final boolean allocator;
        /** For an allocator frame: the entry point a program called, or null. */
        final String entryPoint;

        Site(Frame[] rootFirst, boolean allocator, String entryPoint) {
            this.rootFirst = rootFirst;
            this.allocator = allocator;
            this.entryPoint = entryPoint;
        }
    }

    /** Adds every stack of one profile, named by that process's symbols. */
    public void add(HeapProfile profile, ProcessSymbols symbols) {
        Process p = new Process(symbols, profile.samplePeriodBytes(), false);
        for (StackSample sample : profile.samples()) p.add(sample);
    }

    /** Adds a profile to the baseline of a differential graph. */
    public void addBaseline(HeapProfile profile, ProcessSymbols symbols) {
        Process p = new Process(symbols, profile.samplePeriodBytes(), true);
        for (StackSample sample : profile.samples()) p.add(sample);
    }

    /**
     * Adds every stack of a profile as it is parsed, named by that process's symbols.
     *
     * @return the number of stacks read
     */
    public long add(ProfileStream profile, ProcessSymbols symbols) throws IOException {
        Process p = null;
        for (List<StackSample> batch; (batch = profile.next()) != null; ) {
            if (p == null) p = new Process(symbols, profile.samplePeriodBytes(), false);
            for (StackSample sample : batch) p.add(sample);
        }
        return profile.stacks();
    }

    /** Folding state of one process: what each of its addresses contributes. */
    private final class Process {
        private final ProcessSymbols symbols;
        private final long period;
        private final boolean baseline;
        // Profiles repeat the same few thousand addresses in every stack; the leaf is looked up
        // as is and callers as return addresses, hence two maps.
        private final AddressMap<Site> leaves = new AddressMap<>();
        private final AddressMap<Site> callers = new AddressMap<>();
        private Site[] sites = new Site[128];

        Process(ProcessSymbols symbols, long period, boolean baseline) {
            this.symbols = symbols;
            this.period = period;
            this.baseline = baseline;
        }

        void add(StackSample sample) {
            double value = metric.value(sample, period);
            if (value == 0) return;
            long[] addresses = sample.addresses();
            if (sites.length < addresses.length) sites = new Site[addresses.length];
            for (int i = 0; i < addresses.length; i++) {
                AddressMap<Site> cache = i == 0 ? leaves : callers;
                Site s = cache.get(addresses[i]);
                if (s == null) {
                    s = site(symbols.locate(addresses[i], i > 0));
                    cache.put(addresses[i], s);
                }
                sites[i] = s;
            }

            int first = 0;
            while (first < addresses.length - 1 && sites[first].allocator) first++;
            String entry = first > 0 ? sites[first - 1].entryPoint : null;

            int n = 0;
            for (int i = addresses.length - 1; i >= first; i--) {
                Frame[] fs = sites[i].rootFirst;
                if (n + fs.length + 1 > path.length) path = Arrays.copyOf(path, Math.max(path.length * 2, n + fs.length + 1));
                System.arraycopy(fs, 0, path, n, fs.length);
                n += fs.length;
            }
            if (entry != null) path[n++] = intern(new Frame(entry, FrameKind.NATIVE));
            if (!matches(path, n)) return;
            if (baseline) {
                tree.addBaseline(Arrays.asList(path).subList(0, n), value);
            } else {
                tree.addInterned(path, n, value);
            }
        }
    }

    private Site site(Location loc) {
        var lines = loc.lines();
        Frame[] rootFirst = new Frame[lines.size()];
        for (int i = 0; i < rootFirst.length; i++) rootFirst[i] = intern(Classifier.frame(lines.get(lines.size() - 1 - i)));
        boolean allocator = AllocatorFrames.isAllocator(loc);
        return new Site(rootFirst, allocator, allocator ? AllocatorFrames.entryPoint(loc) : null);
    }

    private Frame intern(Frame f) {
        Frame known = frames.putIfAbsent(f, f);
        return known != null ? known : f;
    }

    private boolean matches(Frame[] path, int n) {
        if (include != null && !any(include, path, n)) return false;
        return exclude == null || !any(exclude, path, n);
    }

    private static boolean any(Pattern p, Frame[] path, int n) {
        for (int i = 0; i < n; i++) {
            if (p.matcher(path[i].name()).find()) return true;
        }
        return false;
    }
}
