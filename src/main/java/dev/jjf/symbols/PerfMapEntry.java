package dev.jjf.symbols;

import java.util.List;

/**
 * One perf-map entry: a code range and its name as written.
 *
 * @param name the raw name; an inlined range is written as {@code outer->inner->innermost}
 */
public record PerfMapEntry(long start, long size, String name) {

    /** Exclusive end address. */
    public long end() {
        return start + size;
    }

    /**
     * The Java methods this range executes, outermost first, in {@code pkg.Class.method(args)}
     * form, without their source positions; empty when the range is JVM-generated code (interpreter, stubs, adapters).
     */
    public List<String> javaFrames() {
        return JavaNames.methodChain(SourcePositions.of(name).bareName());
    }
}
