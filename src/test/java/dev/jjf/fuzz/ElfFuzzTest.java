package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jjf.profile.Mapping;
import dev.jjf.symbols.DebugFileLocator;
import dev.jjf.symbols.ElfFile;
import dev.jjf.symbols.LoadSegment;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.ProcessSymbols;
import dev.jjf.symbols.SymbolTable;
import dev.jjf.symbols.Symbolizer;
import dev.jjf.symbols.SymbolizerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * An ELF file as bytes, used the way symbolization uses a library: headers, notes, debug link,
 * debug-file search, load segments, the symbol table and lookups, then whole frames through
 * {@link ProcessSymbols} for a mapping laid out as the file says and one that is not.
 */
class ElfFuzzTest {
    private static final Path INPUT = FuzzFiles.dir().resolve("fuzzed.so");
    private static final Path DEBUG_ROOT = FuzzFiles.dir().resolve("debug");
    private static final long PAGE = 0x1000;
    private static final long BASE = 0x7f0000000000L;

    @FuzzTest
    void open(byte[] data) throws Exception {
        check(data);
    }

    static void check(byte[] data) throws Exception {
        Files.write(INPUT, data);
        Oracle.check(Targets.ELF, data, data.length, () -> useFully(INPUT));
    }

    static void useFully(Path file) throws Exception {
        ElfFile elf = ElfFile.open(file);
        elf.buildId();
        elf.debugLink();
        new DebugFileLocator(List.of(DEBUG_ROOT)).find(elf);
        SymbolTable table = elf.symbols();
        List<Long> probes = new ArrayList<>(List.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE));
        for (LoadSegment s : elf.loadSegments()) {
            probes.add(s.fileOffset());
            probes.add(s.fileOffset() + s.fileSize() - 1);
            probes.add(s.fileOffset() + s.fileSize());
        }
        for (long offset : probes) {
            OptionalLong vaddr = elf.fileOffsetToVaddr(offset);
            if (vaddr.isPresent()) table.lookup(vaddr.getAsLong());
            table.lookup(offset);
        }
        symbolizeFrames(file, elf);
    }

    /** Names addresses in a mapping of the first executable segment, as a profile would list it. */
    private static void symbolizeFrames(Path file, ElfFile elf) {
        LoadSegment text = elf.loadSegments().stream().filter(LoadSegment::isExecutable).findFirst().orElse(null);
        if (text == null || text.fileSize() <= 0 || text.fileSize() > (1L << 40)) return;
        long offset = text.fileOffset() & -PAGE;
        long length = ((text.vaddr() + text.fileSize() + PAGE - 1) & -PAGE) - (text.vaddr() & -PAGE);
        if (length <= 0 || length > (1L << 40)) return;
        List<Mapping> mappings = List.of(
                new Mapping(BASE, BASE + length, offset, "r-xp", file.toString()),
                // Same file, a layout it does not have: a different build in the eyes of the profile.
                new Mapping(BASE + (1L << 41), BASE + (1L << 41) + length + PAGE, offset, "r-xp",
                        file.toString()));
        List<String> warnings = new ArrayList<>();
        ProcessSymbols symbols = new Symbolizer(new SymbolizerOptions(null, List.of(), List.of(), null), warnings::add)
                .forProcess(mappings, PerfMap.empty());
        for (Mapping m : mappings) {
            for (long step = 0; step < 64; step++) {
                long address = m.start() + step * Math.max(1, (m.end() - m.start()) / 64);
                assertTrue(symbols.locate(address, step > 0).lines().size() > 0, "a frame without a name");
            }
        }
        for (String w : warnings) assertEquals(-1, w.indexOf('\n'), "warning over several lines: " + w);
    }
}
