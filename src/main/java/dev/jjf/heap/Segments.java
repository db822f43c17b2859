package dev.jjf.heap;

/**
 * FFM native segments: a slice is a segment of its own over its parent's memory, so within one
 * scope a segment inside another counts nothing; the outermost ones own the memory.
 */
final class Segments {
    private Segments() {
    }

    /** {@code segments}: (owner, min, length, scope id) per segment, appended to the owner lists. */
    static void dedupe(LongList segments, IdIndex index, IntList owners, LongList bytes, IntList kinds) {
        int n = (int) (segments.size() / 4);
        if (n == 0) return;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> {
            int c = Long.compare(segments.get(a * 4L + 3), segments.get(b * 4L + 3));
            if (c != 0) return c;
            c = Long.compare(segments.get(a * 4L + 1), segments.get(b * 4L + 1));
            return c != 0 ? c : Long.compare(segments.get(b * 4L + 2), segments.get(a * 4L + 2));
        });
        long scope = 0;
        long end = Long.MIN_VALUE;
        for (int k = 0; k < n; k++) {
            long base = order[k] * 4L;
            long s = segments.get(base + 3);
            long min = segments.get(base + 1);
            long len = segments.get(base + 2);
            if (s == scope && min + len <= end && k > 0) continue;
            scope = s;
            end = min + len;
            owners.add((int) segments.get(base));
            bytes.add(len);
            kinds.add(NativeKind.FFM_SEGMENT.ordinal());
        }
    }
}
