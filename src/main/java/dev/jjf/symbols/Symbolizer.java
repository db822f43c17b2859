package dev.jjf.symbols;

import dev.jjf.BadInputException;
import dev.jjf.profile.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Names addresses: ELF symbol tables (with separate debug files) for file-backed mappings, the
 * perf map for JIT code. Opens each ELF file once and keeps it for every process symbolized.
 */
public final class Symbolizer {
    /** Page sizes of the kernels profiles come from (x86-64 and arm64 4 KiB, arm64 16 and 64 KiB). */
    private static final long[] PAGE_SIZES = {0x1000, 0x4000, 0x10000};
    private final SymbolizerOptions options;
    private final Consumer<String> warnings;
    private final DebugFileLocator debugFiles;
    private final SymbolCache cache;
    private final Map<String, Optional<ElfSymbols>> elfByPath = new HashMap<>();
    /** Verdicts of {@link #sameBuild}; keyed by the mapping itself, asked once per distinct address. */
    private final Map<Mapping, Boolean> layoutMatches = new IdentityHashMap<>();
    private final Set<String> warned = new HashSet<>();
    /** A function is reached through many call sites; each mangled name is demangled once. */
    private final Map<String, String> demangled = new HashMap<>();

    public Symbolizer(SymbolizerOptions options, Consumer<String> warnings) {
        this.options = options;
        this.warnings = warnings;
        this.debugFiles = new DebugFileLocator(options.debugRoots());
        this.cache = options.symbolCache() == null ? SymbolCache.none() : SymbolCache.in(options.symbolCache());
    }

    /** Symbols of one process: its memory map at dump time and its perf map. */
    public ProcessSymbols forProcess(List<Mapping> mappings, PerfMap perfMap) {
        return forProcess(mappings, perfMap, Map.of());
    }

    /**
     * Symbols of one process whose files' build ids were recorded while it ran: a file is used only
     * when its build id is the recorded one, and a missing file is looked up by that id.
     */
    public ProcessSymbols forProcess(List<Mapping> mappings, PerfMap perfMap, Map<String, String> buildIds) {
        return new ProcessSymbols(this, mappings, perfMap, buildIds);
    }

    /** An ELF file's symbols and where its code sits. */
    record ElfSymbols(ElfFile elf, SymbolTable table) {
    }

    Optional<ElfSymbols> elf(Mapping mapping, String buildId) {
        return elfByPath.computeIfAbsent(buildId == null ? mapping.path() : mapping.path() + "\0" + buildId,
                p -> openElf(mapping, buildId));
    }

    /**
     * Whether {@code elf} can be the file the profiled process had mapped at {@code mapping}. The
     * profile records no build-id, but it records where an executable mapping starts in the file
     * and how long it is, and the loader maps a PT_LOAD segment exactly, rounded out to pages. A
     * different build of the library (say, upgraded since the profile was taken) lays its code out
     * differently, and its symbols would name the wrong functions; its frames then stay unnamed.
     */
    boolean sameBuild(Mapping mapping, ElfFile elf, String buildId) {
        // A recorded build id settles it exactly; openElf only returns a file that has it.
        if (buildId != null && elf.buildId().isPresent()) return buildId.equals(elf.buildId().get());
        if (!mapping.isExecutable()) return true;
        Boolean known = layoutMatches.get(mapping);
        if (known != null) return known;
        boolean same = canMap(elf.loadSegments(), mapping.offset(), mapping.end() - mapping.start());
        layoutMatches.put(mapping, same);
        if (!same) {
            warnOnce("build\0" + mapping.path(), elf.path() + " is not the build the profile saw (its code is laid out"
                    + " differently from the mapping at offset 0x" + Long.toHexString(mapping.offset())
                    + "); its frames stay unnamed");
        }
        return same;
    }

    /** Whether an executable segment, mapped with some common page size, gives exactly this mapping. */
    static boolean canMap(List<LoadSegment> segments, long offset, long length) {
        for (LoadSegment s : segments) {
            if (!s.isExecutable()) continue;
            for (long page : PAGE_SIZES) {
                long mapped = ((s.vaddr() + s.fileSize() + page - 1) & -page) - (s.vaddr() & -page);
                if ((s.fileOffset() & -page) == offset && mapped == length) return true;
            }
        }
        return false;
    }

    private Optional<ElfSymbols> openElf(Mapping mapping, String buildId) {
        List<Path> candidates = candidates(mapping);
        if (buildId != null) debugFiles.findByBuildId(buildId, options.symfs()).ifPresent(candidates::add);
        boolean mismatched = false;
        for (Path candidate : candidates) {
            if (!Files.isRegularFile(candidate)) continue;
            try {
                ElfFile elf = ElfFile.open(candidate);
                if (buildId != null && elf.buildId().isPresent() && !buildId.equals(elf.buildId().get())) {
                    warnOnce("build\0" + candidate, candidate + " is not the build the profile saw (build id "
                            + elf.buildId().get() + ", the process loaded " + buildId + "); not used");
                    mismatched = true;
                    continue;
                }
                SymbolTable table = cache.symbolsOf(elf);
                if (!elf.hasSymtab()) {
                    Optional<Path> debug = debugFiles.find(elf);
                    if (debug.isPresent()) {
                        SymbolTable fromDebug = cache.symbolsOf(ElfFile.open(debug.get()));
                        if (fromDebug.size() > 0) table = fromDebug;
                    }
                }
                return Optional.of(new ElfSymbols(elf, table));
            } catch (BadInputException | IOException e) {
                warnOnce(candidate.toString(), "cannot read symbols of " + candidate + ": " + message(e));
            }
        }
        if (mismatched) {
            warnOnce(mapping.path(), "no file with build id " + buildId + " for " + mapping.filePath() + " (also looked under"
                    + " the debug directories' .build-id/); its frames stay unnamed");
        } else if (mapping.isDeleted()) {
            warnOnce(mapping.path(), mapping.filePath() + " was deleted while mapped and no copy was kept;"
                    + " its frames stay unnamed");
        } else {
            warnOnce(mapping.path(), "cannot find " + mapping.filePath() + (options.symfs() == null ? "" : " (also looked under --symfs " + options.symfs() + ")"));
        }
        return Optional.empty();
    }

    /** Where a mapped file may be found: --symfs first, kept copies of deleted files, then the path itself. */
    private List<Path> candidates(Mapping mapping) {
        List<Path> out = new ArrayList<>();
        String path = mapping.filePath();
        String relative = path.startsWith("/") ? path.substring(1) : path;
        if (options.symfs() != null) out.add(options.symfs().resolve(relative));
        if (mapping.isDeleted()) {
            // The process unlinked it (a JNI library extracted to a temp file): only a kept copy helps.
            for (Path dir : options.libraryDirs()) out.add(dir.resolve(mapping.fileName()));
        } else {
            out.add(Path.of(path));
        }
        return out;
    }

    private static String message(Exception e) {
        return e instanceof BadInputException b ? b.getMessage() : String.valueOf(e.getMessage());
    }

    String demangle(String mangled) {
        String d = demangled.get(mangled);
        if (d == null) {
            d = Demangler.demangle(mangled);
            demangled.put(mangled, d);
        }
        return d;
    }

    void warnOnce(String key, String message) {
        if (warned.add(key)) warnings.accept(message);
    }
}
