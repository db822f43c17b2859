package dev.jjf.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A symbolized profile: every frame named once, between symbolization and folding.
 *
 * <h2>Shape</h2>
 * It has pprof's shape (profile.proto), so that pprof output is a plain walk over it:
 * <pre>
 * Profile ─ sample types (inuse_space/bytes, inuse_objects/count, alloc_space/bytes, alloc_objects/count)
 *        ─ Stacks (one per process or heap dump; some marked base for a diff)
 *              node: parent, location (as caller), leaf location (as sample end), one value per sample type
 *        ─ Location  id → address, mapping id, lines[] innermost first (several lines = inlined calls)
 *              Line → function id, line number, {@link FrameKind}
 *        ─ Function  id → name, system name, source file, start line (interned by the three strings)
 *        ─ Mapping   id → start, limit, file offset, file, build id
 *        ─ strings   interned ({@link StringTable}); comments (the source files)
 * </pre>
 * Ids are numbers from 0 ({@link #NONE} is "none"); pprof's ids are these plus 1.
 *
 * <h2>Why these arrays</h2>
 * A 200 MB heap profile has millions of frames but a few hundred thousand distinct addresses.
 * Samples are kept merged by path ({@link Stacks}: one node per distinct prefix, no per-sample
 * objects), every table is a set of primitive arrays, and each distinct address becomes one
 * location, named once by the symbolizer: folding ({@code stacks.StackFolder}) and every writer
 * read names from here and never symbolize again.
 *
 * <h2>Kinds</h2>
 * A frame's kind belongs to a line, not to a function: the same Java method can be compiled in
 * one location and inlined in another. The kind of a location's last line (outermost) is that of
 * the code at the address; the lines before it are inlined into it.
 *
 * <h2>Who fills it</h2>
 * {@link ProfileSymbolizer} for jemalloc heap profiles (merged by raw address, then named);
 * anything else (heap dumps) adds functions, locations with their lines, and samples through
 * {@link #function}, {@link #addLocation}, {@link #addLine} and {@link Stacks#add}. One producer
 * fills a profile, then it is only read.
 */
public final class Profile {
    /** No id. */
    public static final int NONE = -1;
    private static final int INITIAL = 256;

    private final List<SampleType> sampleTypes;
    private int defaultSampleType;
    private long periodBytes;
    private final StringTable strings = new StringTable();
    private final List<String> comments = new ArrayList<>();
    private final List<Stacks> stacks = new ArrayList<>();

    private final Map<FunctionKey, Integer> functionIds = new HashMap<>();
    private int functionCount;
    private int[] functionName = new int[INITIAL];
    private int[] functionSystemName = new int[INITIAL];
    private int[] functionFile = new int[INITIAL];
    private int[] functionStartLine = new int[INITIAL];

    private int mappingCount;
    private long[] mappingStart = new long[16];
    private long[] mappingLimit = new long[16];
    private long[] mappingOffset = new long[16];
    private int[] mappingFile = new int[16];
    private int[] mappingBuildId = new int[16];

    private int locationCount;
    private long[] locationAddress = new long[INITIAL];
    private int[] locationMapping = new int[INITIAL];
    /** Location l's lines are firstLine[l] up to firstLine[l + 1] (exclusive). */
    private int[] locationFirstLine = new int[INITIAL + 1];

    private int lineCount;
    private int[] lineFunction = new int[INITIAL];
    private int[] lineNumber = new int[INITIAL];
    private byte[] lineKind = new byte[INITIAL];

    private static final FrameKind[] KINDS = FrameKind.values();

    /** @param sampleTypes what each sample's values count, in order; the first is the default */
    public Profile(List<SampleType> sampleTypes) {
        if (sampleTypes.isEmpty()) throw new IllegalArgumentException("no sample type");
        this.sampleTypes = List.copyOf(sampleTypes);
    }

    public List<SampleType> sampleTypes() {
        return sampleTypes;
    }

    /** Index of a sample type by its type name ("inuse_space"), or {@link #NONE}. */
    public int sampleTypeIndex(String type) {
        for (int i = 0; i < sampleTypes.size(); i++) {
            if (sampleTypes.get(i).type().equals(type)) return i;
        }
        return NONE;
    }

    /** The sample type pprof shows when none is asked for. */
    public int defaultSampleType() {
        return defaultSampleType;
    }

    public void setDefaultSampleType(int index) {
        Objects.checkIndex(index, sampleTypes.size());
        defaultSampleType = index;
    }

    /** jemalloc's mean sampling interval in bytes (pprof's period of type space/bytes); 0 when not sampled. */
    public long periodBytes() {
        return periodBytes;
    }

    public void setPeriodBytes(long periodBytes) {
        this.periodBytes = periodBytes;
    }

    public StringTable strings() {
        return strings;
    }

    /** Free text for the reader: which files the profile was made from. */
    public List<String> comments() {
        return Collections.unmodifiableList(comments);
    }

    public void addComment(String comment) {
        comments.add(comment);
    }

    /** Every process's (or dump's) samples, in the order added. */
    public List<Stacks> stacks() {
        return Collections.unmodifiableList(stacks);
    }

    /** A new, empty set of samples with this profile's sample types. */
    public Stacks addStacks(boolean base) {
        Stacks s = new Stacks(sampleTypes.size(), base);
        stacks.add(s);
        return s;
    }

    /** Adopts a finished address trie's samples; its locations are filled in by the caller. */
    Stacks addStacks(boolean base, AddressTrie trie) {
        Stacks s = new Stacks(sampleTypes.size(), base, trie.size(), trie.parents(), trie.values());
        stacks.add(s);
        return s;
    }

    /** True when some stacks are a diff's baseline. */
    public boolean isDifferential() {
        for (Stacks s : stacks) {
            if (s.isBase()) return true;
        }
        return false;
    }

    // --- functions ---------------------------------------------------------------------------

    /**
     * The function with these names and file, made if new.
     *
     * @param systemName the name as the binary spells it (mangled), "" when it is {@code name}
     * @param file source file, "" when unknown
     */
    public int function(String name, String systemName, String file, int startLine) {
        int n = strings.intern(name);
        int s = strings.intern(systemName);
        int f = strings.intern(file);
        FunctionKey key = new FunctionKey(n, s, f);
        Integer known = functionIds.get(key);
        if (known != null) return known;
        if (functionCount == functionName.length) {
            int size = functionCount * 2;
            functionName = Arrays.copyOf(functionName, size);
            functionSystemName = Arrays.copyOf(functionSystemName, size);
            functionFile = Arrays.copyOf(functionFile, size);
            functionStartLine = Arrays.copyOf(functionStartLine, size);
        }
        int id = functionCount++;
        functionName[id] = n;
        functionSystemName[id] = s;
        functionFile[id] = f;
        functionStartLine[id] = startLine;
        functionIds.put(key, id);
        return id;
    }

    /** A class, not a record: a record's equals and hashCode are linked at first use, which costs start-up time. */
    private static final class FunctionKey {
        final int name;
        final int systemName;
        final int file;

        FunctionKey(int name, int systemName, int file) {
            this.name = name;
            this.systemName = systemName;
            this.file = file;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FunctionKey k && k.name == name && k.systemName == systemName && k.file == file;
        }

        @Override
        public int hashCode() {
            return (name * 31 + systemName) * 31 + file;
        }
    }

    public int functionCount() {
        return functionCount;
    }

    public String functionName(int function) {
        return strings.get(functionName[function]);
    }

    public int functionNameId(int function) {
        return functionName[function];
    }

    /** String id of the name as the binary spells it; 0 ("") when it is the name. */
    public int functionSystemNameId(int function) {
        return functionSystemName[function];
    }

    /** String id of the source file; 0 ("") when unknown. */
    public int functionFileId(int function) {
        return functionFile[function];
    }

    public String functionFile(int function) {
        return strings.get(functionFile[function]);
    }

    public int functionStartLine(int function) {
        return functionStartLine[function];
    }

    // --- mappings ----------------------------------------------------------------------------

    /**
     * Adds a memory mapping.
     *
     * @param file the mapped file's path, or a pseudo name ("[anon]"), "" for none
     * @param buildId the file's GNU build id in hex, "" when unknown
     */
    public int addMapping(long start, long limit, long fileOffset, String file, String buildId) {
        if (mappingCount == mappingStart.length) {
            int size = mappingCount * 2;
            mappingStart = Arrays.copyOf(mappingStart, size);
            mappingLimit = Arrays.copyOf(mappingLimit, size);
            mappingOffset = Arrays.copyOf(mappingOffset, size);
            mappingFile = Arrays.copyOf(mappingFile, size);
            mappingBuildId = Arrays.copyOf(mappingBuildId, size);
        }
        int id = mappingCount++;
        mappingStart[id] = start;
        mappingLimit[id] = limit;
        mappingOffset[id] = fileOffset;
        mappingFile[id] = strings.intern(file);
        mappingBuildId[id] = strings.intern(buildId);
        return id;
    }

    /** Sets a mapping's build id once its producer knows it (after naming the frames in it). */
    public void setMappingBuildId(int mapping, String buildId) {
        Objects.checkIndex(mapping, mappingCount);
        mappingBuildId[mapping] = strings.intern(buildId);
    }

    public int mappingCount() {
        return mappingCount;
    }

    public long mappingStart(int mapping) {
        return mappingStart[mapping];
    }

    /** Exclusive end address. */
    public long mappingLimit(int mapping) {
        return mappingLimit[mapping];
    }

    public long mappingOffset(int mapping) {
        return mappingOffset[mapping];
    }

    public int mappingFileId(int mapping) {
        return mappingFile[mapping];
    }

    public String mappingFile(int mapping) {
        return strings.get(mappingFile[mapping]);
    }

    public int mappingBuildIdId(int mapping) {
        return mappingBuildId[mapping];
    }

    // --- locations and lines -----------------------------------------------------------------

    /**
     * Adds a location; its lines follow with {@link #addLine}, innermost first, before the next
     * location is added.
     *
     * @param mapping the mapping the address lies in, or {@link #NONE}
     */
    public int addLocation(long address, int mapping) {
        if (locationCount + 1 == locationFirstLine.length) {
            int size = locationCount * 2 + 1;
            locationAddress = Arrays.copyOf(locationAddress, size);
            locationMapping = Arrays.copyOf(locationMapping, size);
            locationFirstLine = Arrays.copyOf(locationFirstLine, size + 1);
        }
        int id = locationCount++;
        locationAddress[id] = address;
        locationMapping[id] = mapping;
        locationFirstLine[id] = lineCount;
        locationFirstLine[id + 1] = lineCount;
        return id;
    }

    /** Adds a line to the location added last: the next one out from the lines added before. */
    public void addLine(int function, int line, FrameKind kind) {
        if (locationCount == 0) throw new IllegalStateException("a line needs a location");
        if (lineCount == lineFunction.length) {
            int size = lineCount * 2;
            lineFunction = Arrays.copyOf(lineFunction, size);
            lineNumber = Arrays.copyOf(lineNumber, size);
            lineKind = Arrays.copyOf(lineKind, size);
        }
        lineFunction[lineCount] = function;
        lineNumber[lineCount] = line;
        lineKind[lineCount] = (byte) kind.ordinal();
        lineCount++;
        locationFirstLine[locationCount] = lineCount;
    }

    public int locationCount() {
        return locationCount;
    }

    public long locationAddress(int location) {
        return locationAddress[location];
    }

    /** The location's mapping, or {@link #NONE}. */
    public int locationMapping(int location) {
        return locationMapping[location];
    }

    /** Index of the location's innermost line; its lines are consecutive. */
    public int locationFirstLine(int location) {
        return locationFirstLine[location];
    }

    /** Number of lines: 1, more when calls were inlined, 0 when nothing is known. */
    public int locationLineCount(int location) {
        return locationFirstLine[location + 1] - locationFirstLine[location];
    }

    public int lineFunction(int line) {
        return lineFunction[line];
    }

    /** Source line number, 0 when unknown. */
    public int lineNumber(int line) {
        return lineNumber[line];
    }

    public FrameKind lineKind(int line) {
        return KINDS[lineKind[line]];
    }
}
