package dev.jjf.symbols;

import static dev.jjf.symbols.ElfTestTools.assertResolves;
import static dev.jjf.symbols.ElfTestTools.cLibrary;
import static dev.jjf.symbols.ElfTestTools.compile;
import static dev.jjf.symbols.ElfTestTools.nm;
import static dev.jjf.symbols.ElfTestTools.nmSymbol;
import static dev.jjf.symbols.ElfTestTools.readelfBuildId;
import static dev.jjf.symbols.ElfTestTools.readelfLoads;
import static dev.jjf.symbols.ElfTestTools.readelfSection;
import static dev.jjf.symbols.ElfTestTools.requireTools;
import static dev.jjf.symbols.ElfTestTools.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jjf.symbols.ElfTestTools.NmSymbol;
import dev.jjf.symbols.ElfTestTools.SectionInfo;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfFileTest {
    private static final List<String> C_FUNCTIONS = List.of("alpha", "beta", "gamma_static", "delta", "with_label");

    @TempDir
    Path dir;

    @BeforeEach
    void tools() {
        requireTools("gcc", "g++", "nm", "readelf", "strip", "objcopy");
    }

    @Test
    void sharedLibraryFunctionsResolveAtTheAddressesNmGives() throws IOException {
        Path lib = cLibrary(dir, "libt.so");
        ElfFile elf = ElfFile.open(lib);
        assertTrue(elf.is64());
        assertEquals(ByteOrder.LITTLE_ENDIAN, elf.order());
        assertTrue(elf.hasSymtab());
        SymbolTable symbols = elf.symbols();
        assertSame(symbols, elf.symbols());
        for (String name : C_FUNCTIONS) {
            assertResolves(symbols, nmSymbol(lib, name), name);
        }
        // The weak alias shares alpha's address: the global name wins.
        NmSymbol alias = nmSymbol(lib, "epsilon_alias");
        assertEquals(nmSymbol(lib, "alpha").address(), alias.address());
        assertEquals("alpha", symbols.lookup(alias.address()));
        // A size-0 label inside a function does not take over the rest of that function.
        assertEquals("with_label", symbols.lookup(nmSymbol(lib, "inner_label").address()));
    }

    @Test
    void addressPastTheEndOfASizedSymbolDoesNotResolveToIt() throws IOException {
        Path lib = cLibrary(dir, "libt.so");
        SymbolTable symbols = ElfFile.open(lib).symbols();
        for (String name : C_FUNCTIONS) {
            NmSymbol s = nmSymbol(lib, name);
            assertNotEquals(name, symbols.lookup(s.address() + s.size()), "just past " + s);
        }
        // Aligned functions leave padding after each body: an address there belongs to no symbol.
        Path aligned = cLibrary(dir, "libaligned.so", "-O2", "-falign-functions=64");
        SymbolTable alignedSymbols = ElfFile.open(aligned).symbols();
        List<NmSymbol> code = nm(aligned, false).values().stream()
                .filter(s -> Character.toLowerCase(s.type()) == 't')
                .sorted(java.util.Comparator.comparingLong(NmSymbol::address)).toList();
        int gaps = 0;
        for (int i = 0; i + 1 < code.size(); i++) {
            NmSymbol s = code.get(i);
            long end = s.address() + s.size();
            if (s.size() > 0 && end < code.get(i + 1).address()) {
                assertNull(alignedSymbols.lookup(end), "padding after " + s);
                gaps++;
            }
        }
        assertTrue(gaps > 0, "-falign-functions=64 should leave padding between functions");
        // Past the end of .text and .fini there is no code at all.
        SectionInfo fini = readelfSection(lib, ".fini");
        assertNull(symbols.lookup(fini.address() + fini.size() + 16));
        assertNull(symbols.lookup(0));
        assertNull(symbols.lookup(-1L));
    }

    @Test
    void cppNamesStayMangled() throws IOException {
        Path lib = compile(dir, "g++", "t.cpp", ElfTestTools.CPP_LIBRARY, "libcpp.so", "-shared", "-fPIC", "-O0");
        NmSymbol bar = nmSymbol(lib, "_ZN3foo3barEi");
        assertResolves(ElfFile.open(lib).symbols(), bar, "_ZN3foo3barEi");
    }

    @Test
    void strippedLibraryFallsBackToDynsymForExportedFunctionsOnly() throws IOException {
        Path lib = cLibrary(dir, "libt.so");
        Map<String, NmSymbol> full = nm(lib, false);
        Path stripped = dir.resolve("libt-stripped.so");
        run(dir, "strip", "-o", stripped.toString(), lib.toString());
        assertTrue(nm(stripped, false).isEmpty(), "strip should have removed .symtab");

        ElfFile elf = ElfFile.open(stripped);
        assertFalse(elf.hasSymtab());
        SymbolTable symbols = elf.symbols();
        assertTrue(symbols.size() > 0);
        for (String name : List.of("alpha", "beta", "delta", "with_label")) {
            assertResolves(symbols, full.get(name), name);
        }
        NmSymbol hidden = full.get("gamma_static");
        assertNull(symbols.lookup(hidden.address()), "static function is not in .dynsym");
        assertNull(symbols.lookup(hidden.address() + hidden.size() / 2));
    }

    @Test
    void buildIdMatchesReadelf() throws IOException {
        Path lib = cLibrary(dir, "libt.so");
        String expected = readelfBuildId(lib);
        assertNotNull(expected, "gcc here does not emit build-ids");
        assertEquals(Optional.of(expected), ElfFile.open(lib).buildId());

        Path noId = cLibrary(dir, "libnoid.so", "-Wl,--build-id=none");
        assertEquals(Optional.empty(), ElfFile.open(noId).buildId());
        assertEquals(Optional.empty(), ElfFile.open(noId).debugLink());
    }

    @Test
    void loadSegmentsMatchReadelfAndTranslateOffsetsWhereVaddrDiffersFromOffset() throws IOException {
        // Moving the text segment makes every vaddr differ from its file offset.
        Path lib = cLibrary(dir, "libbase.so", "-Wl,-Ttext-segment=0x7000000");
        ElfFile elf = ElfFile.open(lib);
        List<LoadSegment> loads = elf.loadSegments();
        assertEquals(readelfLoads(lib), loads);
        assertTrue(loads.stream().anyMatch(s -> s.isExecutable() && s.vaddr() != s.fileOffset()));

        SectionInfo text = readelfSection(lib, ".text");
        assertNotEquals(text.address(), text.offset());
        for (String name : C_FUNCTIONS) {
            NmSymbol s = nmSymbol(lib, name);
            long fileOffset = s.address() - text.address() + text.offset();
            OptionalLong vaddr = elf.fileOffsetToVaddr(fileOffset + 1);
            assertEquals(OptionalLong.of(s.address() + 1), vaddr, name);
            assertEquals(name, elf.symbols().lookup(vaddr.getAsLong()));
        }
        long fileSize = Files.size(lib);
        assertEquals(OptionalLong.empty(), elf.fileOffsetToVaddr(fileSize + 0x100000));
        assertEquals(OptionalLong.empty(), elf.fileOffsetToVaddr(-1));
    }

    @Test
    void dataSegmentWithDifferentOffsetAndVaddrTranslates() throws IOException {
        Path lib = cLibrary(dir, "libt.so");
        ElfFile elf = ElfFile.open(lib);
        SectionInfo data = readelfSection(lib, ".data");
        assertNotEquals(data.address(), data.offset(), "the RW segment normally starts a page later in memory");
        assertEquals(OptionalLong.of(data.address()), elf.fileOffsetToVaddr(data.offset()));
    }

    @Test
    void pieExecutableResolves() throws IOException {
        String source = ElfTestTools.C_LIBRARY + "int main(int argc, char **argv) { return delta(argc); }\n";
        Path exe = compile(dir, "gcc", "main.c", source, "prog", "-O0", "-fPIE", "-pie");
        assertTrue(run(dir, "readelf", "-h", exe.toString()).contains("DYN"), "PIE executables are ET_DYN");
        ElfFile elf = ElfFile.open(exe);
        for (String name : List.of("main", "alpha", "gamma_static", "delta")) {
            NmSymbol s = nmSymbol(exe, name);
            assertResolves(elf.symbols(), s, name);
        }
        SectionInfo text = readelfSection(exe, ".text");
        NmSymbol main = nmSymbol(exe, "main");
        assertEquals(OptionalLong.of(main.address()),
                elf.fileOffsetToVaddr(main.address() - text.address() + text.offset()));
    }

    @Test
    void elf32FileResolves() throws IOException {
        // -nostdlib: a 32-bit compiler is usually present without 32-bit C runtime files.
        Path lib32 = ElfTestTools.tryCompile(dir, "gcc", "t.c", ElfTestTools.C_LIBRARY, "libt32.so",
                "-m32", "-shared", "-fPIC", "-nostdlib", "-O0", "-Wl,--build-id");
        assumeTrue(lib32 != null, "gcc -m32 cannot build here; skipping the ELF32 test");
        ElfFile elf = ElfFile.open(lib32);
        assertFalse(elf.is64());
        assertEquals(readelfLoads(lib32), elf.loadSegments());
        assertEquals(Optional.of(readelfBuildId(lib32)), elf.buildId());
        for (String name : C_FUNCTIONS) {
            assertResolves(elf.symbols(), nmSymbol(lib32, name), name);
        }
        SectionInfo text = readelfSection(lib32, ".text");
        NmSymbol delta = nmSymbol(lib32, "delta");
        assertEquals(OptionalLong.of(delta.address()),
                elf.fileOffsetToVaddr(delta.address() - text.address() + text.offset()));
    }

    @Test
    void bigEndianFileReadsTheSameAsLittleEndian() throws IOException {
        Path lib = cLibrary(dir, "libt.so");
        run(dir, "objcopy", "--add-gnu-debuglink=" + lib, lib.toString(), dir.resolve("libt-link.so").toString());
        Path little = dir.resolve("libt-link.so");
        Path big = ElfByteSwapper.swapToBigEndian(little, dir.resolve("libt-be.so"));
        ElfFile le = ElfFile.open(little);
        ElfFile be = ElfFile.open(big);
        assertEquals(ByteOrder.BIG_ENDIAN, be.order());
        assertEquals(le.buildId(), be.buildId());
        assertTrue(be.buildId().isPresent());
        assertEquals(Optional.of("libt.so"), be.debugLink());
        assertEquals(le.debugLinkCrc(), be.debugLinkCrc());
        assertEquals(le.loadSegments(), be.loadSegments());
        assertEquals(le.symbols().size(), be.symbols().size());
        for (String name : C_FUNCTIONS) {
            assertResolves(be.symbols(), nmSymbol(little, name), name);
        }
    }

    @Test
    void debugLinkNameAndCrcAreRead() throws IOException {
        Path lib = cLibrary(dir, "libt.so");
        Path debug = dir.resolve("libt.so.dbg");
        run(dir, "objcopy", "--only-keep-debug", lib.toString(), debug.toString());
        Path linked = dir.resolve("libt-linked.so");
        run(dir, "objcopy", "--add-gnu-debuglink=" + debug, lib.toString(), linked.toString());
        ElfFile elf = ElfFile.open(linked);
        assertEquals(Optional.of("libt.so.dbg"), elf.debugLink());
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(Files.readAllBytes(debug));
        assertEquals(OptionalLong.of(crc.getValue()), elf.debugLinkCrc());
    }

    private static void assertSame(Object expected, Object actual) {
        org.junit.jupiter.api.Assertions.assertSame(expected, actual, "symbols() must be read once and cached");
    }
}
