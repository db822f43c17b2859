package dev.jjf.heap;

import java.util.Arrays;

/**
 * A growable list of ints in chunks: growing never copies what is stored, so a list of a
 * hundred million entries needs no second copy of itself while it grows.
 */
final class IntList {
    private static final int CHUNK_BITS = 20;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private int[][] chunks = new int[4][];
    private long size;

    void add(int v) {
        int c = (int) (size >>> CHUNK_BITS);
        if (c == chunks.length) chunks = Arrays.copyOf(chunks, c * 2);
        int[] chunk = chunks[c];
        if (chunk == null) {
            // The first chunk starts small: most lists of a small dump hold a few entries.
            chunk = chunks[c] = new int[c == 0 ? 1024 : CHUNK];
        }
        int i = (int) (size & (CHUNK - 1));
        if (i == chunk.length) chunk = chunks[c] = Arrays.copyOf(chunk, Math.min(CHUNK, chunk.length * 4));
        chunk[i] = v;
        size++;
    }

    int get(long i) {
        return chunks[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))];
    }

    void set(long i, int v) {
        chunks[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))] = v;
    }

    long size() {
        return size;
    }

    static final int CHUNK_SIZE = CHUNK;

    /** Chunk {@code c} of the storage: entries c * 2^20 onwards ({@link #CHUNK_SIZE} per chunk). */
    int[] chunk(int c) {
        return chunks[c];
    }

    /** Drops chunk {@code c}'s storage (its entries must not be read again); the size stays. */
    void releaseChunk(int c) {
        chunks[c] = null;
    }

    /** Drops every entry and the storage. */
    void clear() {
        chunks = new int[4][];
        size = 0;
    }

    /** The entries as one array; the list is emptied chunk by chunk as they are copied. */
    int[] toArrayAndClear() {
        int[] out = new int[Math.toIntExact(size)];
        int at = 0;
        for (int c = 0; at < size; c++) {
            int n = (int) Math.min(chunks[c].length, size - at);
            System.arraycopy(chunks[c], 0, out, at, n);
            chunks[c] = null;
            at += n;
        }
        chunks = new int[4][];
        size = 0;
        return out;
    }
}
