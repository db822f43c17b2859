package dev.jjf.stacks;

/**
 * What kind of frame this is; decides its colour, annotation and legend entry. Kinds come in
 * families (code for native profiles, heap for heap dumps); a legend shows the families a graph uses.
 */
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
    UNKNOWN("unknown", "", "#a0a0a0"),
    /** Heap graphs: a GC root (a thread's frame, a class's static fields, a JNI reference). */
    HEAP_ROOT("root", "_[r]", "#8e5cc8", Family.HEAP),
    /** Heap graphs: objects of an application's (or library's) class. */
    APP_CLASS("app-class", "_[a]", "#2cb5a0", Family.HEAP),
    /** Heap graphs: objects of a JDK class (java.*, javax.*, jdk.*, sun.*, com.sun.*). */
    JDK_CLASS("jdk-class", "_[d]", "#4a6fd0", Family.HEAP),
    /** Heap graphs: arrays. */
    ARRAY("array", "_[y]", "#e377c2", Family.HEAP),
    /** Heap graphs: native memory a Java object owns (estimated). */
    NATIVE_OWNED("native-owned", "_[n]", "#7a1f5c", Family.HEAP);

    /** Which graphs a kind belongs to. */
    public enum Family {
        /** Stacks of native profiles. */
        CODE,
        /** Paths of heap dumps. */
        HEAP
    }

    private final String id;
    private final String annotation;
    private final String colour;
    private final Family family;

    FrameKind(String id, String annotation, String colour) {
        this(id, annotation, colour, Family.CODE);
    }

    FrameKind(String id, String annotation, String colour, Family family) {
        this.id = id;
        this.annotation = annotation;
        this.colour = colour;
        this.family = family;
    }

    /** The graphs this kind is drawn in; a legend lists the kinds of the families a graph uses. */
    public Family family() {
        return family;
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
            case HEAP_ROOT -> "GC roots";
            case APP_CLASS -> "Application classes";
            case JDK_CLASS -> "JDK classes";
            case ARRAY -> "Arrays";
            case NATIVE_OWNED -> "Native memory owned (estimated)";
        };
    }
}
