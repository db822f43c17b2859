package dev.jjf.symbols;

import dev.jjf.BadInputException;
import dev.jjf.profile.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
    private final SymbolizerOptions options;
    private final Consumer<String> warnings;
    private final DebugFileLocator debugFiles;
    private final Map<String, Optional<ElfSymbols>> elfByPath = new HashMap<>();
    private final Set<String> warned = new HashSet<>();
    /** A function is reached through many call sites; each mangled name is demangled once. */
    private final Map<String, String> demangled = new HashMap<>();

    public Symbolizer(SymbolizerOptions options, Consumer<String> warnings) {
        this.options = options;
        this.warnings = warnings;
        this.debugFiles = new DebugFileLocator(options.debugRoots());
    }

    /** Symbols of one process: its memory map at dump time and its perf map. */
    public ProcessSymbols forProcess(List<Mapping> mappings, PerfMap perfMap) {
        return new ProcessSymbols(this, mappings, perfMap);
    }

    /** An ELF file's symbols and where its code sits. */
    record ElfSymbols(ElfFile elf, SymbolTable table) {
    }

    Optional<ElfSymbols> elf(Mapping mapping) {
        return elfByPath.computeIfAbsent(mapping.path(), p -> openElf(mapping));
    }

    private Optional<ElfSymbols> openElf(Mapping mapping) {
        for (Path candidate : candidates(mapping)) {
            if (!Files.isRegularFile(candidate)) continue;
            try {
                ElfFile elf = ElfFile.open(candidate);
                SymbolTable table = elf.symbols();
                if (!elf.hasSymtab()) {
                    Optional<Path> debug = debugFiles.find(elf);
                    if (debug.isPresent()) {
                        SymbolTable fromDebug = ElfFile.open(debug.get()).symbols();
                        if (fromDebug.size() > 0) table = fromDebug;
                    }
                }
                return Optional.of(new ElfSymbols(elf, table));
            } catch (BadInputException | IOException e) {
                warnOnce(candidate.toString(), "cannot read symbols of " + candidate + ": " + message(e));
            }
        }
        if (mapping.isDeleted()) {
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
