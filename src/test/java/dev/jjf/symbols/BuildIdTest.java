package dev.jjf.symbols;

import static dev.jjf.symbols.ElfTestTools.requireTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.profile.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build ids recorded while the process ran (jjf run's auditor) decide exactly which file is the
 * build the profile saw. Two gcc builds that differ in one constant have the same page-rounded
 * layout, so the layout check alone takes one for the other.
 */
class BuildIdTest {
    private static final long BASE = 0x7f0000000000L;

    @TempDir
    Path dir;

    private Path v1;
    private Path v2;
    private String id1;
    private Path installed;
    private Mapping mapping;
    private long beta;

    @BeforeEach
    void twoBuildsOfOneLibrary() throws IOException {
        requireTools("gcc", "nm", "readelf");
        v1 = ElfTestTools.compile(dir, "gcc", "v1.c", ElfTestTools.C_LIBRARY, "libv1.so", "-shared", "-fPIC", "-O0");
        v2 = ElfTestTools.compile(dir, "gcc", "v2.c", ElfTestTools.C_LIBRARY.replace("0x5a5a", "0x5a5b"), "libv2.so",
                "-shared", "-fPIC", "-O0");
        id1 = ElfTestTools.readelfBuildId(v1);
        assertNotEquals(id1, ElfTestTools.readelfBuildId(v2), "one constant apart: different builds");
        installed = dir.resolve("libx.so");
        Files.copy(v1, installed);
        LoadSegment text = ElfFile.open(v1).loadSegments().stream().filter(LoadSegment::isExecutable).findFirst().orElseThrow();
        long start = text.vaddr() & -0x1000L;
        long end = (text.vaddr() + text.fileSize() + 0xfff) & -0x1000L;
        mapping = new Mapping(BASE + start, BASE + end, text.fileOffset() & -0x1000L, "r-xp", installed.toString());
        beta = BASE + ElfTestTools.nm(v1, false).get("beta").address() + 1;
        assertTrue(Symbolizer.canMap(ElfFile.open(v2).loadSegments(), mapping.offset(), mapping.end() - mapping.start()),
                "the other build has the same page-rounded layout: the layout check cannot tell them apart");
    }

    @Test
    void theRecordedBuildIdRefusesAnotherBuildWithTheSameLayout() throws IOException {
        Files.copy(v2, installed, StandardCopyOption.REPLACE_EXISTING);
        List<String> warnings = new ArrayList<>();
        Symbolizer symbolizer = new Symbolizer(new SymbolizerOptions(null, List.of(), List.of(), null), warnings::add);
        String name = name(symbolizer.forProcess(List.of(mapping), PerfMap.empty(), Map.of(installed.toString(), id1)), beta);
        assertTrue(name.startsWith("[unknown] libx.so+0x"), name);
        assertTrue(warnings.get(0).startsWith(installed + " is not the build the profile saw (build id "), warnings.toString());
        assertTrue(warnings.get(0).contains("the process loaded " + id1), warnings.toString());
    }

    @Test
    void theRecordedBuildIsUsedWhenItIsThere() throws IOException {
        List<String> warnings = new ArrayList<>();
        Symbolizer symbolizer = new Symbolizer(new SymbolizerOptions(null, List.of(), List.of(), null), warnings::add);
        assertEquals("beta", name(symbolizer.forProcess(List.of(mapping), PerfMap.empty(), Map.of(installed.toString(), id1)), beta));
        assertEquals(List.of(), warnings);
    }

    @Test
    void aDebugFileWithTheRecordedIdStandsInForAnUpgradedLibrary() throws IOException {
        Files.copy(v2, installed, StandardCopyOption.REPLACE_EXISTING);
        Path debugRoot = dir.resolve("debug");
        Path debugFile = debugRoot.resolve(".build-id").resolve(id1.substring(0, 2)).resolve(id1.substring(2) + ".debug");
        Files.createDirectories(debugFile.getParent());
        Files.copy(v1, debugFile);
        Symbolizer symbolizer = new Symbolizer(new SymbolizerOptions(null, List.of(), List.of(debugRoot), null), w -> { });
        assertEquals("beta", name(symbolizer.forProcess(List.of(mapping), PerfMap.empty(), Map.of(installed.toString(), id1)), beta));
    }

    @Test
    void symfsHoldingAnotherBuildIsPassedOver() throws IOException {
        Path symfs = dir.resolve("symfs");
        Path underSymfs = symfs.resolve(installed.toString().substring(1));
        Files.createDirectories(underSymfs.getParent());
        Files.copy(v2, underSymfs);
        List<String> warnings = new ArrayList<>();
        Symbolizer symbolizer = new Symbolizer(new SymbolizerOptions(symfs, List.of(), List.of(), null), warnings::add);
        assertEquals("beta", name(symbolizer.forProcess(List.of(mapping), PerfMap.empty(), Map.of(installed.toString(), id1)), beta));
        assertTrue(warnings.get(0).startsWith(underSymfs + " is not the build the profile saw"), warnings.toString());
    }

    private static String name(ProcessSymbols symbols, long address) {
        return symbols.locate(address, true).lines().get(0).function();
    }
}
