package dev.jjf.heap;

/**
 * Object ids (sparse addresses) to dense object numbers. Ids that {@link IdCodec} packs into an
 * int, when they lie close enough together (a HotSpot heap), are bits in a bitmap of 8-byte
 * granules, with the count of set bits before each 64-bit word beside it: a lookup is one cache
 * line and a popcount, and building it is two linear passes (no sort). The other ids (or all of
 * them, when the heap is too sparse for a bitmap) are sorted, with a bucket table over their
 * range so that a lookup is a short binary search within one bucket.
 */
final class IdIndex {
    /** About this many ids per bucket. */
    private static final int IDS_PER_BUCKET = 8;
    /**
     * A bitmap is used while its range is at most this many granules per object (it then costs
     * at most 8 bytes per object with the counts; a compact heap of small objects, ~1).
     */
    private static final long MAX_GRANULES_PER_OBJECT = 32;
    private static final long MIN_BITMAP_GRANULES = 1 << 12;

    /** Null when no bitmap is used (then every id is in the sorted part). */
    private final IdCodec codec;
    /** [2w]: the bits of word w; [2w + 1]: the number of set bits before word w (the rank). */
    private final long[] table;
    /** Packed value (unsigned) of the bitmap's first granule, and the bitmap's length. */
    private final long minPacked;
    private final long granules;
    /** Dense number of each rank; null when the ids came in ascending order (then it is the rank). */
    private final int[] denseOfRank;

    // The sorted part.
    private final long[] sorted;
    /** Dense number of sorted[i]; null when the ids came sorted (then it is i). */
    private final int[] dense;
    private final long min;
    private final int shift;
    private final int[] buckets;
    /** Largest id minus the smallest, unsigned. */
    private final long range;
    /** Ids given more than once; lookups find the first. */
    final long duplicates;

    /** Takes ownership of {@code ids} (in dense order) and sorts them: no bitmap. */
    IdIndex(long[] ids) {
        this(null, null, 0, 0, null, ids, null, 0);
    }

    private IdIndex(IdCodec codec, long[] table, long minPacked, long granules, int[] denseOfRank, long[] ids, int[] order,
                    long bitmapDuplicates) {
        this.codec = codec;
        this.table = table;
        this.minPacked = minPacked;
        this.granules = granules;
        this.denseOfRank = denseOfRank;
        int n = ids.length;
        boolean inOrder = true;
        for (int i = 1; i < n && inOrder; i++) inOrder = ids[i - 1] < ids[i];
        if (!inOrder) {
            if (order == null) {
                order = new int[n];
                for (int i = 0; i < n; i++) order[i] = i;
            }
            sort(ids, order);
            // Equal ids: a lookup finds the first of the run, which names the first in dump order
            // (the sort is not stable), as the bitmap part does.
            for (int i = 0; i < n; ) {
                int first = order[i];
                int j = i + 1;
                for (; j < n && ids[j] == ids[i]; j++) first = Math.min(first, order[j]);
                order[i] = first;
                i = j;
            }
        }
        long dup = bitmapDuplicates;
        for (int i = 1; i < n; i++) {
            if (ids[i] == ids[i - 1]) dup++;
        }
        duplicates = dup;
        sorted = ids;
        dense = order;
        min = n == 0 ? 0 : ids[0];
        range = n == 0 ? 0 : ids[n - 1] - min;
        long want = Math.max(1, n / IDS_PER_BUCKET);
        int s = 0;
        while (s < 63 && Long.compareUnsigned(range >>> s, want) >= 0) s++;
        shift = s;
        int nb = (int) (range >>> s) + 1;
        buckets = new int[nb + 1];
        // buckets[b] = first sorted index whose bucket is >= b.
        int b = 0;
        for (int i = 0; i < n; i++) {
            int bi = (int) ((ids[i] - min) >>> s);
            while (b <= bi) buckets[b++] = i;
        }
        while (b <= nb) buckets[b++] = n;
    }

    /** At least this many ids are worth a second thread for their ranks' dense numbers. */
    static final long MIN_PARALLEL_IDS = 1 << 20;

    /** The index of these ids (in dense order); empties {@code ids} as it goes. */
    static IdIndex of(IdList ids) {
        return of(ids, Runtime.getRuntime().availableProcessors() > 1 ? MIN_PARALLEL_IDS : -1);
    }

