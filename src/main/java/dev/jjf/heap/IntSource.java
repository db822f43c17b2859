package dev.jjf.heap;

/**
 * Ints read once, in order: from an array, from a list (a chunk at a time, through its cache when
 * spilled), or from a {@link SpillFile} (a block at a time). What a phase that walks the
 * references front to back reads them with, wherever they are.
 */
final class IntSource {
    private final SpillFile file;
    private final long at;
    private final IntList list;
    private final long count;
    private int[] buffer;
    private int pos;
    private int limit;
    /** Index of buffer[0] in the whole sequence. */
    private long base;

    /** The whole array. */
    IntSource(int[] array) {
        this.file = null;
        this.at = 0;
        this.list = null;
        this.count = array.length;
        this.buffer = array;
        this.limit = array.length;
    }

    /** The whole list. */
    IntSource(IntList list) {
        this.file = null;
        this.at = 0;
        this.list = list;
        this.count = list.size();
        this.buffer = new int[0];
    }

    /** {@code count} ints written from byte {@code at} of {@code file}. */
    IntSource(SpillFile file, long at, long count) {
        this.file = file;
        this.at = at;
        this.list = null;
        this.count = count;
        this.buffer = new int[IntSink.BLOCK];
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
        if (index >= count || (file == null && list == null)) throw new IllegalStateException("read past the end: " + index + " of " + count);
        if (list != null) {
            int c = (int) (index / IntList.CHUNK_SIZE);
            buffer = list.chunk(c);
            base = (long) c * IntList.CHUNK_SIZE;
            limit = (int) Math.min(IntList.CHUNK_SIZE, count - base);
        } else {
            limit = (int) Math.min(buffer.length, count - index);
            file.read(at + 4 * index, buffer, 0, limit);
            base = index;
        }
        pos = (int) (index - base);
    }
}
