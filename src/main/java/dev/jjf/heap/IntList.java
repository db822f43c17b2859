package dev.jjf.heap;

import java.util.Arrays;

/**
 * A growable list of ints in chunks: growing never copies what is stored, so a list of a
 * hundred million entries needs no second copy of itself while it grows. {@link #add} is kept
 * small enough for the launcher's C1 compiler to inline: it is called for every object and
 * every reference of a heap dump.
 *
 * <p>Chunks can wait in a {@link SpillFile}: all of them ({@link #spill}, until {@link #unspill}),
 * or each one as soon as it is full ({@link #spillAsItGrows}, for the reader's lists of a dump
 * too big for the heap). A chunk in the file is read back one at a time into a cache when an
 * entry of it is read or written: walking the list in order reads each chunk once.
 */
final class IntList {
    /**
     * 2^18 entries (1 MiB) per chunk: each list being filled holds one partly filled chunk, on each
     * reading thread; at 2^20 those took ~20 MiB more at the peak of a 273 MB dump, at no gain in speed.
     */
    private static final int CHUNK_BITS = 18;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private int[][] chunks = new int[4][];
    private static final int[] NONE = new int[0];
    /** The chunk being filled ({@link #NONE} before the first add), and the next index in it. */
    private int[] current = NONE;
    private int pos;
    /** Entries in the chunks before the current one. */
    private long full;

