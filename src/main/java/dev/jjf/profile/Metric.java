package dev.jjf.profile;

/** What a flamegraph measures, with jeprof's unsampling of jemalloc's Poisson sampling. */
public enum Metric {
    INUSE_SPACE("inuse-space", "bytes"),
    INUSE_OBJECTS("inuse-objects", "objects"),
    ALLOC_SPACE("alloc-space", "bytes"),
    ALLOC_OBJECTS("alloc-objects", "objects");

    private final String id;
    private final String unit;

    Metric(String id, String unit) {
        this.id = id;
        this.unit = unit;
    }

    /** Command-line name, e.g. "inuse-space". */
    public String id() {
        return id;
    }

    /** "bytes" or "objects". */
    public String unit() {
        return unit;
    }

    /** Parses a command-line name; null when unknown. */
    public static Metric fromId(String id) {
        for (Metric m : values()) {
            if (m.id.equals(id)) return m;
        }
        return null;
    }

    /**
     * The stack's estimated true value. An allocation of size X is sampled with probability
     * 1 - exp(-X / period), so each recorded pair is scaled by the inverse of that, using the
     * pair's mean object size: the same formula as jeprof's AdjustSamples for heap_v2.
     */
    public double value(StackSample s, long periodBytes) {
        boolean accum = this == ALLOC_SPACE || this == ALLOC_OBJECTS;
        boolean space = this == INUSE_SPACE || this == ALLOC_SPACE;
        long objects = accum ? s.accumObjects() : s.objects();
        long bytes = accum ? s.accumBytes() : s.bytes();
        double raw = space ? bytes : objects;
        // Like jeprof, a pair with no objects is taken as written.
        return objects == 0 ? raw : raw * unsampleScale(objects, bytes, periodBytes);
    }

    static double unsampleScale(long objects, long bytes, long periodBytes) {
        // jeprof skips the adjustment for period 0; a zero-byte stack would divide by zero.
        if (periodBytes <= 0 || bytes <= 0) return 1.0;
        double ratio = ((double) bytes / objects) / periodBytes;
        // jeprof's 1 - exp(-ratio), without its rounding to 0 (an infinite scale) for tiny ratios.
        return 1.0 / -Math.expm1(-ratio);
    }
}
