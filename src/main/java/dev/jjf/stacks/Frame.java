package dev.jjf.stacks;

import dev.jjf.model.FrameKind;

/** One named, classified frame of a folded stack. */
public record Frame(String name, FrameKind kind) {
    // Written out: a record's generated equals and hashCode are linked by an invokedynamic
    // bootstrap on first use, which a command-line run pays at start-up.
    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.kind == kind && f.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + kind.hashCode();
    }
}
