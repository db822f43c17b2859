package dev.jjf.heap;

/** What the widths of a heap flamegraph measure. */
public enum HeapMetric {
    /** Bytes each path keeps alive: the dominator tree folded by class (the default). */
    RETAINED("retained", "bytes"),
    /** Bytes of the objects themselves, by class: a class histogram. */
    SHALLOW("shallow", "bytes"),
    /** Objects each path keeps alive, along the dominator tree. */
    COUNT("count", "objects"),
    /** Native memory Java objects own (estimated), along the dominator tree. */
    NATIVE("native", "bytes");

    private final String id;
    private final String unit;

    HeapMetric(String id, String unit) {
        this.id = id;
        this.unit = unit;
    }

    /** Command-line name. */
    public String id() {
        return id;
    }

    public String unit() {
        return unit;
    }

    /** Parses a command-line name; null when unknown. */
    public static HeapMetric fromId(String id) {
        for (HeapMetric m : values()) {
            if (m.id.equals(id)) return m;
        }
        return null;
    }
}
