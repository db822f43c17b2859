package dev.jjf.heap;

/**
 * Object ids in 4 bytes: HotSpot's ids are addresses, 8-byte aligned and (with compressed
 * references, below 32 GB of heap) within 32 GB of each other, so (id - base) / 8 fits an
 * unsigned int. Ids that do not fit (Native Image's odd class ids, test dumps' small numbers,
 * heaps without compressed references) encode as {@link #ESCAPE} and are kept aside as longs.
 */
final class IdCodec {
    /** Marks an id that is kept in full elsewhere. */
    static final int ESCAPE = -1;
    private static final int ALIGN_BITS = 3;
    /** Bits of id - base that must be clear for it to pack: the alignment's and those above 2^32 granules. */
    private static final long NOT_PACKED = ~(0xFFFF_FFFFL << ALIGN_BITS);
    /** The base is set this far below the first id, so that ids on either side of it encode. */
    private static final long BELOW_FIRST = 1L << 34;

    private long base;
    private boolean set;

    /** The id as an unsigned int of granules above the base, or {@link #ESCAPE}. The first id fixes the base. */
    int encode(long id) {
        if (!set) start(id);
        long d = id - base;
        // Aligned and below 2^32 granules; the one granule that reads as ESCAPE is kept in full too.
        return (d & NOT_PACKED) == 0 ? (int) (d >>> ALIGN_BITS) : ESCAPE;
    }

    private void start(long id) {
        long aligned = id & ~((1L << ALIGN_BITS) - 1);
        base = Long.compareUnsigned(aligned, BELOW_FIRST) < 0 ? 0 : aligned - BELOW_FIRST;
        set = true;
    }

    /** True once the first id has fixed the base (from then on encoding changes nothing here). */
    boolean started() {
        return set;
    }

    long decode(int packed) {
        return base + ((packed & 0xffffffffL) << ALIGN_BITS);
    }
}
