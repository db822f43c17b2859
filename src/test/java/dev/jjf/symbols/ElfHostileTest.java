package dev.jjf.symbols;

import static dev.jjf.symbols.ElfTestTools.nmSymbol;
import static dev.jjf.symbols.ElfTestTools.requireTools;
import static dev.jjf.symbols.ElfTestTools.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed files, made by patching a real gcc-built library: each must give BadInputException (or,
 * where the damage is survivable, a usable file with less in it), never another exception, a hang
 * or an allocation sized by a number read from the file.
 */
class ElfHostileTest {
    // ELF64 header and section header field offsets, from the spec (man 5 elf).
    private static final int E_PHOFF = 0x20;
    private static final int E_SHOFF = 0x28;
    private static final int E_PHNUM = 0x38;
    private static final int E_SHENTSIZE = 0x3a;
    private static final int E_SHNUM = 0x3c;
    private static final int E_SHSTRNDX = 0x3e;
    private static final int SHDR_SIZE = 64;
    private static final int SH_OFFSET = 0x18;
    private static final int SH_SIZE = 0x20;
    private static final int SH_LINK = 0x28;
    private static final int SH_ENTSIZE = 0x38;
    private static final int SYM_SIZE = 24;
    private static final int ST_INFO = 4;
    private static final int ST_SHNDX = 6;
    private static final byte STT_SECTION = 3;

    @TempDir
    static Path dir;
    private static Path lib;
    private static byte[] original;

    @BeforeAll
    static void buildLibrary() throws IOException {
        requireTools("gcc", "readelf", "nm");
        lib = ElfTestTools.cLibrary(dir, "libt.so", "-Wl,--build-id");
        run(dir, "objcopy", "--add-gnu-debuglink=" + lib, lib.toString(), dir.resolve("libt-linked.so").toString());
        lib = dir.resolve("libt-linked.so");
        original = Files.readAllBytes(lib);
    }

    private static int fileCounter;

    private static Path write(byte[] bytes) throws IOException {
        Path p = dir.resolve("hostile-" + (fileCounter++) + ".so");
        Files.write(p, bytes);
        return p;
    }

    /** A patched copy of the library. */
    private static Path patched(Consumer<ByteBuffer> patch) throws IOException {
        byte[] copy = original.clone();
        patch.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
        return write(copy);
    }

    private static int sectionIndex(String name) {
        Matcher m = Pattern.compile("\\[\\s*(\\d+)\\]\\s+" + Pattern.quote(name) + "\\s")
                .matcher(run(dir, "readelf", "-SW", lib.toString()));
        assertTrue(m.find(), "no section " + name);
        return Integer.parseInt(m.group(1));
    }

    private static int shdr(ByteBuffer b, String section) {
        return (int) b.getLong(E_SHOFF) + sectionIndex(section) * SHDR_SIZE;
    }

    /** Opens, reads symbols and looks things up: everything a caller would do with the file. */
    private static ElfFile useFully(Path file) throws IOException {
        ElfFile elf = ElfFile.open(file);
        elf.buildId();
        elf.debugLink();
        elf.fileOffsetToVaddr(0x1000);
        SymbolTable symbols = elf.symbols();
        for (long a = 0; a < 0x5000; a += 0x40) {
            symbols.lookup(a);
        }
        return elf;
    }

    private static BadInputException assertBad(Path file) {
        BadInputException e = assertThrows(BadInputException.class, () -> useFully(file));
        assertNull(e.getCause(), "bounds checks should have caught this, not the safety net: " + e.getCause());
        assertEquals(file, e.file());
        return e;
    }

    @Test
    void emptyFile() throws IOException {
        assertBad(write(new byte[0]));
    }

