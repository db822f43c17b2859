package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SymbolCacheTest {
    @TempDir
    Path tmp;

    /** Every address the table covers, and the gaps between, must name the same symbol after a round trip. */
    private static void assertSameLookups(SymbolTable expected, SymbolTable actual) {
        assertEquals(expected.size(), actual.size());
        assertArrayEquals(expected.biasedStarts(), actual.biasedStarts());
        assertArrayEquals(expected.biasedEnds(), actual.biasedEnds());
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.name(i), actual.name(i), "symbol " + i);
            long start = expected.start(i);
            long probe = start + random.nextLong(1, 64);
            assertEquals(expected.lookup(probe), actual.lookup(probe), "at 0x" + Long.toHexString(probe));
        }
    }

    @Test
    void roundTripOfLibjvmKeepsEveryNameAndRange() throws IOException {
        assumeTrue(Files.isRegularFile(ElfTestTools.LIBJVM), "needs the JDK's libjvm.so");
        ElfFile elf = ElfFile.open(ElfTestTools.LIBJVM);
        SymbolTable table = elf.symbols();
        assertTrue(table.size() > 10_000, table.toString());
        Path file = tmp.resolve("t.syms");
        SymbolCache.store(file, "k", table);
        SymbolTable loaded = SymbolCache.load(file, "k");
        assertNotNull(loaded);
        assertSameLookups(table, loaded);
    }

    @Test
    void secondSymbolizerReadsTheTableFromTheCache() throws IOException {
        ElfTestTools.requireTools("gcc");
        Path lib = ElfTestTools.cLibrary(tmp, "libt.so", "-Wl,--build-id");
        ElfFile elf = ElfFile.open(lib);
        String key = elf.symbolsKey().orElseThrow();
        assertTrue(key.startsWith(elf.buildId().orElseThrow()), key);
        Path cache = tmp.resolve("cache");
        SymbolTable first = SymbolCache.in(cache).symbolsOf(elf);
        List<Path> files;
        try (Stream<Path> s = Files.list(cache)) {
            files = s.toList();
        }
        assertEquals(List.of(cache.resolve(key + ".syms")), files, "one file, named by the key, no temporary left");

        // Prove the second read comes from the cache: rewrite one cached name, keeping the file valid.
        SymbolTable renamed = rename(first, "alpha", "cached");
        SymbolCache.store(files.get(0), key, renamed);
        SymbolTable second = SymbolCache.in(cache).symbolsOf(ElfFile.open(lib));
        Map<String, ElfTestTools.NmSymbol> nm = ElfTestTools.nm(lib, false);
        assertEquals("cached", second.lookup(nm.get("alpha").address()));
        assertEquals("beta", second.lookup(nm.get("beta").address()));
    }

    @Test
    void withoutBuildIdNothingIsCached() throws IOException {
        ElfTestTools.requireTools("gcc");
        Path lib = ElfTestTools.cLibrary(tmp, "libn.so", "-Wl,--build-id=none");
        ElfFile elf = ElfFile.open(lib);
        assertTrue(elf.symbolsKey().isEmpty());
        Path cache = tmp.resolve("cache");
        assertTrue(SymbolCache.in(cache).symbolsOf(elf).size() > 0);
        assertTrue(Files.notExists(cache));
    }

    @Test
    void strippedCopyAndOriginalGetDifferentKeys() throws IOException {
        ElfTestTools.requireTools("gcc", "strip");
        Path lib = ElfTestTools.cLibrary(tmp, "libs.so", "-Wl,--build-id");
        Path stripped = tmp.resolve("libs-stripped.so");
        Files.copy(lib, stripped);
        ElfTestTools.run(tmp, "strip", stripped.toString());
        String full = ElfFile.open(lib).symbolsKey().orElseThrow();
        String strip = ElfFile.open(stripped).symbolsKey().orElseThrow();
        assertEquals(ElfFile.open(lib).buildId(), ElfFile.open(stripped).buildId());
        assertNotEquals(full, strip);
    }

    @Test
    void damagedOrForeignFilesAreIgnored() throws IOException {
        SymbolTable table = SymbolTable.of(new long[] {0x1000, 0x2000}, new long[] {0x1010, 0x2010}, new int[] {1, 3},
                "\0f\0g\0".getBytes());
        Path file = tmp.resolve("t.syms");
        SymbolCache.store(file, "key", table);
        byte[] good = Files.readAllBytes(file);
        assertNotNull(SymbolCache.load(file, "key"));
        assertNull(SymbolCache.load(file, "other-key"), "another library's table");
        assertNull(SymbolCache.load(tmp.resolve("missing.syms"), "key"));
        for (int cut : new int[] {0, 5, good.length / 2, good.length - 1}) {
            Files.write(file, Arrays.copyOf(good, cut));
            assertNull(SymbolCache.load(file, "key"), "truncated to " + cut);
        }
        for (int at = 0; at < good.length; at++) {
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            Files.write(file, bad);
            assertNull(SymbolCache.load(file, "key"), "byte " + at + " flipped");
        }
    }

    @Test
    void unwritableCacheStillGivesTheTable() throws IOException {
        ElfTestTools.requireTools("gcc");
        Path lib = ElfTestTools.cLibrary(tmp, "libw.so", "-Wl,--build-id");
        Path notADir = Files.writeString(tmp.resolve("file"), "x");
        SymbolTable table = SymbolCache.in(notADir.resolve("symbols")).symbolsOf(ElfFile.open(lib));
        assertEquals("beta", table.lookup(ElfTestTools.nm(lib, false).get("beta").address()));
        assertEquals("x", Files.readString(notADir));
    }

    /** A copy of table whose symbol named from is named to. */
    private static SymbolTable rename(SymbolTable table, String from, String to) {
        int n = table.size();
        StringBuilder strings = new StringBuilder();
        int[] offsets = new int[n];
        long[] starts = new long[n];
        long[] ends = new long[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = strings.length();
            strings.append(table.name(i).equals(from) ? to : table.name(i)).append('\0');
            starts[i] = table.start(i);
            ends[i] = table.end(i);
        }
        return SymbolTable.of(starts, ends, offsets, strings.toString().getBytes());
    }
}
