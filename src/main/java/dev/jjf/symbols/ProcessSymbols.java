package dev.jjf.symbols;

import dev.jjf.profile.Mapping;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Names the addresses of one process (the folder asks once per distinct address). Caller frames hold return
 * addresses, which point after the call: they are looked up at {@code address - 1}, as jeprof
 * does, so a call that ends a function or an inline range is attributed to the right one.
 */
public final class ProcessSymbols {
    private static final String UNKNOWN = "[unknown] ";

    private final Symbolizer symbolizer;
    private final Mapping[] mappings;
    private final PerfMap perfMap;
    /** Build ids jjf run recorded as the process loaded each file (see ProcessRecord), by path. */
    private final Map<String, String> buildIds;
    /** Build ids of the files that named this process's frames, by mapping (identity: records hash slowly). */
    private final Map<Mapping, String> usedBuildIds = new IdentityHashMap<>();

    ProcessSymbols(Symbolizer symbolizer, List<Mapping> mappings, PerfMap perfMap, Map<String, String> buildIds) {
        this.symbolizer = symbolizer;
        List<Mapping> sorted = new ArrayList<>(mappings);
        sorted.sort(Comparator.comparing(Mapping::start, Long::compareUnsigned));
        this.mappings = sorted.toArray(new Mapping[0]);
        this.perfMap = perfMap;
        this.buildIds = Map.copyOf(buildIds);
    }

    /** The process's memory map, by start address. */
    public List<Mapping> mappings() {
        return List.of(mappings);
    }

    /**
     * The GNU build id (lowercase hex) of the file the process had mapped at {@code m}, "" when unknown:
     * the one recorded while it ran, else that of the file on disk that named its frames (a file
     * counts only when it is the build the profile saw). A mapping none of whose frames was named
     * yet has none: its file is not opened just for this.
     */
    public String buildId(Mapping m) {
        String recorded = buildIds.get(m.filePath());
        if (recorded != null) return recorded;
        return usedBuildIds.getOrDefault(m, "");
    }

    /**
     * Names one frame.
     *
     * @param returnAddress true for every frame but the leaf
     */
    public Location locate(long address, boolean returnAddress) {
        // No cache here: the folder names each distinct address of a process once (StackFolder.Process).
        long pc = returnAddress ? address - 1 : address;
        Mapping m = mappingOf(pc);
        return new Location(address, lines(m, pc), m);
    }

    private List<Line> lines(Mapping m, long pc) {
        if (m != null && !m.isAnonymous()) return List.of(fromElf(m, pc));
        PerfMapEntry e = perfMap.lookup(pc);
        if (e != null) return fromPerfMap(e);
        return List.of(new Line(UNKNOWN + "0x" + Long.toHexString(pc), Line.Source.UNRESOLVED, ""));
    }

    private Line fromElf(Mapping m, long pc) {
        String library = m.fileName();
        long fileOffset = m.fileOffset(pc);
        String buildId = buildIds.get(m.filePath());
        Optional<Symbolizer.ElfSymbols> elf = symbolizer.elf(m, buildId);
        if (elf.isPresent() && symbolizer.sameBuild(m, elf.get().elf(), buildId)) {
            if (buildId == null && !usedBuildIds.containsKey(m)) elf.get().elf().buildId().ifPresent(id -> usedBuildIds.put(m, id));
            OptionalLong vaddr = elf.get().elf().fileOffsetToVaddr(fileOffset);
            if (vaddr.isPresent()) {
                String name = elf.get().table().lookup(vaddr.getAsLong());
                if (name != null) {
                    String demangled = symbolizer.demangle(name);
                    return new Line(demangled, Line.Source.ELF, library, demangled.equals(name) ? "" : name, "", 0);
                }
                return unresolved(library, vaddr.getAsLong());
            }
        }
        return unresolved(library, fileOffset);
    }

    private static Line unresolved(String library, long offset) {
        return new Line(UNKNOWN + library + "+0x" + Long.toHexString(offset), Line.Source.UNRESOLVED, library);
    }

    /** An inline chain is written outermost first; lines are innermost first. Positions: SourcePositions. */
    private static List<Line> fromPerfMap(PerfMapEntry e) {
        SourcePositions positions = SourcePositions.of(e.name());
        List<String> chain = JavaNames.methodChain(positions.bareName());
        if (chain.isEmpty()) return List.of(new Line(e.name(), Line.Source.JVM_GENERATED, ""));
        List<Line> lines = new ArrayList<>(chain.size());
        for (int i = chain.size() - 1; i >= 0; i--) {
            Line.Source source = i == 0 ? Line.Source.JAVA : Line.Source.JAVA_INLINED;
            lines.add(new Line(chain.get(i), source, "", "", positions.file(i), positions.line(i)));
        }
        return List.copyOf(lines);
    }

    private Mapping mappingOf(long pc) {
        int lo = 0;
        int hi = mappings.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Mapping m = mappings[mid];
            if (Long.compareUnsigned(pc, m.start()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(pc, m.end()) >= 0) {
                lo = mid + 1;
            } else {
                return m;
            }
        }
        return null;
    }
}