    @Test
    void randomBytesAndTruncatedHeaders() throws IOException {
        byte[] random = new byte[10];
        new SplittableRandom(1).nextBytes(random);
        assertBad(write(random));
        assertBad(write(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}));
        assertBad(write(java.util.Arrays.copyOf(original, 40)));
        assertBad(write(new byte[100])); // right size, no magic
    }

    @Test
    void truncatedAnywhere() throws IOException {
        // The section header table is at the end, so every truncation loses at least part of it.
        for (int cut = 0; cut < original.length; cut += 211) {
            assertBad(write(java.util.Arrays.copyOf(original, cut)));
        }
    }

    @Test
    void badIdentification() throws IOException {
        assertBad(patched(b -> b.put(4, (byte) 3)));  // class
        assertBad(patched(b -> b.put(5, (byte) 0)));  // data encoding
        assertBad(patched(b -> b.put(6, (byte) 9)));  // version
    }

    @Test
    void sectionHeaderTableOutsideTheFile() throws IOException {
        assertBad(patched(b -> b.putLong(E_SHOFF, original.length + 100L)));
        assertBad(patched(b -> b.putLong(E_SHOFF, original.length - 10L)));
        assertBad(patched(b -> b.putLong(E_SHOFF, -64L)));
        assertBad(patched(b -> b.putLong(E_SHOFF, Long.MAX_VALUE)));
    }

    @Test
    void hugeSectionCounts() throws IOException {
        assertBad(patched(b -> b.putShort(E_SHNUM, (short) 0xffff)));
        // Extended numbering: e_shnum 0 defers to section 0's sh_size.
        assertBad(patched(b -> {
            b.putShort(E_SHNUM, (short) 0);
            b.putLong((int) b.getLong(E_SHOFF) + SH_SIZE, 1L << 40);
        }));
        assertBad(patched(b -> b.putShort(E_SHENTSIZE, (short) 1)));
        assertBad(patched(b -> b.putShort(E_SHSTRNDX, (short) 500)));
    }

    @Test
    void programHeadersOutsideTheFile() throws IOException {
        assertBad(patched(b -> b.putShort(E_PHNUM, (short) 0xfffe)));
        assertBad(patched(b -> b.putLong(E_PHOFF, original.length - 8L)));
        assertBad(patched(b -> b.putLong(E_PHOFF, -1L)));
    }

    @Test
    void symtabLargerThanTheFile() throws IOException {
        assertBad(patched(b -> b.putLong(shdr(b, ".symtab") + SH_SIZE, 1L << 40)));
        assertBad(patched(b -> b.putLong(shdr(b, ".symtab") + SH_SIZE, Integer.MAX_VALUE)));
        assertBad(patched(b -> b.putLong(shdr(b, ".symtab") + SH_OFFSET, -1L)));
        assertBad(patched(b -> b.putLong(shdr(b, ".strtab") + SH_SIZE, 1L << 40)));
        assertBad(patched(b -> b.putLong(shdr(b, ".dynsym") + SH_SIZE, 1L << 33)));
    }

    @Test
    void badSymbolEntrySize() throws IOException {
        assertBad(patched(b -> b.putLong(shdr(b, ".symtab") + SH_ENTSIZE, 1)));
        // 0 means "standard size" and is tolerated.
        Path zero = patched(b -> b.putLong(shdr(b, ".symtab") + SH_ENTSIZE, 0));
        assertEquals("alpha", useFully(zero).symbols().lookup(nmSymbol(lib, "alpha").address()));
    }

    @Test
    void linkToANonexistentOrWrongSection() throws IOException {
        assertBad(patched(b -> b.putInt(shdr(b, ".symtab") + SH_LINK, 999)));
        assertBad(patched(b -> b.putInt(shdr(b, ".symtab") + SH_LINK, -1)));
        assertBad(patched(b -> b.putInt(shdr(b, ".symtab") + SH_LINK, 0)));
        assertBad(patched(b -> b.putInt(shdr(b, ".symtab") + SH_LINK, sectionIndex(".text"))));
        assertBad(patched(b -> b.putInt(shdr(b, ".dynsym") + SH_LINK, 999)));
    }

    @Test
    void zeroSizeSectionsAreSurvivable() throws IOException {
        // No .symtab entries: fall back to .dynsym, which has only the exported functions.
        ElfFile noSymtab = useFully(patched(b -> b.putLong(shdr(b, ".symtab") + SH_SIZE, 0)));
        assertFalse(noSymtab.hasSymtab());
        assertEquals("alpha", noSymtab.symbols().lookup(nmSymbol(lib, "alpha").address()));
        assertNull(noSymtab.symbols().lookup(nmSymbol(lib, "gamma_static").address()));

        ElfFile noNote = useFully(patched(b -> b.putLong(shdr(b, ".note.gnu.build-id") + SH_SIZE, 0)));
        assertEquals(Optional.empty(), noNote.buildId());
        ElfFile noLink = useFully(patched(b -> b.putLong(shdr(b, ".gnu_debuglink") + SH_SIZE, 0)));
        assertEquals(Optional.empty(), noLink.debugLink());

        // Every symbol table empty: nothing resolves, nothing fails.
        ElfFile nothing = useFully(patched(b -> {
            b.putLong(shdr(b, ".symtab") + SH_SIZE, 0);
            b.putLong(shdr(b, ".dynsym") + SH_SIZE, 0);
        }));
        assertEquals(0, nothing.symbols().size());
        assertNull(nothing.symbols().lookup(nmSymbol(lib, "alpha").address()));
    }

    @Test
    void symtabWithoutFunctionsFallsBackToDynsym() throws IOException {
        ElfFile elf = useFully(patched(b -> {
            int symtabShdr = shdr(b, ".symtab");
            int offset = (int) b.getLong(symtabShdr + SH_OFFSET);
            int count = (int) (b.getLong(symtabShdr + SH_SIZE) / SYM_SIZE);
            for (int i = 1; i < count; i++) {
                b.put(offset + i * SYM_SIZE + ST_INFO, STT_SECTION);
            }
        }));
        assertTrue(elf.hasSymtab());
        assertEquals("alpha", elf.symbols().lookup(nmSymbol(lib, "alpha").address()));
        assertNull(elf.symbols().lookup(nmSymbol(lib, "gamma_static").address()));
    }

    @Test
    void fileReplacedBetweenOpenAndSymbols() throws IOException {
        Path file = write(original);
        ElfFile elf = ElfFile.open(file);
        Files.write(file, java.util.Arrays.copyOf(original, original.length / 2));
        BadInputException e = assertThrows(BadInputException.class, elf::symbols);
        assertTrue(e.getMessage().contains("changed"), e.getMessage());
    }

    @Test
    void namesPastTheStringTable() throws IOException {
        // An empty string table leaves every symbol name dangling.
        assertBad(patched(b -> b.putLong(shdr(b, ".strtab") + SH_SIZE, 0)));
        assertBad(patched(b -> b.putInt(symbolEntry(b, "alpha"), 0x7fff_ffff)));
        assertBad(patched(b -> b.putInt(symbolEntry(b, "alpha"), -1)));
        // Open succeeds (symbols are read lazily); the error comes with the symbols.
        assertTrue(ElfFile.open(patched(b -> b.putInt(symbolEntry(b, "alpha"), 0x7fff_ffff))).hasSymtab());
        // Section names past the section name table.
        assertBad(patched(b -> b.putLong(shdr(b, ".shstrtab") + SH_SIZE, 1)));
    }

    @Test
    void symbolInANonexistentSection() throws IOException {
        assertBad(patched(b -> b.putShort(symbolEntry(b, "alpha") + ST_SHNDX, (short) 0xfe00)));
    }

    @Test
    void brokenBuildIdNote() throws IOException {
        // descsz far larger than the note section.
        assertBad(patched(b -> b.putInt((int) b.getLong(shdr(b, ".note.gnu.build-id") + SH_OFFSET) + 4, 0x7fff_fff0)));
        assertBad(patched(b -> b.putInt((int) b.getLong(shdr(b, ".note.gnu.build-id") + SH_OFFSET), -1)));
    }

    @Test
    void withoutSectionHeadersTheBuildIdComesFromPtNote() throws IOException {
        ElfFile elf = useFully(patched(b -> {
            b.putLong(E_SHOFF, 0);
            b.putShort(E_SHNUM, (short) 0);
            b.putShort(E_SHSTRNDX, (short) 0);
        }));
        assertEquals(Optional.of(ElfTestTools.readelfBuildId(lib)), elf.buildId());
        assertEquals(0, elf.symbols().size());
        assertFalse(elf.loadSegments().isEmpty());
    }

    /** Random byte damage in the parts the reader interprets; bounded time, bounded allocation. */
    @Test
    void fuzzedHeadersNeverEscapeTheContract() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        int shoff = (int) b.getLong(E_SHOFF);
        int symtab = (int) b.getLong(shdr(b, ".symtab") + SH_OFFSET);
        int[][] regions = {
            {0, 64}, {(int) b.getLong(E_PHOFF), 56 * 9}, {shoff, original.length - shoff}, {symtab, 24 * 40},
            {(int) b.getLong(shdr(b, ".note.gnu.build-id") + SH_OFFSET), 36},
        };
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            SplittableRandom random = new SplittableRandom(20240611);
            int ok = 0;
            int bad = 0;
            for (int round = 0; round < 1500; round++) {
                byte[] copy = original.clone();
                int edits = 1 + random.nextInt(6);
                for (int e = 0; e < edits; e++) {
                    int[] region = regions[random.nextInt(regions.length)];
                    int at = region[0] + random.nextInt(region[1]);
                    copy[at] = random.nextInt(4) == 0 ? (byte) 0xff : (byte) random.nextInt(256);
                }
                Path file = write(copy);
                long before = threads.getCurrentThreadAllocatedBytes();
                try {
                    useFully(file);
                    ok++;
                } catch (BadInputException e) {
                    if (e.getCause() != null) {
                        fail("round " + round + ": unchecked failure wrapped by the safety net", e.getCause());
                    }
                    bad++;
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < 20L * original.length + (1 << 20),
                        "round " + round + " allocated " + allocated + " bytes for a " + original.length + "-byte file");
                Files.delete(file);
            }
            assertTrue(ok > 0 && bad > 0, "fuzzing should produce both survivable and rejected files: " + ok + "/" + bad);
        });
    }

    /** File offset of the .symtab entry for name. */
    private static int symbolEntry(ByteBuffer b, String name) {
        int symtabShdr = shdr(b, ".symtab");
        int offset = (int) b.getLong(symtabShdr + SH_OFFSET);
        int count = (int) (b.getLong(symtabShdr + SH_SIZE) / SYM_SIZE);
        int strtab = (int) b.getLong(shdr(b, ".strtab") + SH_OFFSET);
        byte[] wanted = (name + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 1; i < count; i++) {
            int at = offset + i * SYM_SIZE;
            int nameAt = strtab + b.getInt(at);
            if (java.util.Arrays.equals(original, nameAt, nameAt + wanted.length, wanted, 0, wanted.length)) {
                return at;
            }
        }
        throw new AssertionError("no .symtab entry for " + name);
    }
}
