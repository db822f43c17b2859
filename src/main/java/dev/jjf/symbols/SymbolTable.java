package dev.jjf.symbols;

import java.nio.charset.StandardCharsets;

/** Function symbols sorted by address as primitive arrays, for binary-search lookup. */
public final class SymbolTable {
    private static final SymbolTable EMPTY = new SymbolTable(new long[0], new long[0], new int[0], new byte[0]);

    // Addresses are unsigned; flipping the sign bit makes signed comparison give unsigned order, so
    // the hot binary search needs no Long.compareUnsigned calls.
    private final long[] biasedStarts;
    /** Exclusive end of each symbol, biased like the starts. */
    private final long[] biasedEnds;
    /** Offset of each name in {@link #strings}; names are decoded only when looked up. */
    private final int[] nameOffsets;
    private final byte[] strings;

    /**
     * @param starts ascending (unsigned), no duplicates
     * @param ends exclusive end per symbol, unsigned; {@link ElfSymbolReader#NO_END} for unbounded
     * @param nameOffsets offset of each NUL-terminated name in strings (already bounds-checked)
     */
    SymbolTable(long[] starts, long[] ends, int[] nameOffsets, byte[] strings) {
        this.biasedStarts = starts;
        this.biasedEnds = ends;
        for (int i = 0; i < starts.length; i++) {
            starts[i] ^= Long.MIN_VALUE;
            ends[i] ^= Long.MIN_VALUE;
        }
        this.nameOffsets = nameOffsets;
        this.strings = strings;
    }

    /** A table that resolves nothing. */
    public static SymbolTable empty() {
        return EMPTY;
    }

    /**
     * The name of the function containing vaddr (a link-time address, see
     * {@link ElfFile#fileOffsetToVaddr}), or null when no symbol covers it. Names stay mangled.
     */
    public String lookup(long vaddr) {
        int i = indexOf(vaddr);
        return i < 0 ? null : name(i);
    }

    /** Number of distinct symbol addresses. */
    public int size() {
        return biasedStarts.length;
    }

    /** Index of the symbol covering vaddr, or -1. */
    int indexOf(long vaddr) {
        long key = vaddr ^ Long.MIN_VALUE;
        // Greatest start <= key.
        int lo = 0;
        int hi = biasedStarts.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (biasedStarts[mid] <= key) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && key < biasedEnds[found] ? found : -1;
    }

    /** Start address of the i-th symbol. */
    long start(int i) {
        return biasedStarts[i] ^ Long.MIN_VALUE;
    }

    /** Exclusive end address of the i-th symbol. */
    long end(int i) {
        return biasedEnds[i] ^ Long.MIN_VALUE;
    }

    String name(int i) {
        int from = nameOffsets[i];
        int to = ElfFile.indexOfNul(strings, from, strings.length);
        // A name missing its terminator runs to the end of the table rather than failing the lookup.
        return new String(strings, from, (to < 0 ? strings.length : to) - from, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "SymbolTable[" + size() + " symbols]";
    }
}
