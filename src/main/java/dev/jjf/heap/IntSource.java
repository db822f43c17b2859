package dev.jjf.heap;

/**
 * Ints read once, in order: from an array, or from a list a chunk at a time (through its cache
 * when spilled). What a phase that walks the references front to back reads them with, wherever
 * they are.
 */
final class IntSource {
    private final IntList list;
    private final long count;
    private int[] buffer;
    private int pos;
    private int limit;
    /** Index of buffer[0] in the whole sequence. */
    private long base;

    /** The whole array. */
    IntSource(int[] array) {
        this.list = null;
        this.count = array.length;
        this.buffer = array;
        this.limit = array.length;
    }

    /** The whole list. */
    IntSource(IntList list) {
        this.list = list;
        this.count = list.size();
        this.buffer = new int[0];
    }

    int next() {
        if (pos >= limit) refill();
        return buffer[pos++];
    }

    /** Passes over {@code n} ints. */
    void skip(int n) {
        pos += n;
    }

    private void refill() {
        long index = base + pos;
        if (index >= count || list == null) throw new IllegalStateException("read past the end: " + index + " of " + count);
        int c = (int) (index / IntList.CHUNK_SIZE);
        buffer = list.chunk(c);
        base = (long) c * IntList.CHUNK_SIZE;
        limit = (int) Math.min(IntList.CHUNK_SIZE, count - base);
        pos = (int) (index - base);
    }
}
