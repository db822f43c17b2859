package dev.jjf.heap;

/**
 * Ints produced in order and not read until later, written a block at a time: into an array, or
 * appended to a {@link SpillFile} while the phase producing them needs the room. The producer
 * stores entry k at {@code block[k & MASK]} and calls {@link #flush} whenever its count reaches
 * a multiple of {@link #BLOCK}, and once at the end.
 */
final class IntSink {
    static final int BLOCK = 1 << 16;
    static final int MASK = BLOCK - 1;
    final int[] block = new int[BLOCK];
    private final int[] array;
    private final SpillFile file;
    /** Where the entries start in the file (-1 before the first is written), and how many are written. */
    private long at = -1;
    private long written;

    /** Into {@code array} when it is not null, else into {@code file}. */
    IntSink(int[] array, SpillFile file) {
        this.array = array;
        this.file = file;
    }

    /** Writes the entries from the last flush up to {@code count} (exclusive). */
    void flush(long count) {
        int from = (int) (written & MASK);
        int len = (int) (count - written);
        if (len == 0) return;
        if (array != null) {
            System.arraycopy(block, from, array, (int) written, len);
        } else {
            long where = file.append(block, from, len);
            if (at < 0) at = where;
        }
        written = count;
    }

    /** The array given, or the entries read back from the file into one of {@code count} entries. */
    int[] toArray(int count) {
        return array != null ? array : file.read(at, count);
    }

    /** Where the spilled entries start in the file (entry k is 4k bytes further), or -1 if none was spilled. */
    long fileOffset() {
        return at;
    }
}
