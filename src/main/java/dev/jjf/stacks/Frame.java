package dev.jjf.stacks;

import dev.jjf.model.FrameKind;

/** One named, classified frame of a folded stack. */
public record Frame(String name, FrameKind kind) {
}
