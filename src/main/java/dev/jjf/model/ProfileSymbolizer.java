package dev.jjf.model;

import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.Mapping;
import dev.jjf.profile.Metric;
import dev.jjf.profile.ProfileStream;
import dev.jjf.profile.StackSample;
import dev.jjf.symbols.Line;
import dev.jjf.symbols.Location;
import dev.jjf.symbols.ProcessSymbols;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Profile} from jemalloc heap profiles: each process's stacks are merged by raw
 * address first ({@link AddressTrie}, one hash probe per frame), then each distinct address is
 * named once by that process's symbols and classified. Values are unsampled as jeprof does.
 */
public final class ProfileSymbolizer {
    /** The JVM's own library: its C++ is "JVM code", every other library is "C code". */
    private static final String JVM_LIBRARY = "libjvm.so";
    /** Past this a guess only costs memory: the trie grows when it needs to. */
    private static final int MAX_EXPECTED_NODES = 1 << 24;

    private final Metric[] metrics;
    private final Profile profile;

    /** @param metrics the sample types to keep, in order; the first is the profile's default */
    public ProfileSymbolizer(List<Metric> metrics) {
        this.metrics = metrics.toArray(new Metric[0]);
        List<SampleType> types = new ArrayList<>(metrics.size());
        for (Metric m : metrics) types.add(sampleType(m));
        this.profile = new Profile(types);
    }

    /** pprof's name of a metric. */
    public static SampleType sampleType(Metric metric) {
        return switch (metric) {
            case INUSE_SPACE -> SampleType.INUSE_SPACE;
            case INUSE_OBJECTS -> SampleType.INUSE_OBJECTS;
            case ALLOC_SPACE -> SampleType.ALLOC_SPACE;
            case ALLOC_OBJECTS -> SampleType.ALLOC_OBJECTS;
        };
    }

    public Profile profile() {
        return profile;
    }

    /** Adds every stack of a parsed profile, named by that process's symbols. */
    public void add(HeapProfile heap, ProcessSymbols symbols, boolean base) {
        Process p = new Process(symbols, heap.samplePeriodBytes(), base, expectedNodes(heap));
        for (StackSample sample : heap.samples()) p.add(sample);
        p.finish();
    }

    /**
     * Adds every stack of a profile as it is parsed.
     *
     * @return the number of stacks read
     */
    public long add(ProfileStream stream, ProcessSymbols symbols, boolean base) throws IOException {
        Process p = null;
        for (List<StackSample> batch; (batch = stream.next()) != null; ) {
            if (p == null) p = new Process(symbols, stream.samplePeriodBytes(), base, expectedNodes(stream));
            for (StackSample sample : batch) p.add(sample);
        }
        if (p != null) p.finish();
        return stream.stacks();
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

    /** One process: its trie, then its names. */
    private final class Process {
        private final ProcessSymbols symbols;
        private final long period;
        private final boolean base;
        private final AddressTrie trie;
        private final double[] values = new double[metrics.length];
        // The leaf is looked up as is and callers as return addresses, hence two maps.
        private final AddressMap<Integer> leaves = new AddressMap<>();
        private final AddressMap<Integer> callers = new AddressMap<>();
        /** Profile mapping ids of this process's mappings; identity is enough, and records hash slowly at start-up. */
        private final Map<Mapping, Integer> mappingIds = new IdentityHashMap<>();

        Process(ProcessSymbols symbols, long period, boolean base, int expectedNodes) {
            this.symbols = symbols;
            this.period = period;
            this.base = base;
            this.trie = new AddressTrie(expectedNodes, metrics.length);
            if (profile.periodBytes() == 0) profile.setPeriodBytes(period);
            // pprof takes the first mapping for the program: the first file-backed code in a memory
            // map is the executable's (lowest, PIE or not).
            for (Mapping m : symbols.mappings()) {
                if (m.isExecutable() && !m.isAnonymous()) {
                    mapping(m);
                    break;
                }
            }
        }

        void add(StackSample sample) {
            if (metrics.length == 1) {
                double value = metrics[0].value(sample, period);
                if (value != 0) trie.add(sample.addresses(), value);
                return;
            }
            boolean any = false;
            for (int i = 0; i < metrics.length; i++) {
                values[i] = metrics[i].value(sample, period);
                any |= values[i] != 0;
            }
            if (any) trie.add(sample.addresses(), values);
        }

        /** Names every distinct address once, callers first in node order (so warnings come in that order). */
        void finish() {
            trie.freeIndex();
            int size = trie.size();
            boolean[] hasCallees = new boolean[size];
            for (int t = 1; t < size; t++) hasCallees[trie.parent(t)] = true;
            Stacks stacks = profile.addStacks(base, trie);
            for (int t = 1; t < size; t++) {
                long address = trie.address(t);
                if (hasCallees[t]) stacks.setLocation(t, location(callers, address, true));
                if (trie.hasValue(t)) stacks.setLeafLocation(t, location(leaves, address, false));
            }
            // Known only now: a file's own build id counts once its frames were named from it.
            for (Map.Entry<Mapping, Integer> e : mappingIds.entrySet()) {
                if (!e.getKey().isAnonymous()) profile.setMappingBuildId(e.getValue(), symbols.buildId(e.getKey()));
            }
        }

        private int location(AddressMap<Integer> cache, long address, boolean returnAddress) {
            Integer known = cache.get(address);
            if (known != null) return known;
            int id = add(symbols.locate(address, returnAddress));
            cache.put(address, id);
            return id;
        }

        private int add(Location loc) {
            int id = profile.addLocation(loc.address(), mapping(loc.mapping()));
            for (Line line : loc.lines()) {
                int f = profile.function(line.function(), line.systemName(), line.file(), 0);
                profile.addLine(f, line.lineNumber(), kind(line));
            }
            return id;
        }

        private int mapping(Mapping m) {
            if (m == null) return Profile.NONE;
            Integer id = mappingIds.get(m);
            if (id == null) {
                id = profile.addMapping(m.start(), m.end(), m.offset(), m.filePath(), "");
                mappingIds.put(m, id);
            }
            return id;
        }
    }

    /** A line's one kind. */
    static FrameKind kind(Line line) {
        return switch (line.source()) {
            case ELF -> JVM_LIBRARY.equals(line.library()) ? FrameKind.JVM : FrameKind.NATIVE;
            case JAVA -> FrameKind.JAVA;
            case JAVA_INLINED -> FrameKind.INLINED;
            case JVM_GENERATED -> FrameKind.GENERATED;
            case UNRESOLVED -> FrameKind.UNKNOWN;
        };
    }
}
