package dev.jjf.stacks;

import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.Metric;
import dev.jjf.profile.StackSample;
import dev.jjf.symbols.Line;
import dev.jjf.symbols.Location;
import dev.jjf.symbols.ProcessSymbols;
import java.util.ArrayList;
import java.util.IdentityHashMap;
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

    /** Adds every stack of one profile, named by that process's symbols. */
    public void add(HeapProfile profile, ProcessSymbols symbols) {
        fold(profile, symbols, false);
    }

    /** Adds a profile to the baseline of a differential graph. */
    public void addBaseline(HeapProfile profile, ProcessSymbols symbols) {
        fold(profile, symbols, true);
    }

    private void fold(HeapProfile profile, ProcessSymbols symbols, boolean baseline) {
        Map<Location, Frame[]> framesOf = new IdentityHashMap<>(); // locations are interned per process
        List<Frame> path = new ArrayList<>(64);
        for (StackSample sample : profile.samples()) {
            double value = metric.value(sample, profile.samplePeriodBytes());
            if (value == 0) continue;
            long[] addresses = sample.addresses();
            Location[] locations = new Location[addresses.length];
            for (int i = 0; i < addresses.length; i++) locations[i] = symbols.locate(addresses[i], i > 0);

            int first = 0;
            while (first < locations.length - 1 && AllocatorFrames.isAllocator(locations[first])) first++;
            String entry = first > 0 ? AllocatorFrames.entryPoint(locations[first - 1]) : null;

            path.clear();
            for (int i = locations.length - 1; i >= first; i--) {
                for (Frame f : framesOf.computeIfAbsent(locations[i], StackFolder::rootFirstFrames)) path.add(f);
            }
            if (entry != null) path.add(new Frame(entry, FrameKind.NATIVE));
            if (!matches(path)) continue;
            if (baseline) {
                tree.addBaseline(path, value);
            } else {
                tree.add(path, value);
            }
        }
    }

    private static Frame[] rootFirstFrames(Location loc) {
        List<Line> lines = loc.lines();
        Frame[] frames = new Frame[lines.size()];
        for (int i = 0; i < frames.length; i++) frames[i] = Classifier.frame(lines.get(lines.size() - 1 - i));
        return frames;
    }

    private boolean matches(List<Frame> path) {
        if (include != null && path.stream().noneMatch(f -> include.matcher(f.name()).find())) return false;
        return exclude == null || path.stream().noneMatch(f -> exclude.matcher(f.name()).find());
    }
}