    /** Where chunks go; null while the list is only in memory. */
    private SpillFile file;
    /** Where each chunk is in the file, -1 when it is not there. */
    private long[] chunkAt;
    /** Full chunks go to the file as the list grows. */
    private boolean evicting;
    /** Between {@link #spill} and {@link #unspill}; the last chunk's length then. */
    private boolean spilled;
    private int lastLength;
    /** The one chunk read back from the file, its number (-1: none) and whether an entry of it changed. */
    private int[] cache;
    private int cached = -1;
    private boolean dirty;

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
            int[] next = null;
            if (current != NONE) {
                full += CHUNK;
                if (evicting) {
                    // The full chunk goes to the file, and its array holds the next one.
                    writeChunk(c - 1, CHUNK);
                    next = current;
                    chunks[c - 1] = null;
                }
            }
            if (c == chunks.length) {
                chunks = Arrays.copyOf(chunks, c * 2);
                if (chunkAt != null) chunkAt = grownAt(chunkAt, c * 2);
            }
            current = chunks[c] = next != null ? next : new int[c == 0 ? 1024 : CHUNK];
            pos = 0;
        }
        current[pos++] = v;
    }

    private static long[] grownAt(long[] at, int length) {
        long[] out = Arrays.copyOf(at, length);
        Arrays.fill(out, at.length, length, -1);
        return out;
    }

    private void writeChunk(int c, int entries) {
        chunkAt[c] = file.append(chunks[c], 0, entries);
    }

    /** Entries stored in chunk {@code c}. */
    private int entriesOf(int c) {
        return (int) Math.min(CHUNK, size() - ((long) c << CHUNK_BITS));
    }

    /** Chunk {@code c} from the file, into the cache (the chunk cached before goes back to the file if changed). */
    private int[] load(int c) {
        if (chunkAt == null || chunkAt[c] < 0) throw new IllegalStateException("chunk " + c + " was released");
        if (cached >= 0) {
            if (dirty) file.write(chunkAt[cached], cache, 0, entriesOf(cached));
            chunks[cached] = null;
        }
        if (cache == null) cache = new int[CHUNK];
        file.read(chunkAt[c], cache, 0, entriesOf(c));
        chunks[c] = cache;
        cached = c;
        dirty = false;
        return cache;
    }

    int get(long i) {
        int[] chunk = chunks[(int) (i >>> CHUNK_BITS)];
        if (chunk == null) chunk = load((int) (i >>> CHUNK_BITS));
        return chunk[(int) (i & (CHUNK - 1))];
    }

    void set(long i, int v) {
        int c = (int) (i >>> CHUNK_BITS);
        int[] chunk = chunks[c];
        if (chunk == null) chunk = load(c);
        chunk[(int) (i & (CHUNK - 1))] = v;
        if (c == cached) dirty = true;
    }

    long size() {
        return full + pos;
    }

    static final int CHUNK_SIZE = CHUNK;

    /** Chunk {@code c} of the storage: entries c * CHUNK_SIZE onwards, for reading. */
    int[] chunk(int c) {
        int[] chunk = chunks[c];
        return chunk != null ? chunk : load(c);
    }

    /** Drops chunk {@code c}'s storage (its entries must not be read again); the size stays. */
    void releaseChunk(int c) {
        chunks[c] = null;
        if (chunkAt != null) chunkAt[c] = -1;
        if (cached == c) cached = -1;
    }

    /**
     * From now on each chunk goes to {@code file} as soon as it is full: the list keeps one chunk
     * in memory while it grows (and one more, the cache, when read).
     */
    void spillAsItGrows(SpillFile file) {
        useFile(file);
        evicting = true;
    }

    private void useFile(SpillFile f) {
        if (file == null) {
            file = f;
            chunkAt = grownAt(new long[0], chunks.length);
        } else if (file != f) {
            throw new IllegalStateException("a list spills to one file");
        }
    }

    /**
     * Writes the entries to {@code file} and drops the storage, keeping the size; {@link #unspill}
     * brings them back. Entries can still be read and written meanwhile (through the cache, one
     * chunk at a time: slowly, unless in order).
     */
    void spill(SpillFile file) {
        if (spilled || current == NONE) return;
        useFile(file);
        if (cached >= 0 && dirty) this.file.write(chunkAt[cached], cache, 0, entriesOf(cached));
        int last = (int) (full >>> CHUNK_BITS);
        for (int c = 0; c <= last; c++) {
            if (chunks[c] != null && c != cached) writeChunk(c, entriesOf(c));
            chunks[c] = null;
        }
        lastLength = current.length;
        current = NONE;
        cache = null;
        cached = -1;
        dirty = false;
        spilled = true;
    }

    /**
     * True when every chunk is in memory: only then may several threads read the list at once
     * (a chunk in the file is read back through the one cache).
     */
    boolean inMemory() {
        return !evicting && !spilled;
    }

    /** True between {@link #spill} and {@link #unspill}. */
    boolean isSpilled() {
        return spilled;
    }

    /** Reads the entries {@link #spill} wrote back into new storage. */
    void unspill() {
        if (!spilled) return;
        if (cached >= 0 && dirty) file.write(chunkAt[cached], cache, 0, entriesOf(cached));
        cache = null;
        cached = -1;
        int last = (int) (full >>> CHUNK_BITS);
        for (int c = 0; c <= last; c++) {
            chunks[c] = new int[c == last ? lastLength : CHUNK];
            file.read(chunkAt[c], chunks[c], 0, entriesOf(c));
        }
        current = chunks[last];
        spilled = false;
        evicting = false;
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
        if (spilled) throw new IllegalStateException("appending to a spilled list");
        if (evicting) {
            // Chunks adopted as they are would skip the file: entry by entry, add() spills them.
            for (long i = 0; i < n; i++) add(map(other.get(i), delta, from, numbers));
            other.clear();
            return;
        }
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
        file = null;
        chunkAt = null;
        evicting = false;
        spilled = false;
        cache = null;
        cached = -1;
        dirty = false;
    }

    /** The entries as one new array; the list stays as it is. */
    int[] toArray() {
        long size = size();
        int[] out = new int[Math.toIntExact(size)];
        int at = 0;
        for (int c = 0; at < size; c++) {
            int n = entriesOf(c);
            if (chunks[c] != null) {
                System.arraycopy(chunks[c], 0, out, at, n);
            } else {
                file.read(chunkAt[c], out, at, n);
            }
            at += n;
        }
        return out;
    }

    /** The entries as one array; the list is emptied chunk by chunk as they are copied. */
    int[] toArrayAndClear() {
        long size = size();
        int[] out = new int[Math.toIntExact(size)];
        int at = 0;
        for (int c = 0; at < size; c++) {
            int n = entriesOf(c);
            System.arraycopy(chunk(c), 0, out, at, n);
            releaseChunk(c);
            at += n;
        }
        clear();
        return out;
    }
}
