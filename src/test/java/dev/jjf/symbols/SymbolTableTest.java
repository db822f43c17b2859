package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jjf.symbols.ElfSymbolReader.Candidates;
import dev.jjf.symbols.ElfTestTools.NmSymbol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SymbolTableTest {
    private static final int GLOBAL_FUNC = 8 | 4 | 2;
    private static final int LOCAL_FUNC_SIZED = 8 | 4;
    private static final int WEAK_FUNC_SIZED = 8 | 4 | 1;
    private static final int GLOBAL_LABEL = 2;
    private static final int LOCAL_FUNC_UNSIZED = 4;

    /** Builds a table the way the reader does, from (start, size, name, rank, sectionEnd) rows. */
    private static final class Rows {
        private final Candidates candidates = new Candidates(0);
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private final Map<String, Integer> offsets = new HashMap<>();

        Rows() {
            strings.write(0);
        }

        Rows add(long start, long size, String name, int rank, long sectionEnd) {
            int offset = offsets.computeIfAbsent(name, n -> {
                int at = strings.size();
                strings.writeBytes(n.getBytes(StandardCharsets.UTF_8));
                strings.write(0);
                return at;
            });
            candidates.add(start, size, offset, rank, sectionEnd);
            return this;
        }

        Rows add(long start, long size, String name, int rank) {
            return add(start, size, name, rank, ElfSymbolReader.NO_END);
        }

        SymbolTable build() {
            return ElfSymbolReader.build(candidates, strings.toByteArray());
        }
    }

    @Test
    void sizedSymbolCoversExactlyItsRange() {
        SymbolTable t = new Rows().add(0x1000, 0x10, "f", GLOBAL_FUNC).add(0x1100, 0x10, "g", GLOBAL_FUNC).build();
        assertNull(t.lookup(0xfff));
        assertEquals("f", t.lookup(0x1000));
        assertEquals("f", t.lookup(0x100f));
        assertNull(t.lookup(0x1010), "past the end of a sized symbol, before the next one");
        assertNull(t.lookup(0x10ff));
        assertEquals("g", t.lookup(0x1100));
        assertNull(t.lookup(0x1110));
        assertNull(t.lookup(Long.MAX_VALUE));
        assertEquals(2, t.size());
    }

    @Test
    void sizeZeroSymbolReachesTheNextSymbolButNotPastItsSection() {
        SymbolTable t = new Rows()
                .add(0x1000, 0, "label", GLOBAL_LABEL, 0x2000)
                .add(0x1800, 0x10, "next", GLOBAL_FUNC, 0x2000)
                .add(0x1900, 0, "tail", GLOBAL_LABEL, 0x1a00)
                .add(0x3000, 0, "last", GLOBAL_LABEL)
                .build();
        assertEquals("label", t.lookup(0x17ff));
        assertEquals("next", t.lookup(0x1800));
        assertEquals("tail", t.lookup(0x19ff));
        assertNull(t.lookup(0x1a00), "a size-0 symbol ends with its section");
        assertEquals("last", t.lookup(0x7fff_ffffL), "the last symbol with no size and no section is unbounded");
    }

    @Test
    void sameAddressPrefersSizedThenGlobal() {
        SymbolTable t = new Rows()
                .add(0x1000, 0, "unsized_global", GLOBAL_LABEL)
                .add(0x1000, 0x20, "local_sized", LOCAL_FUNC_SIZED)
                .add(0x1000, 0x20, "global_sized", GLOBAL_FUNC)
                .add(0x1000, 0x20, "weak_sized", WEAK_FUNC_SIZED)
                .add(0x2000, 0x20, "local_first", LOCAL_FUNC_SIZED)
                .add(0x2000, 0x20, "weak_second", WEAK_FUNC_SIZED)
                .add(0x3000, 0, "unsized_func", LOCAL_FUNC_UNSIZED)
                .add(0x3000, 0x8, "sized_local", LOCAL_FUNC_SIZED)
                .build();
        assertEquals(3, t.size());
        assertEquals("global_sized", t.lookup(0x1010));
        assertEquals("weak_second", t.lookup(0x2000));
        assertEquals("sized_local", t.lookup(0x3000));
        assertNull(t.lookup(0x3008), "the sized duplicate's extent is used, not the unsized one's");
    }

    @Test
    void labelInsideASizedFunctionDoesNotSplitIt() {
        SymbolTable t = new Rows()
                .add(0x1000, 0x100, "outer", GLOBAL_FUNC)
                .add(0x1040, 0, "inner_label", GLOBAL_LABEL)
                .add(0x1100, 0, "after", GLOBAL_LABEL, 0x1200)
                .build();
        assertEquals("outer", t.lookup(0x1040));
        assertEquals("outer", t.lookup(0x10ff));
        assertEquals("after", t.lookup(0x1100));
    }

    @Test
    void unsortedInputAndHighAddressesSortUnsigned() {
        Rows rows = new Rows();
        SplittableRandom random = new SplittableRandom(7);
        long[] starts = random.longs(5000, 1, 1L << 40).map(v -> v * 64).distinct().toArray();
        for (long start : starts) {
            rows.add(start, 16, "s" + Long.toHexString(start), GLOBAL_FUNC);
        }
        rows.add(0xffff_ffff_8100_0000L, 0x100, "kernel_text", GLOBAL_FUNC);
        SymbolTable t = rows.build();
        assertEquals(starts.length + 1, t.size());
        for (long start : starts) {
            assertEquals("s" + Long.toHexString(start), t.lookup(start + 15));
        }
        assertEquals("kernel_text", t.lookup(0xffff_ffff_8100_0080L));
        assertNull(t.lookup(0xffff_ffff_8100_0100L));
        for (int i = 1; i < t.size(); i++) {
            assertTrue(Long.compareUnsigned(t.start(i - 1), t.start(i)) < 0);
        }
    }

    @Test
    void emptyTableResolvesNothing() {
        assertEquals(0, SymbolTable.empty().size());
        assertNull(SymbolTable.empty().lookup(0x1000));
        assertEquals(0, new Rows().build().size());
    }

    @Test
    void libjvmSymbolsAtNmAddressesWithTiming() throws IOException {
        assumeTrue(Files.isRegularFile(ElfTestTools.LIBJVM), ElfTestTools.LIBJVM + " is absent; skipping");
        ElfTestTools.requireTools("nm");
        Map<String, NmSymbol> nm = ElfTestTools.nm(ElfTestTools.LIBJVM, false);

        long best = Long.MAX_VALUE;
        long first = 0;
        SymbolTable table = null;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            ElfFile elf = ElfFile.open(ElfTestTools.LIBJVM);
            table = elf.symbols();
            long elapsed = System.nanoTime() - t0;
            if (round == 0) {
                first = elapsed;
                assertTrue(elf.hasSymtab());
                assertTrue(elf.buildId().isPresent());
            }
            best = Math.min(best, elapsed);
        }
        assertTrue(table.size() > 40_000, "libjvm's .symtab has tens of thousands of functions: " + table.size());

        for (String name : new String[] {"_ZN2os6mallocEm8MEMFLAGS", "Unsafe_AllocateMemory0"}) {
            NmSymbol s = nm.get(name);
            assertTrue(s != null, name + " is not in libjvm's .symtab (nm)");
            ElfTestTools.assertResolves(table, s, name);
        }

        // Lookups at random code addresses, including misses, decoding each name as a caller would.
        long lo = table.start(0);
        long hi = table.start(table.size() - 1);
        SplittableRandom random = new SplittableRandom(42);
        int n = 2_000_000;
        long[] addresses = random.longs(n, lo, hi).toArray();
        int hits = 0;
        long bestLookup = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            hits = 0;
            long t0 = System.nanoTime();
            for (long a : addresses) {
                hits += table.lookup(a) != null ? 1 : 0;
            }
            bestLookup = Math.min(bestLookup, System.nanoTime() - t0);
        }
        assertTrue(hits > n / 2, "most addresses inside .text fall in a function: " + hits);
        System.out.printf("libjvm.so: %d function symbols; open+build %.1f ms first, %.1f ms best of 5; "
                        + "%.1f M lookups/s (best of 5, %d%% hits)%n",
                table.size(), first / 1e6, best / 1e6, n / (bestLookup / 1e9) / 1e6, 100L * hits / n);
    }
}
