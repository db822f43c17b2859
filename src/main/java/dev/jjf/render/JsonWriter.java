package dev.jjf.render;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.Frame;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes the call tree as d3-flamegraph JSON plus a {@code kind} per node:
 * {@code {"name":"all","value":TOTAL,"unit":"bytes","children":[...]}}; values are inclusive.
 * A frame with a known source adds {@code "file"} and, split by line ({@code --lines}), {@code "line"}.
 * A differential tree adds {@code "delta"} (value minus the baseline's) to every node.
 */
public final class JsonWriter {
    public void write(CallTree tree, Writer out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("name", CallTree.ROOT_NAME);
            g.writeNumberField("value", Math.round(tree.total()));
            if (tree.isDifferential()) g.writeNumberField("delta", Math.round(tree.root().delta()));
            g.writeStringField("unit", tree.unit());
            writeChildren(tree.root(), g, tree.isDifferential());
            g.writeEndObject();
        }
    }

    private void writeNode(CallTree.Node node, JsonGenerator g, boolean differential) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", node.name());
        g.writeStringField("kind", node.kind().id());
        Frame frame = node.frame();
        if (frame != null && !frame.file().isEmpty()) g.writeStringField("file", frame.file());
        if (frame != null && frame.line() > 0) g.writeNumberField("line", frame.line());
        g.writeNumberField("value", Math.round(node.total()));
        if (differential) g.writeNumberField("delta", Math.round(node.delta()));
        writeChildren(node, g, differential);
        g.writeEndObject();
    }

    private void writeChildren(CallTree.Node node, JsonGenerator g, boolean differential) throws IOException {
        g.writeArrayFieldStart("children");
        for (CallTree.Node child : node.children()) writeNode(child, g, differential);
        g.writeEndArray();
    }
}
