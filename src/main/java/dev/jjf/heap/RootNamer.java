package dev.jjf.heap;

import java.util.Map;

/** Names roots for people: a local variable by its thread, method and line; static fields by their class. */
final class RootNamer {
    // HPROF's line numbers below 1.
    private static final int LINE_COMPILED = -2;
    private static final int LINE_NATIVE = -3;

    private final HprofParser p;
    private final Map<Long, String> threadNames;

    RootNamer(HprofParser p, Map<Long, String> threadNames) {
        this.p = p;
        this.threadNames = threadNames;
    }

    HeapGraph.RootLabel label(RootKind kind, long id, int thread, int frame) {
        String name = switch (kind) {
            case JAVA_FRAME, JNI_LOCAL -> thread(thread) + " in " + frame(thread, frame)
                    + (kind == RootKind.JNI_LOCAL ? " (JNI local)" : "");
            case THREAD_OBJECT -> thread(thread);
            case CLASS_STATICS, STICKY_CLASS -> "static fields of " + p.className(p.classFor(id));
            case NATIVE_STACK, THREAD_BLOCK, JNI_MONITOR -> kind.label() + " of " + thread(thread);
            default -> kind.label();
        };
        return new HeapGraph.RootLabel(kind, name);
    }

    private String thread(int serial) {
        Long obj = p.threadObjectBySerial.get(serial);
        String name = obj == null ? null : threadNames.get(obj);
        return name != null ? "thread \"" + name + "\"" : "thread #" + serial;
    }

    /** "dev.Foo.bar(Foo.java:42)", or "an unknown frame". */
    private String frame(int threadSerial, int frameNumber) {
        Integer traceSerial = p.threadTraceBySerial.get(threadSerial);
        long[] trace = traceSerial == null ? null : p.traces.get(traceSerial);
        if (trace == null || frameNumber < 0 || frameNumber >= trace.length) return "an unknown frame";
        long[] f = p.frames.get(trace[frameNumber]);
        if (f == null) return "an unknown frame";
        String method = p.strings.getOrDefault(f[0], "?");
        Long classId = p.classIdBySerial.get((int) f[3]);
        String cls = classId == null ? "?" : p.className(p.classFor(classId));
        String source = p.strings.get(f[2]);
        int line = (int) f[4];
        String where = line > 0 ? (source == null ? "line " + line : source + ":" + line)
                : line == LINE_NATIVE ? "native method" : line == LINE_COMPILED ? (source == null ? "compiled" : source) : source == null ? "unknown line" : source;
        return cls + "." + method + "(" + where + ")";
    }
}
