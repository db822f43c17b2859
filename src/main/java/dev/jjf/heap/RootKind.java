package dev.jjf.heap;

/** Why an object is a GC root, as HPROF (and ART, and Native Image) record it, named for people. */
public enum RootKind {
    // In order of preference when one object is a root for several reasons: the first names it.
    JAVA_FRAME("local variable"),
    THREAD_OBJECT("thread"),
    CLASS_STATICS("static fields"),
    STICKY_CLASS("system class"),
    JNI_LOCAL("JNI local reference"),
    JNI_GLOBAL("JNI global reference"),
    IMAGE_HEAP("image heap"),
    NATIVE_STACK("native stack"),
    THREAD_BLOCK("thread block"),
    MONITOR_USED("monitor in use"),
    INTERNED_STRING("interned string"),
    FINALIZING("waiting for finalization"),
    DEBUGGER("held by the debugger"),
    REFERENCE_CLEANUP("reference cleanup"),
    VM_INTERNAL("VM internal"),
    JNI_MONITOR("JNI monitor"),
    UNKNOWN("unknown root");

    private final String label;

    RootKind(String label) {
        this.label = label;
    }

    /** What a reader sees for roots of this kind that have no more specific name. */
    public String label() {
        return label;
    }
}
