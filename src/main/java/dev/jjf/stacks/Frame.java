package dev.jjf.stacks;

import dev.jjf.model.FrameKind;

/**
 * One named, classified frame of a folded stack.
 *
 * @param file the source file of the frame's function, "" when unknown
 * @param line the source line when the graph is split by line ({@code --lines}), else 0
 */
public record Frame(String name, FrameKind kind, String file, int line) {
    /** A frame with no source position. */
    public Frame(String name, FrameKind kind) {
        this(name, kind, "", 0);
    }

    // Written out: a record's generated equals and hashCode are linked by an invokedynamic
    // bootstrap on first use, which a command-line run pays at start-up.
    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.kind == kind && f.name.equals(name) && f.line == line && f.file.equals(file);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + kind.hashCode()) * 31 + line;
    }
}
