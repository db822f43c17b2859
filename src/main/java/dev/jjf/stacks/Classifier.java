package dev.jjf.stacks;

import dev.jjf.symbols.Line;

/** Gives each symbolized line its one kind. */
final class Classifier {
    /** The JVM's own library: its C++ is "JVM code", every other library is "C code". */
    private static final String JVM_LIBRARY = "libjvm.so";

    private Classifier() {
    }

    static FrameKind kind(Line line) {
        return switch (line.source()) {
            case ELF -> JVM_LIBRARY.equals(line.library()) ? FrameKind.JVM : FrameKind.NATIVE;
            case JAVA -> FrameKind.JAVA;
            case JAVA_INLINED -> FrameKind.INLINED;
            case JVM_GENERATED -> FrameKind.GENERATED;
            case UNRESOLVED -> FrameKind.UNKNOWN;
        };
    }

    static Frame frame(Line line) {
        return new Frame(line.function(), kind(line));
    }
}
