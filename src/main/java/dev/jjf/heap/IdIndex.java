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
            mergeSort(ids, order);
        }
        long dup = 0;
        for (int i = 1; i < n; i++) {
            if (ids[i] == ids[i - 1]) dup++;
        }
        duplicates = dup;
        sorted = ids;
        dense = order;
        min = n == 0 ? 0 : ids[0];
        long range = n == 0 ? 0 : ids[n - 1] - min;
        long want = Math.max(1, n / IDS_PER_BUCKET);
        int s = 0;
        while (s < 63 && (range >>> s) >= want) s++;
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
        if (off < 0 || sorted.length == 0) return -1;
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
     * Stable bottom-up merge sort of keys with their payload, starting from the runs already in
     * order: a parallel dump is a few dozen sorted runs, so this is a few merge passes.
     */
    static void mergeSort(long[] keys, int[] payload) {
        int n = keys.length;
        if (n < 2) return;
        long[] k2 = new long[n];
        int[] p2 = new int[n];
        // Run boundaries.
        IntList runs = new IntList();
        runs.add(0);
        for (int i = 1; i < n; i++) {
            if (keys[i] < keys[i - 1]) runs.add(i);
        }
        runs.add(n);
        int[] bounds = new int[(int) runs.size()];
        for (int i = 0; i < bounds.length; i++) bounds[i] = runs.get(i);
        long[] srcK = keys;
        int[] srcP = payload;
        long[] dstK = k2;
        int[] dstP = p2;
        while (bounds.length > 2) {
            int[] next = new int[(bounds.length - 1 + 1) / 2 + 1];
            int nb = 0;
            for (int r = 0; r + 1 < bounds.length; r += 2) {
                int lo = bounds[r];
                int mid = bounds[r + 1];
                int hi = r + 2 < bounds.length ? bounds[r + 2] : mid;
                next[nb++] = lo;
                int i = lo;
                int j = mid;
                int o = lo;
                while (i < mid && j < hi) {
                    if (srcK[j] < srcK[i]) {
                        dstK[o] = srcK[j];
                        dstP[o++] = srcP[j++];
                    } else {
                        dstK[o] = srcK[i];
                        dstP[o++] = srcP[i++];
                    }
                }
                while (i < mid) {
                    dstK[o] = srcK[i];
                    dstP[o++] = srcP[i++];
                }
                while (j < hi) {
                    dstK[o] = srcK[j];
                    dstP[o++] = srcP[j++];
                }
                if (r + 2 >= bounds.length) break;
            }
            next[nb++] = n;
            bounds = java.util.Arrays.copyOf(next, nb);
            long[] tk = srcK;
            srcK = dstK;
            dstK = tk;
            int[] tp = srcP;
            srcP = dstP;
            dstP = tp;
        }
        if (srcK != keys) {
            System.arraycopy(srcK, 0, keys, 0, n);
            System.arraycopy(srcP, 0, payload, 0, n);
        }
    }
}
