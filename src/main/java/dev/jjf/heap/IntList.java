package dev.jjf.heap;

import java.util.Arrays;

/**
 * A growable list of ints in chunks: growing never copies what is stored, so a list of a
 * hundred million entries needs no second copy of itself while it grows. {@link #add} is kept
 * small enough for the launcher's C1 compiler to inline: it is called for every object and
 * every reference of a heap dump.
 */
final class IntList {
    private static final int CHUNK_BITS = 20;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private int[][] chunks = new int[4][];
    private static final int[] NONE = new int[0];
    /** The chunk being filled ({@link #NONE} before the first add), and the next index in it. */
    private int[] current = NONE;
    private int pos;
    /** Entries in the chunks before the current one. */
    private long full;
    /** While spilled: the length of each chunk, and where in the file the entries start. */
    private int[] spilledLengths;
    private long spilledAt;

    void add(int v) {
        if (pos < current.length) {
            current[pos++] = v;
        } else {
            grow(v);
        }
    }

    private void grow(int v) {
        if (current != NONE && current.length < CHUNK) {
            // The first chunk starts small (most lists of a small dump hold a few entries) and grows in place.
            current = chunks[0] = Arrays.copyOf(current, Math.min(CHUNK, current.length * 4));
        } else {
            int c = current == NONE ? 0 : (int) (full >>> CHUNK_BITS) + 1;
            if (current != NONE) full += CHUNK;
            if (c == chunks.length) chunks = Arrays.copyOf(chunks, c * 2);
            current = chunks[c] = new int[c == 0 ? 1024 : CHUNK];
            pos = 0;
        }
        current[pos++] = v;
    }

    int get(long i) {
        return chunks[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))];
    }

    void set(long i, int v) {
        chunks[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))] = v;
    }

    long size() {
        return full + pos;
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

    /**
     * Writes the entries to {@code file} and drops the storage, keeping the size; {@link #unspill}
     * brings them back. Nothing may be read or added in between. Returns where the entries start
     * in the file (one after the other: entry k is 4k bytes further), or -1 for an empty list.
     */
    long spill(SpillFile file) {
        if (spilledLengths != null) return spilledAt;
        if (current == NONE) return -1;
        long size = size();
        spilledLengths = new int[(int) (full >>> CHUNK_BITS) + 1];
        long at = 0;
        for (int c = 0; c < spilledLengths.length; c++) {
            int n = (int) Math.min(chunks[c].length, size - at);
            long where = file.append(chunks[c], 0, n);
            if (c == 0) spilledAt = where;
            spilledLengths[c] = chunks[c].length;
            chunks[c] = null;
            at += n;
        }
        current = NONE;
        return spilledAt;
    }

    /** True between {@link #spill} and {@link #unspill}. */
    boolean isSpilled() {
        return spilledLengths != null;
    }

    /** Reads the entries {@link #spill} wrote back into new storage. */
    void unspill(SpillFile file) {
        if (spilledLengths == null) return;
        long size = size();
        long at = 0;
        for (int c = 0; c < spilledLengths.length; c++) {
            int n = (int) Math.min(spilledLengths[c], size - at);
            chunks[c] = new int[spilledLengths[c]];
            file.read(spilledAt + 4 * at, chunks[c], 0, n);
            at += n;
        }
        current = chunks[spilledLengths.length - 1];
        spilledLengths = null;
    }

    /** Drops every entry and the storage. */
    void clear() {
        spilledLengths = null;
        chunks = new int[4][];
        current = NONE;
        pos = 0;
        full = 0;
    }

    /** The entries as one array; the list is emptied chunk by chunk as they are copied. */
    int[] toArrayAndClear() {
        long size = size();
        int[] out = new int[Math.toIntExact(size)];
        int at = 0;
        for (int c = 0; at < size; c++) {
            int n = (int) Math.min(chunks[c].length, size - at);
            System.arraycopy(chunks[c], 0, out, at, n);
            chunks[c] = null;
            at += n;
        }
        clear();
        return out;
    }
}
