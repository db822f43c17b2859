package dev.jjf.model;

/** What kind of code a frame is; decides its colour and annotation. */
public enum FrameKind {
    /** C code in any native library other than the JVM's. */
    NATIVE("native", "", "#f03c15"),
    /** A JIT-compiled Java method named by the perf map. */
    JAVA("java", "_[j]", "#5bc236"),
    /** A Java method inlined into a compiled one. */
    INLINED("inlined", "_[i]", "#00a5ff"),
    /** Code in libjvm.so. */
    JVM("jvm", "_[k]", "#ffeb2a"),
    /** Code the JVM generated: interpreter, stubs, adapters. */
    GENERATED("generated", "_[k]", "#c97a43"),
    /** Nothing could name it. */
    UNKNOWN("unknown", "", "#a0a0a0");

    private final String id;
    private final String annotation;
    private final String colour;

    FrameKind(String id, String annotation, String colour) {
        this.id = id;
        this.annotation = annotation;
        this.colour = colour;
    }

    /** Lower-case name used in JSON output and on the command line. */
    public String id() {
        return id;
    }

    /** flamegraph.pl's suffix for folded output with --annotate. */
    public String annotation() {
        return annotation;
    }

    /** Base colour as #rrggbb, from the original legend. */
    public String colour() {
        return colour;
    }

    /** Human label for legends. */
    public String label() {
        return switch (this) {
            case NATIVE -> "C code";
            case JAVA -> "Java code";
            case INLINED -> "Inlined Java code";
            case JVM -> "JVM code";
            case GENERATED -> "JVM generated code";
            case UNKNOWN -> "Unknown";
        };
    }
}
