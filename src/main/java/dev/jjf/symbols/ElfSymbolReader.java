package dev.jjf.symbols;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a raw .symtab/.dynsym into a {@link SymbolTable}: keeps function symbols, sorts them by
 * address, picks one name per address and works out where each symbol ends.
 */
final class ElfSymbolReader {
    private static final int SYM32_SIZE = 16;
    private static final int SYM64_SIZE = 24;

    private static final int STT_NOTYPE = 0;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    private static final int STB_LOCAL = 0;
    private static final int STB_GLOBAL = 1;

    private static final int SHN_UNDEF = 0;
    private static final int SHN_LORESERVE = 0xff00;
    private static final int SHN_XINDEX = 0xffff;

    /** Unsigned maximum, for symbols whose end is unknown. */
    static final long NO_END = -1L;

    // Ranking among symbols sharing an address: a size tells us the extent (most useful), an explicit
    // function type beats a bare label, and a global name is the one people recognise.
    private static final int RANK_SIZED = 8;
    private static final int RANK_FUNC_TYPE = 4;
    private static final int RANK_GLOBAL = 2;
    private static final int RANK_WEAK_OR_OTHER = 1;

    private ElfSymbolReader() {
    }

    static int symbolSize(boolean is64) {
        return is64 ? SYM64_SIZE : SYM32_SIZE;
    }

    /**
     * Reads function symbols from a symbol table's bytes.
     *
     * @param sections section headers, to tell code labels from data and to bound size-0 symbols
     */
    static SymbolTable read(ElfInput in, ByteBuffer symbols, long entsize, byte[] strings, boolean is64,
            boolean armThumb, List<ElfSection> sections) {
        long count = symbols.limit() / entsize;
        Candidates c = new Candidates((int) count);
        for (int i = 1; i < count; i++) {
            int p = (int) (i * entsize);
            long name = ElfFile.u32(symbols, p);
            int info;
            int shndx;
            long value;
            long size;
            if (is64) {
                info = symbols.get(p + 4) & 0xff;
                shndx = ElfFile.u16(symbols, p + 6);
                value = symbols.getLong(p + 8);
                size = symbols.getLong(p + 16);
            } else {
                value = ElfFile.u32(symbols, p + 4);
                size = ElfFile.u32(symbols, p + 8);
                info = symbols.get(p + 12) & 0xff;
                shndx = ElfFile.u16(symbols, p + 14);
            }
            int type = info & 0xf;
            int bind = info >>> 4;
            if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE) {
                continue;
            }
            if (shndx == SHN_UNDEF || (shndx >= SHN_LORESERVE && shndx != SHN_XINDEX)) {
                continue; // imports, absolute and common symbols name no code in this file
            }
            ElfSection section = null;
            if (shndx != SHN_XINDEX) {
                if (shndx >= sections.size()) {
                    throw in.bad("symbol " + i + " refers to section " + shndx + ", which does not exist");
                }
                section = sections.get(shndx);
            }
            if (type == STT_NOTYPE && (section == null || !section.isExecutable())) {
                continue; // untyped symbols are only code labels when they sit in code
            }
            if (name == 0) {
                continue;
            }
            if (name >= strings.length) {
                throw in.bad("symbol " + i + " name offset " + name + " is past the end of its string table ("
                        + strings.length + " bytes)");
            }
            if (type == STT_NOTYPE && strings[(int) name] == '$') {
                continue; // ARM/AArch64 mapping symbols ($x, $d, $t) mark code/data, not functions
            }
            if (armThumb && type == STT_FUNC) {
                value &= ~1L; // the low bit selects Thumb mode; the code starts at the even address
            }
            int rank = (size != 0 ? RANK_SIZED : 0) | (type != STT_NOTYPE ? RANK_FUNC_TYPE : 0)
                    | (bind == STB_GLOBAL ? RANK_GLOBAL : bind == STB_LOCAL ? 0 : RANK_WEAK_OR_OTHER);
            long sectionEnd = section == null ? NO_END : section.addr() + section.size();
            c.add(value, size, (int) name, rank, sectionEnd);
        }
        return build(c, strings);
    }

    /** Raw symbol candidates in file order, as parallel primitive arrays. */
    static final class Candidates {
        long[] starts;
        long[] sizes;
        int[] names;
        byte[] ranks;
        long[] sectionEnds;
        int count;

        Candidates(int capacity) {
            starts = new long[capacity];
            sizes = new long[capacity];
            names = new int[capacity];
            ranks = new byte[capacity];
            sectionEnds = new long[capacity];
        }

        void add(long start, long size, int name, int rank, long sectionEnd) {
            if (count == starts.length) {
                int capacity = Math.max(16, count * 2);
                starts = Arrays.copyOf(starts, capacity);
                sizes = Arrays.copyOf(sizes, capacity);
                names = Arrays.copyOf(names, capacity);
                ranks = Arrays.copyOf(ranks, capacity);
                sectionEnds = Arrays.copyOf(sectionEnds, capacity);
            }
            starts[count] = start;
            sizes[count] = size;
            names[count] = name;
            ranks[count] = (byte) rank;
            sectionEnds[count] = sectionEnd;
            count++;
        }

        /** Order: address (unsigned), then best rank first, then file order for determinism. */
        int compare(int a, int b) {
            int byAddress = Long.compareUnsigned(starts[a], starts[b]);
            if (byAddress != 0) {
                return byAddress;
            }
            int byRank = Integer.compare(ranks[b], ranks[a]);
            return byRank != 0 ? byRank : Integer.compare(a, b);
        }
    }

    static SymbolTable build(Candidates c, byte[] strings) {
        int n = c.count;
        if (n == 0) {
            return SymbolTable.empty();
        }
        int[] order = IndexSort.sorted(c.count, c::compare);

        // One winner per address (the first of each run, thanks to the sort order). A size-0 label
        // inside a sized function is an internal label (asm entry points, loop heads), not a function
        // of its own: keeping it would steal the rest of the enclosing function's addresses.
        int[] kept = new int[n];
        int m = 0;
        long coverEnd = 0;
        boolean covering = false;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            long start = c.starts[i];
            if (m > 0 && c.starts[kept[m - 1]] == start) {
                continue;
            }
            if (c.sizes[i] == 0 && covering && Long.compareUnsigned(start, coverEnd) < 0) {
                continue;
            }
            kept[m++] = i;
            if (c.sizes[i] != 0) {
                long end = endOf(start, c.sizes[i]);
                if (!covering || Long.compareUnsigned(end, coverEnd) > 0) {
                    coverEnd = end;
                    covering = true;
                }
            }
        }

        long[] starts = new long[m];
        long[] ends = new long[m];
        int[] names = new int[m];
        for (int k = 0; k < m; k++) {
            int i = kept[k];
            starts[k] = c.starts[i];
            names[k] = c.names[i];
            if (c.sizes[i] != 0) {
                ends[k] = endOf(c.starts[i], c.sizes[i]);
            } else {
                // Size unknown: it reaches the next symbol, but never past the end of its section.
                long end = k + 1 < m ? c.starts[kept[k + 1]] : NO_END;
                long sectionEnd = c.sectionEnds[i];
                if (Long.compareUnsigned(sectionEnd, end) < 0) {
                    end = sectionEnd;
                }
                ends[k] = end;
            }
        }
        return SymbolTable.of(starts, ends, names, strings);
    }

    /** start + size, saturating at the top of the address space instead of wrapping. */
    private static long endOf(long start, long size) {
        long end = start + size;
        return Long.compareUnsigned(end, start) < 0 ? NO_END : end;
    }
}
