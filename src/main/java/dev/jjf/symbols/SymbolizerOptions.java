package dev.jjf.symbols;

import java.nio.file.Path;
import java.util.List;

/**
 * Where symbolization looks for files.
 *
 * @param symfs root under which mapped paths are looked up first (profiles from another host), or null
 * @param libraryDirs folders holding kept copies of libraries deleted while mapped
 * @param debugRoots roots of separate debug files, normally /usr/lib/debug
 * @param symbolCache folder of {@link SymbolCache} files, or null to read every symbol table from its ELF file
 */
public record SymbolizerOptions(Path symfs, List<Path> libraryDirs, List<Path> debugRoots, Path symbolCache) {
    /** The system debug directory. */
    public static final Path SYSTEM_DEBUG_ROOT = Path.of("/usr/lib/debug");

    public SymbolizerOptions {
        libraryDirs = List.copyOf(libraryDirs);
        debugRoots = List.copyOf(debugRoots);
    }

    /** No --symfs, no kept copies, the system debug directory, no symbol cache. */
    public static SymbolizerOptions defaults() {
        return new SymbolizerOptions(null, List.of(), List.of(SYSTEM_DEBUG_ROOT), null);
    }
}