    /**
     * {@link #of(IdList)}; from {@code minParallel} ids on (a negative value: never), and when no id
     * repeats, the dense number of each rank is found on two threads, a chunk of ids at a time:
     * every rank then has exactly one id, so the chunks write to different ranks.
     */
    static IdIndex of(IdList ids, long minParallel) {
        IntList packed = ids.packed;
        long n = packed.size();
        long lo = Long.MAX_VALUE;
        long hi = -1;
        long count = 0;
        boolean ascending = ids.escaped.size() == 0;
        long prev = -1;
        for (long i = 0; i < n; i++) {
            int v = packed.get(i);
            if (v == IdCodec.ESCAPE) continue;
            long u = v & 0xffffffffL;
            if (u < lo) lo = u;
            if (u > hi) hi = u;
            if (u <= prev) ascending = false;
            prev = u;
            count++;
        }
        long span = hi - lo + 1;
        if (count == 0 || span > MAX_GRANULES_PER_OBJECT * count + MIN_BITMAP_GRANULES) {
            long[] all = new long[Math.toIntExact(n)];
            long k = 0;
            for (long i = 0; i < n; i++) {
                int v = packed.get(i);
                all[(int) i] = v == IdCodec.ESCAPE ? ids.escaped.get(k++) : ids.codec.decode(v);
            }
            packed.clear();
            ids.escaped.clear();
            return new IdIndex(all);
        }
        int words = (int) ((span + 63) >>> 6);
        long[] table = new long[2 * words];
        long first = lo;
        long dup = setBits(packed, first, table);
        long rank = 0;
        for (int w = 0; w < words; w++) {
            table[2 * w + 1] = rank;
            rank += Long.bitCount(table[2 * w]);
        }
        int[] denseOfRank = ascending ? null : new int[(int) rank];
        if (denseOfRank != null) {
            int chunks = (int) ((n + IntList.CHUNK_SIZE - 1) / IntList.CHUNK_SIZE);
            boolean unique = dup == 0;
            if (unique && minParallel >= 0 && n >= minParallel && chunks >= 2 && packed.inMemory()) {
                TwoThreads.run("jjf-hprof-ids", chunks, c -> denseOfRanks(packed, first, table, denseOfRank, c, true));
            } else {
                if (!unique) java.util.Arrays.fill(denseOfRank, -1);
                for (int c = 0; c < chunks; c++) denseOfRanks(packed, first, table, denseOfRank, c, unique);
            }
        }
        int escapedCount = (int) ids.escaped.size();
        long[] escaped = new long[escapedCount];
        int[] escapedDense = new int[escapedCount];
        for (long i = 0, e = 0; e < escapedCount; i++) {
            if (packed.get(i) == IdCodec.ESCAPE) {
                escaped[(int) e] = ids.escaped.get(e);
                escapedDense[(int) e++] = (int) i;
            }
        }
        packed.clear();
        ids.escaped.clear();
        return new IdIndex(ids.codec, table, lo, span, denseOfRank, escaped, escapedDense, dup);
    }

    /** Sets the bits of the packed ids; returns how many were set already (duplicates). */
    private static long setBits(IntList packed, long lo, long[] table) {
        long n = packed.size();
        long dup = 0;
        for (int c = 0; (long) c * IntList.CHUNK_SIZE < n; c++) {
            int[] chunk = packed.chunk(c);
            int count = (int) Math.min(chunk.length, n - (long) c * IntList.CHUNK_SIZE);
            for (int i = 0; i < count; i++) {
                int v = chunk[i];
                if (v == IdCodec.ESCAPE) continue;
                long off = (v & 0xffffffffL) - lo;
                int w = (int) (off >>> 6);
                long bit = 1L << off;
                if ((table[2 * w] & bit) != 0) {
                    dup++;
                } else {
                    table[2 * w] |= bit;
                }
            }
        }
        return dup;
    }

    /**
     * For the ids of chunk {@code c}: their dense number at their rank; unless {@code unique} (no
     * id repeats), only where no id before them has it (-1: none yet).
     */
    private static void denseOfRanks(IntList packed, long lo, long[] table, int[] denseOfRank, int c, boolean unique) {
        int[] chunk = packed.chunk(c);
        int base = c * IntList.CHUNK_SIZE;
        int count = (int) Math.min(chunk.length, packed.size() - base);
        for (int i = 0; i < count; i++) {
            int v = chunk[i];
            if (v == IdCodec.ESCAPE) continue;
            long off = (v & 0xffffffffL) - lo;
            int w = (int) (off >>> 6);
            long bit = 1L << off;
            int r = (int) table[2 * w + 1] + Long.bitCount(table[2 * w] & (bit - 1));
            if (unique || denseOfRank[r] < 0) denseOfRank[r] = base + i;
        }
    }

    /** The dense number of {@code id}, or -1 when no object has it. */
    int find(long id) {
        if (table != null) {
            int v = codec.encode(id);
            if (v != IdCodec.ESCAPE) return findPacked(v);
        }
        return findSorted(id);
    }

