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
     * Names decoded so far; profiles hit the same functions over and over. Allocated on first
     * lookup. Unsynchronized on purpose: a race only decodes a name twice, Strings are immutable.
     */
    private String[] names;

    private SymbolTable(long[] biasedStarts, long[] biasedEnds, int[] nameOffsets, byte[] strings) {
        this.biasedStarts = biasedStarts;
        this.biasedEnds = biasedEnds;
        this.nameOffsets = nameOffsets;
        this.strings = strings;
    }

    /**
     * A table over the given arrays, which it takes over (and modifies).
     *
     * @param starts ascending (unsigned), no duplicates
     * @param ends exclusive end per symbol, unsigned; {@link ElfSymbolReader#NO_END} for unbounded
     * @param nameOffsets offset of each NUL-terminated name in strings (already bounds-checked)
     */
    static SymbolTable of(long[] starts, long[] ends, int[] nameOffsets, byte[] strings) {
        return new SymbolTable(bias(starts), bias(ends), nameOffsets, strings);
    }

    /** A table from arrays already in this class's biased form (see {@link #biasedStarts()}), as the cache stores them. */
    static SymbolTable ofBiased(long[] biasedStarts, long[] biasedEnds, int[] nameOffsets, byte[] strings) {
        return new SymbolTable(biasedStarts, biasedEnds, nameOffsets, strings);
    }

    private static long[] bias(long[] addresses) {
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] ^= Long.MIN_VALUE;
        }
        return addresses;
    }

    /** Starts with the sign bit flipped, ascending as signed values; shared, not copied. */
    long[] biasedStarts() {
        return biasedStarts;
    }

    /** Ends with the sign bit flipped; shared, not copied. */
    long[] biasedEnds() {
        return biasedEnds;
    }

    /** Bytes in the i-th symbol's name, without its terminator. */
    int nameLength(int i) {
        int from = nameOffsets[i];
        int to = ElfFile.indexOfNul(strings, from, strings.length);
        return (to < 0 ? strings.length : to) - from;
    }

    /** Copies the i-th symbol's name bytes (no terminator) into {@code to} at {@code at}. */
    void copyName(int i, byte[] to, int at) {
        System.arraycopy(strings, nameOffsets[i], to, at, nameLength(i));
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
        long[] starts = biasedStarts;
        int n = starts.length;
        if (n == 0 || starts[0] > key) {
            return -1;
        }
        // Greatest start <= key. The loop body has no data-dependent branch (the JIT emits a
        // conditional move), which is about twice as fast as a classic binary search on random
        // addresses because nothing is mispredicted.
        int base = 0;
        while (n > 1) {
            int half = n >>> 1;
            base = starts[base + half] <= key ? base + half : base;
            n -= half;
        }
        return key < biasedEnds[base] ? base : -1;
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
        String[] cache = names;
        if (cache == null) {
            cache = new String[nameOffsets.length];
            names = cache;
        }
        String name = cache[i];
        if (name == null) {
            int from = nameOffsets[i];
            if (from < 0 || from > strings.length) return null; // only a damaged cache file gets here
            // A name missing its terminator runs to the end of the table rather than failing the lookup.
            name = new String(strings, from, nameLength(i), StandardCharsets.UTF_8);
            cache[i] = name;
        }
        return name;
    }

    @Override
    public String toString() {
        return "SymbolTable[" + size() + " symbols]";
    }
}
