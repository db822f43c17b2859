package dev.jjf.heap;

/**
 * Object ids (sparse addresses) to dense object numbers: the ids sorted, with the dump order
 * beside them when the dump was not already in address order, and a bucket table over the id
 * range so that a lookup is a short binary search within one bucket.
 */
final class IdIndex {
    /** About this many ids per bucket. */
    private static final int IDS_PER_BUCKET = 8;

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

    /** Takes ownership of {@code ids} (in dense order) and sorts them. */
    IdIndex(long[] ids) {
        int n = ids.length;
        boolean inOrder = true;
        for (int i = 1; i < n && inOrder; i++) inOrder = ids[i - 1] < ids[i];
        int[] order = null;
        if (!inOrder) {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            sort(ids, order);
        }
        long dup = 0;
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

    /** The dense number of {@code id}, or -1 when no object has it. */
    int find(long id) {
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
