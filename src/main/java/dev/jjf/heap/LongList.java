package dev.jjf.heap;

import java.util.Arrays;

/**
 * A growable list of longs in chunks: growing never copies what is stored, so a list of a
 * hundred million entries needs no second copy of itself while it grows.
 */
final class LongList {
    private static final int CHUNK_BITS = 20;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private long[][] chunks = new long[4][];
    private long size;

    void add(long v) {
        int c = (int) (size >>> CHUNK_BITS);
        if (c == chunks.length) chunks = Arrays.copyOf(chunks, c * 2);
        long[] chunk = chunks[c];
        if (chunk == null) {
            // The first chunk starts small: most lists of a small dump hold a few entries.
            chunk = chunks[c] = new long[c == 0 ? 1024 : CHUNK];
        }
        int i = (int) (size & (CHUNK - 1));
        if (i == chunk.length) chunk = chunks[c] = Arrays.copyOf(chunk, Math.min(CHUNK, chunk.length * 4));
        chunk[i] = v;
        size++;
    }

    long get(long i) {
        return chunks[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))];
    }

    void set(long i, long v) {
        chunks[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))] = v;
    }

    /** Chunk {@code c} of the storage: entries c * 2^20 onwards ({@link #CHUNK} per chunk). */
    long[] chunk(int c) {
        return chunks[c];
    }

    static final int CHUNK_SIZE = CHUNK;

    /** Drops chunk {@code c}'s storage (its entries must not be read again); the size stays. */
    void releaseChunk(int c) {
        chunks[c] = null;
    }

    long size() {
        return size;
    }

    /** Drops every entry and the storage. */
    void clear() {
        chunks = new long[4][];
        size = 0;
    }

    /** The entries as one array; the list is emptied chunk by chunk as they are copied. */
    long[] toArrayAndClear() {
        long[] out = new long[Math.toIntExact(size)];
        int at = 0;
        for (int c = 0; at < size; c++) {
            int n = (int) Math.min(chunks[c].length, size - at);
            System.arraycopy(chunks[c], 0, out, at, n);
            chunks[c] = null;
            at += n;
        }
        chunks = new long[4][];
        size = 0;
        return out;
    }
}