    /** {@link #find} of an id that {@link IdCodec#encode} packed into {@code v} (not {@link IdCodec#ESCAPE}). */
    int find(int v, IdCodec c) {
        if (table == null) return findSorted(c.decode(v));
        return findPacked(v);
    }

    private int findPacked(int v) {
        long off = (v & 0xffffffffL) - minPacked;
        if (off < 0 || off >= granules) return -1;
        int w = (int) (off >>> 6);
        long word = table[2 * w];
        long bit = 1L << off;
        if ((word & bit) == 0) return -1;
        int r = (int) table[2 * w + 1] + Long.bitCount(word & (bit - 1));
        return denseOfRank == null ? r : denseOfRank[r];
    }

    private int findSorted(long id) {
        long off = id - min;
        if (sorted.length == 0 || Long.compareUnsigned(off, range) > 0) return -1;
        long bl = off >>> shift;
        if (bl >= buckets.length - 1) return -1;
        int lo = buckets[(int) bl];
        int hi = buckets[(int) bl + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = sorted[mid];
            if (v < id) {
                lo = mid + 1;
            } else if (v > id) {
                hi = mid - 1;
            } else {
                while (mid > 0 && sorted[mid - 1] == id) mid--;
                return dense == null ? mid : dense[mid];
            }
        }
        return -1;
    }

    /**
     * Sorts keys with their payload in place (no second copy of either: at this point the dump's
     * references are still held as longs, so memory is at its peak). Quicksort with a median of
     * three, insertion sort for short ranges, heapsort when the recursion would go too deep.
     */
    static void sort(long[] keys, int[] payload) {
        int n = keys.length;
        if (n < 2) return;
        // Each range on the stack carries its own depth budget (introsort): a budget shared by
        // all ranges ran out after a few hundred partitions and sent most of a big dump to heapsort.
        int[] stack = new int[192];
        int top = 0;
        stack[top++] = 0;
        stack[top++] = n - 1;
        stack[top++] = 2 * (64 - Long.numberOfLeadingZeros(n));
        while (top > 0) {
            int budget = stack[--top];
            int hi = stack[--top];
            int lo = stack[--top];
            while (hi - lo > 16) {
                if (--budget < 0) {
                    heapSort(keys, payload, lo, hi);
                    lo = hi;
                    break;
                }
                int mid = (lo + hi) >>> 1;
                if (keys[mid] < keys[lo]) swap(keys, payload, mid, lo);
                if (keys[hi] < keys[lo]) swap(keys, payload, hi, lo);
                if (keys[hi] < keys[mid]) swap(keys, payload, hi, mid);
                long pivot = keys[mid];
                int i = lo;
                int j = hi;
                while (i <= j) {
                    while (keys[i] < pivot) i++;
                    while (keys[j] > pivot) j--;
                    if (i <= j) swap(keys, payload, i++, j--);
                }
                // The smaller side next, the larger one on the stack: the stack stays logarithmic.
                if (j - lo < hi - i) {
                    if (i < hi) {
                        stack[top++] = i;
                        stack[top++] = hi;
                        stack[top++] = budget;
                    }
                    hi = j;
                } else {
                    if (lo < j) {
                        stack[top++] = lo;
                        stack[top++] = j;
                        stack[top++] = budget;
                    }
                    lo = i;
                }
            }
            for (int i = lo + 1; i <= hi; i++) {
                long k = keys[i];
                int p = payload[i];
                int j = i - 1;
                while (j >= lo && keys[j] > k) {
                    keys[j + 1] = keys[j];
                    payload[j + 1] = payload[j];
                    j--;
                }
                keys[j + 1] = k;
                payload[j + 1] = p;
            }
        }
    }

    private static void heapSort(long[] keys, int[] payload, int lo, int hi) {
        int n = hi - lo + 1;
        for (int i = n / 2 - 1; i >= 0; i--) siftDown(keys, payload, lo, i, n);
        for (int end = n - 1; end > 0; end--) {
            swap(keys, payload, lo, lo + end);
            siftDown(keys, payload, lo, 0, end);
        }
    }

    private static void siftDown(long[] keys, int[] payload, int lo, int i, int n) {
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) return;
            if (c + 1 < n && keys[lo + c + 1] > keys[lo + c]) c++;
            if (keys[lo + i] >= keys[lo + c]) return;
            swap(keys, payload, lo + i, lo + c);
            i = c;
        }
    }

    private static void swap(long[] keys, int[] payload, int a, int b) {
        long k = keys[a];
        keys[a] = keys[b];
        keys[b] = k;
        int p = payload[a];
        payload[a] = payload[b];
        payload[b] = p;
    }
}
