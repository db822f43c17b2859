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
     * Appends {@code other}'s entries, each plus {@code delta}, and empties {@code other}. Its full
     * chunks become this list's next ones, their entries moved to the front in place: no new storage
     * (new pages cost more than the copy, docs/heap-dumps.md) and at most one chunk more at a time.
     */
    void appendAll(IntList other, int delta) {
        appendAll(other, delta, Integer.MAX_VALUE, null);
    }

    /** {@link #appendAll(IntList, int)}, except that entries {@code v >= from} become {@code numbers[v - from]}. */
    void appendAll(IntList other, int delta, int from, int[] numbers) {
        long n = other.size();
        long done = 0;
        for (int c = 0; done < n; c++) {
            int[] source = other.chunks[c];
            int count = (int) Math.min(source.length, n - done);
            int at = Math.min(count, current.length - pos);
            move(source, 0, current, pos, at, delta, from, numbers);
            pos += at;
            if (at < count && source.length == CHUNK && current.length == CHUNK) {
                move(source, at, source, 0, count - at, delta, from, numbers);
                int next = (int) (full >>> CHUNK_BITS) + 1;
                full += CHUNK;
                if (next == chunks.length) chunks = Arrays.copyOf(chunks, next * 2);
                chunks[next] = source;
                current = source;
                pos = count - at;
            } else {
                for (int i = at; i < count; i++) add(map(source[i], delta, from, numbers));
            }
            other.chunks[c] = null;
            done += count;
        }
        other.clear();
    }

    /** Copies {@code count} entries, mapped; {@code to} may be {@code source} with {@code toAt <= at}. */
    private static void move(int[] source, int at, int[] to, int toAt, int count, int delta, int from, int[] numbers) {
        if (delta == 0 && numbers == null) {
            System.arraycopy(source, at, to, toAt, count);
        } else {
            for (int i = 0; i < count; i++) to[toAt + i] = map(source[at + i], delta, from, numbers);
        }
    }

    private static int map(int v, int delta, int from, int[] numbers) {
        return numbers != null && v >= from ? numbers[v - from] : v + delta;
    }

    /** Drops every entry and the storage. */
    void clear() {
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
