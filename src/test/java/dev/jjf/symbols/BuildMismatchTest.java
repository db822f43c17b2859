package dev.jjf.symbols;

import static dev.jjf.symbols.ElfTestTools.requireTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.profile.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A library replaced by another build since the profile was taken: its symbols would name the
 * wrong functions, so its frames must stay unnamed, with one warning.
 */
class BuildMismatchTest {
    private static final long BASE = 0x7f0000000000L;
    /** Enough code to move everything after it by more than a page. */
    private static final String PADDING = "int padding(int x) { " + "x = x * 7 + 3; ".repeat(800) + "return x; }\n";

    @TempDir
    Path dir;

    /** The executable mapping the loader makes for this file, as /proc/PID/maps lists it. */
    private static Mapping textMapping(Path file, String path) throws IOException {
        LoadSegment text = ElfFile.open(file).loadSegments().stream().filter(LoadSegment::isExecutable)
                .findFirst().orElseThrow();
        long start = text.vaddr() & -0x1000L;
        long end = (text.vaddr() + text.fileSize() + 0xfff) & -0x1000L;
        return new Mapping(BASE + start, BASE + end, text.fileOffset() & -0x1000L, "r-xp", path);
    }

    private static long addressOf(Path file, String function) {
        return ElfTestTools.nm(file, false).get(function).address();
    }

    @Test
    void aDifferentBuildIsNotUsedAndSaysSoOnce() throws IOException {
        requireTools("gcc", "nm");
        Path v1 = ElfTestTools.compile(dir, "gcc", "v1.c", ElfTestTools.C_LIBRARY, "libv1.so", "-shared", "-fPIC", "-O0");
        Path v2 = ElfTestTools.compile(dir, "gcc", "v2.c", PADDING + ElfTestTools.C_LIBRARY, "libv2.so",
                "-shared", "-fPIC", "-O0");
        Path installed = dir.resolve("libx.so");
        Files.copy(v1, installed);
        Mapping mapping = textMapping(v1, installed.toString());
        long beta = BASE + addressOf(v1, "beta") + 1;

        List<String> warnings = new ArrayList<>();
        Symbolizer same = new Symbolizer(new SymbolizerOptions(null, List.of(), List.of(), null), warnings::add);
        assertEquals("beta", name(same.forProcess(List.of(mapping), PerfMap.empty()), beta));
        assertEquals(List.of(), warnings);

        // The package is upgraded after the profile was taken.
        Files.copy(v2, installed, StandardCopyOption.REPLACE_EXISTING);
        Symbolizer upgraded = new Symbolizer(new SymbolizerOptions(null, List.of(), List.of(), null), warnings::add);
        ProcessSymbols symbols = upgraded.forProcess(List.of(mapping), PerfMap.empty());
        String name = name(symbols, beta);
        assertTrue(name.startsWith("[unknown] libx.so+0x"), name);
        name(symbols, beta + 0x10);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith(installed + " is not the build the profile saw"), warnings.get(0));
    }

    @Test
    void everyLibraryThisJvmHasMappedMatchesItsOwnLayout() throws IOException {
        int checked = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 6 || f[1].charAt(2) != 'x' || !f[5].startsWith("/") || f[5].endsWith("(deleted)")) continue;
            String[] range = f[0].split("-");
            long length = Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            long offset = Long.parseUnsignedLong(f[2], 16);
            ElfFile elf;
            try {
                elf = ElfFile.open(Path.of(f[5]));
            } catch (dev.jjf.BadInputException e) {
                continue; // mapped executable but not ELF: nothing to compare
            }
            assertTrue(Symbolizer.canMap(elf.loadSegments(), offset, length), line);
            checked++;
        }
        assertTrue(checked >= 3, "libjvm, libc and java itself at least: " + checked);
    }

    @Test
    void pageSizesOfOtherKernelsAreAccepted() {
        // An arm64 library linked for 64 KiB pages: text at file offset 0x10000 + 0x234.
        List<LoadSegment> segments = List.of(new LoadSegment(0x10234, 0x10234, 0x2000, 0x2000, LoadSegment.READ | LoadSegment.EXECUTE));
        assertTrue(Symbolizer.canMap(segments, 0x10000, 0x3000), "4 KiB pages");
        assertTrue(Symbolizer.canMap(segments, 0x10000, 0x4000), "16 KiB pages");
        assertTrue(Symbolizer.canMap(segments, 0x10000, 0x10000), "64 KiB pages");
        assertFalse(Symbolizer.canMap(segments, 0x10000, 0x5000), "a longer mapping is another file");
        assertFalse(Symbolizer.canMap(segments, 0x11000, 0x2000), "so is one that starts elsewhere");
    }

    private static String name(ProcessSymbols symbols, long address) {
        return symbols.locate(address, true).lines().get(0).function();
    }
}
