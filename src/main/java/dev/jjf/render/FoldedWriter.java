package dev.jjf.render;

import dev.jjf.model.FrameKind;
import dev.jjf.stacks.CallTree;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes folded stacks ({@code root;...;leaf value}), the input of flamegraph.pl and speedscope.
 * Values are truncated to whole units, as jeprof --collapsed prints them. A differential tree
 * is written as {@code stack before after}, the form flamegraph.pl's difffolded.pl produces.
 */
public final class FoldedWriter {
    private final boolean annotate;

    /** @param annotate append flamegraph.pl's kind suffixes (_[j], _[i], _[k]) */
    public FoldedWriter(boolean annotate) {
        this.annotate = annotate;
    }

    public void write(CallTree tree, Writer out) throws IOException {
        StringBuilder prefix = new StringBuilder(256);
        for (CallTree.Node child : tree.root().children()) write(child, prefix, out, tree.isDifferential());
    }

    private void write(CallTree.Node node, StringBuilder prefix, Writer out, boolean differential) throws IOException {
        int mark = prefix.length();
        if (mark > 0) prefix.append(';');
        appendName(prefix, node.name(), node.kind());
        long self = (long) node.self();
        if (differential) {
            // flamegraph.pl's difffolded form: "stack before after".
            long base = (long) node.baseSelf();
            if (self > 0 || base > 0) {
                out.append(prefix).append(' ').append(Long.toString(base)).append(' ').append(Long.toString(self)).append('\n');
            }
        } else if (self > 0) {
            out.append(prefix).append(' ').append(Long.toString(self)).append('\n');
        }
        for (CallTree.Node child : node.children()) write(child, prefix, out, differential);
        prefix.setLength(mark);
    }

    /** Semicolons separate frames and a newline ends a record: neither may appear in a name. */
    private void appendName(StringBuilder sb, String name, FrameKind kind) {
        if (name.indexOf(';') < 0 && name.indexOf('\n') < 0 && name.indexOf('\r') < 0) {
            sb.append(name); // nearly every name: one copy instead of a call per character
        } else {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                sb.append(c == ';' ? ':' : c == '\n' || c == '\r' ? ' ' : c);
            }
        }
        if (annotate) sb.append(kind.annotation());
    }
}
