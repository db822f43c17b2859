package dev.jjf.stacks;

/** One named, classified frame of a folded stack. */
public record Frame(String name, FrameKind kind) {
}
