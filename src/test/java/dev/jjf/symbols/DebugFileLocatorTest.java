package dev.jjf.symbols;

import static dev.jjf.symbols.ElfTestTools.cLibrary;
import static dev.jjf.symbols.ElfTestTools.compile;
import static dev.jjf.symbols.ElfTestTools.nmSymbol;
import static dev.jjf.symbols.ElfTestTools.requireTools;
import static dev.jjf.symbols.ElfTestTools.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.symbols.ElfTestTools.NmSymbol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebugFileLocatorTest {
    /** Different code from {@link ElfTestTools#C_LIBRARY}, so it gets a different build-id. */
    private static final String OTHER_LIBRARY = """
            int alpha(int x) { return x - 7; }
            static int gamma_static(int x) { return x * x * x; }
            int delta(int x) { return gamma_static(x) - 1; }
            """;

    @TempDir
    Path dir;

    private Path libDir;
    private Path debugRoot;

    @BeforeEach
    void setUp() throws IOException {
        requireTools("gcc", "nm", "strip", "objcopy", "readelf");
        libDir = Files.createDirectories(dir.resolve("lib"));
        debugRoot = Files.createDirectories(dir.resolve("debug-root"));
    }

    /** Splits lib's symbols into libDir/name.debug and strips lib, as distributions do. Returns the debug file. */
    private Path splitDebug(Path lib, String debugName) {
        Path debug = libDir.resolve(debugName);
        run(libDir, "objcopy", "--only-keep-debug", lib.toString(), debug.toString());
        run(libDir, "strip", "--strip-debug", "--strip-unneeded", lib.toString());
        run(libDir, "objcopy", "--add-gnu-debuglink=" + debug, lib.toString());
        return debug;
    }

    private Path strippedLibraryWithDebugFile(String... flags) throws IOException {
        Path lib = cLibrary(libDir, "libd.so", flags);
        splitDebug(lib, "libd.so.debug");
        return lib;
    }

    @Test
    void findsDebugFileByDebugLinkNextToTheLibrary() throws IOException {
        Path lib = strippedLibraryWithDebugFile("-g");
        ElfFile elf = ElfFile.open(lib);
        assertFalse(elf.hasSymtab(), "strip --strip-unneeded removes .symtab");
        assertEquals(Optional.of("libd.so.debug"), elf.debugLink());

        Optional<Path> found = new DebugFileLocator(List.of(debugRoot)).find(elf);
        assertEquals(Optional.of(libDir.resolve("libd.so.debug")), found);

        // The debug file has the static function the stripped library lost, at the same address.
        ElfFile debug = ElfFile.open(found.get());
        assertEquals(elf.buildId(), debug.buildId());
        assertTrue(debug.hasSymtab());
        NmSymbol hidden = nmSymbol(found.get(), "gamma_static");
        assertNull(elf.symbols().lookup(hidden.address()));
        assertEquals("gamma_static", debug.symbols().lookup(hidden.address() + 1));
        assertEquals("alpha", debug.symbols().lookup(nmSymbol(found.get(), "alpha").address()));
    }

    @Test
    void findsDebugFileInDotDebugSubdirectoryAndUnderTheDebugRoot() throws IOException {
        Path lib = strippedLibraryWithDebugFile();
        ElfFile elf = ElfFile.open(lib);
        DebugFileLocator locator = new DebugFileLocator(List.of(debugRoot));

        Path inSubdir = Files.createDirectories(libDir.resolve(".debug")).resolve("libd.so.debug");
        Files.move(libDir.resolve("libd.so.debug"), inSubdir);
        assertEquals(Optional.of(inSubdir), locator.find(elf));

        Path mirrored = debugRoot.resolve(libDir.getRoot().relativize(libDir.toAbsolutePath())).resolve("libd.so.debug");
        Files.createDirectories(mirrored.getParent());
        Files.move(inSubdir, mirrored);
        assertEquals(Optional.of(mirrored), locator.find(elf));

        Files.delete(mirrored);
        assertEquals(Optional.empty(), locator.find(elf));
    }

    @Test
    void findsDebugFileByBuildIdFirst() throws IOException {
        Path lib = strippedLibraryWithDebugFile();
        ElfFile elf = ElfFile.open(lib);
        String id = elf.buildId().orElseThrow();
        Path byId = debugRoot.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug");
        Files.createDirectories(byId.getParent());
        Files.copy(libDir.resolve("libd.so.debug"), byId);
        assertEquals(Optional.of(byId), new DebugFileLocator(List.of(dir.resolve("missing-root"), debugRoot)).find(elf));

        // With no debug link, the build-id tree is the only way.
        Path noLink = cLibrary(libDir, "libnolink.so");
        String noLinkId = ElfFile.open(noLink).buildId().orElseThrow();
        Path noLinkDebug = debugRoot.resolve(".build-id").resolve(noLinkId.substring(0, 2))
                .resolve(noLinkId.substring(2) + ".debug");
        Files.createDirectories(noLinkDebug.getParent());
        run(libDir, "objcopy", "--only-keep-debug", noLink.toString(), noLinkDebug.toString());
        run(libDir, "strip", noLink.toString());
        ElfFile noLinkElf = ElfFile.open(noLink);
        assertTrue(noLinkElf.debugLink().isEmpty());
        assertEquals(Optional.of(noLinkDebug), new DebugFileLocator(List.of(debugRoot)).find(noLinkElf));
    }

    @Test
    void refusesDebugFileWithADifferentBuildId() throws IOException {
        Path lib = strippedLibraryWithDebugFile();
        ElfFile elf = ElfFile.open(lib);
        String id = elf.buildId().orElseThrow();

        Path other = compile(libDir, "gcc", "other.c", OTHER_LIBRARY, "libother.so", "-shared", "-fPIC", "-O0");
        Path otherDebug = libDir.resolve("libother.debug");
        run(libDir, "objcopy", "--only-keep-debug", other.toString(), otherDebug.toString());
        assertNotEquals(elf.buildId(), ElfFile.open(otherDebug).buildId());

        // The wrong file sits everywhere the locator looks: build-id tree and debug-link name.
        Path byId = debugRoot.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug");
        Files.createDirectories(byId.getParent());
        Files.copy(otherDebug, byId);
        Files.copy(otherDebug, libDir.resolve("libd.so.debug"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Optional.empty(), new DebugFileLocator(List.of(debugRoot)).find(elf));
    }

    @Test
    void withoutBuildIdsTheDebugLinkCrcDecides() throws IOException {
        Path lib = strippedLibraryWithDebugFile("-Wl,--build-id=none");
        ElfFile elf = ElfFile.open(lib);
        assertTrue(elf.buildId().isEmpty());
        assertTrue(elf.debugLinkCrc().isPresent());
        DebugFileLocator locator = new DebugFileLocator(List.of(debugRoot));
        assertEquals(Optional.of(libDir.resolve("libd.so.debug")), locator.find(elf));

        Path other = compile(libDir, "gcc", "other.c", OTHER_LIBRARY, "libother.so", "-shared", "-fPIC", "-O0",
                "-Wl,--build-id=none");
        run(libDir, "objcopy", "--only-keep-debug", other.toString(), libDir.resolve("libd.so.debug").toString());
        assertEquals(Optional.empty(), locator.find(elf));
    }

    @Test
    void ignoresCandidatesThatAreNotElfAndTheLibraryItself() throws IOException {
        Path lib = strippedLibraryWithDebugFile();
        ElfFile elf = ElfFile.open(lib);
        Files.writeString(libDir.resolve("libd.so.debug"), "not an ELF file");
        assertEquals(Optional.empty(), new DebugFileLocator(List.of(debugRoot)).find(elf));

        // A library whose debug link names itself must not be its own debug file.
        Path self = cLibrary(libDir, "libself.so");
        Path copy = libDir.resolve("libself-copy.so");
        Files.copy(self, copy);
        run(libDir, "objcopy", "--add-gnu-debuglink=" + copy, self.toString());
        Files.delete(copy);
        Files.move(self, copy);
        run(libDir, "objcopy", "--strip-all", copy.toString());
        ElfFile selfElf = ElfFile.open(copy);
        assertEquals(Optional.of("libself-copy.so"), selfElf.debugLink());
        assertEquals(Optional.empty(), new DebugFileLocator(List.of(debugRoot)).find(selfElf));
    }

    @Test
    void defaultRootIsUsrLibDebug() {
        assertEquals(Path.of("/usr/lib/debug"), DebugFileLocator.DEFAULT_DEBUG_ROOT);
    }
}
