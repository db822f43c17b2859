package dev.jjf.symbols;

/**
 * Sorts the indexes 0..n-1 of columns held in primitive arrays (symbol tables, perf maps), with no
 * boxing: a stable bottom-up merge sort, skipped when the input is in order already, as symbol
 * tables and most of a perf map are.
 */
final class IndexSort {
    /** Compares the rows at two indexes. */
    @FunctionalInterface
    interface Order {
        int compare(int a, int b);
    }

    private IndexSort() {
    }

    /** The indexes 0..n-1 in {@code order}; equal rows keep their index order. */
    static int[] sorted(int n, Order order) {
        int[] a = new int[n];
        boolean inOrder = true;
        for (int i = 0; i < n; i++) {
            a[i] = i;
            if (i > 0 && order.compare(i - 1, i) > 0) inOrder = false;
        }
        if (inOrder) return a;
        int[] b = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) b[k++] = order.compare(a[j], a[i]) < 0 ? a[j++] : a[i++];
                while (i < mid) b[k++] = a[i++];
                while (j < hi) b[k++] = a[j++];
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }
}
