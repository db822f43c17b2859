package dev.jjf.model;

/**
 * What one value of every sample counts, in pprof's words.
 *
 * @param type "inuse_space", "inuse_objects", "alloc_space", "alloc_objects", …
 * @param unit "bytes" or "count"
 */
public record SampleType(String type, String unit) {
    public static final SampleType INUSE_SPACE = new SampleType("inuse_space", "bytes");
    public static final SampleType INUSE_OBJECTS = new SampleType("inuse_objects", "count");
    public static final SampleType ALLOC_SPACE = new SampleType("alloc_space", "bytes");
    public static final SampleType ALLOC_OBJECTS = new SampleType("alloc_objects", "count");
}
