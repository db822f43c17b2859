package dev.jjf.render;

import dev.jjf.model.FrameKind;
import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.Frame;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The call tree as a table for a terminal, like {@code pprof -top}: one row per frame (name and
 * kind) with its flat value (stacks that end in it), its cumulative value (stacks that pass
 * through it, counted once when it recurses), their percentages of the total and the running sum
 * of flat percentages; biggest flat first. A differential tree adds the change of the cumulative
 * value since the baseline.
 */
public final class TextWriter {
    private final int rows;

    /** @param rows how many frames to list at most */
    public TextWriter(int rows) {
        this.rows = rows;
    }

    /** One frame's sums over the whole tree. */
    static final class Row {
        final Frame frame;
        double flat;
        double cum;
        double baseCum;

        Row(Frame frame) {
            this.frame = frame;
        }
    }

    public void write(CallTree tree, Writer out) throws IOException {
        List<Row> all = rows(tree);
        all.sort(Comparator.comparingDouble((Row r) -> -r.flat).thenComparingDouble(r -> -r.cum)
                .thenComparing(r -> r.frame.name()).thenComparing(r -> r.frame.kind()));
        double total = tree.total();
        String unit = tree.unit();
        boolean diff = tree.isDifferential();
        int shown = Math.min(rows, all.size());
        double shownFlat = 0;
        for (int i = 0; i < shown; i++) shownFlat += all.get(i).flat;
        StringBuilder b = new StringBuilder();
        b.append("Total: ").append(Units.format(total, unit));
        if (diff) b.append(", change since the baseline ").append(signed(tree.root().delta(), unit));
        b.append("; showing ").append(shown).append(" of ").append(all.size()).append(" frames, ")
                .append(percent(shownFlat, total)).append(" of the total\n");
        b.append(String.format("%12s %7s %7s %12s %7s ", "flat", "flat%", "sum%", "cum", "cum%"));
        if (diff) b.append(String.format("%13s ", "cum change"));
        b.append(String.format("%-9s %s%n", "kind", "frame"));
        double sum = 0;
        for (int i = 0; i < shown; i++) {
            Row r = all.get(i);
            sum += r.flat;
            b.append(String.format("%12s %7s %7s %12s %7s ", Units.format(r.flat, unit), percent(r.flat, total), percent(sum, total),
                    Units.format(r.cum, unit), percent(r.cum, total)));
            if (diff) b.append(String.format("%13s ", signed(r.cum - r.baseCum, unit)));
            b.append(String.format("%-9s %s%n", r.frame.kind().id(), r.frame.name()));
        }
        out.write(b.toString());
    }

    /** Packages of the JDK itself: the code that called into them is the answer, not they. */
    private static final List<String> JDK_PACKAGES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");

    /**
     * The Java frames (compiled or inlined) that hold the most: each stack's value goes to its
     * innermost Java frame outside the JDK (the program's code that called into the JDK or into
     * native code), or to its innermost Java frame when all of them are the JDK's. Biggest first.
     */
    static List<Row> topJavaFrames(CallTree tree, int n) {
        Map<Frame, Row> rows = new HashMap<>();
        attributeToJava(tree.root(), null, rows);
        List<Row> out = new ArrayList<>(rows.values());
        out.sort(Comparator.comparingDouble((Row r) -> -r.flat).thenComparing(r -> r.frame.name()));
        return out.subList(0, Math.min(n, out.size()));
    }

    /** Lines for a terminal: value, share of the total, frame; or a line saying there is no Java frame. */
    public static List<String> describeTopJavaFrames(CallTree tree, int n) {
        List<Row> top = topJavaFrames(tree, n);
        List<String> out = new ArrayList<>();
        if (top.isEmpty()) {
            out.add("no Java frame on any stack (no perf map, or no Java code allocated native memory)");
            return out;
        }
        out.add("the " + top.size() + " Java frames that hold the most (each stack counted at its innermost Java frame outside the JDK):");
        for (Row r : top) {
            out.add(String.format("%12s %7s  %s", Units.format(r.flat, tree.unit()), percent(r.flat, tree.total()), r.frame.name()));
        }
        return out;
    }

    private static boolean isJava(FrameKind kind) {
        return kind == FrameKind.JAVA || kind == FrameKind.INLINED;
    }

    private static boolean isJdk(Frame f) {
        for (String p : JDK_PACKAGES) {
            if (f.name().startsWith(p)) return true;
        }
        return false;
    }

    /** Depth-first with an explicit stack: real trees are thousands of frames deep. */
    private static void attributeToJava(CallTree.Node root, Frame none, Map<Frame, Row> rows) {
        List<CallTree.Node> nodes = new ArrayList<>();
        // Per pending node: the innermost Java frame outside the JDK above it, and the innermost Java frame.
        List<Frame> app = new ArrayList<>();
        List<Frame> any = new ArrayList<>();
        nodes.add(root);
        app.add(none);
        any.add(none);
        while (!nodes.isEmpty()) {
            CallTree.Node node = nodes.remove(nodes.size() - 1);
            Frame a = app.remove(app.size() - 1);
            Frame j = any.remove(any.size() - 1);
            if (node.parent() != null && isJava(node.kind())) {
                j = node.frame();
                if (!isJdk(j)) a = j;
            }
            Frame owner = a != null ? a : j;
            if (owner != null && node.self() != 0) rows.computeIfAbsent(owner, Row::new).flat += node.self();
            for (CallTree.Node c : node.children()) {
                nodes.add(c);
                app.add(a);
                any.add(j);
            }
        }
    }

    private static List<Row> rows(CallTree tree) {
        Map<Frame, Row> rows = new HashMap<>();
        // How often each frame is on the path to the current node: a recursive frame's cum counts once.
        Map<Frame, Integer> onPath = new HashMap<>();
        walk(tree.root(), rows, onPath);
        return new ArrayList<>(rows.values());
    }

    private static void walk(CallTree.Node root, Map<Frame, Row> rows, Map<Frame, Integer> onPath) {
        // Explicit stack of (node, entered): a node is entered, its callees walked, then it is left.
        List<CallTree.Node> stack = new ArrayList<>();
        List<Boolean> leaving = new ArrayList<>();
        for (CallTree.Node c : root.children()) {
            stack.add(c);
            leaving.add(false);
        }
        while (!stack.isEmpty()) {
            CallTree.Node node = stack.remove(stack.size() - 1);
            boolean leave = leaving.remove(leaving.size() - 1);
            Frame f = node.frame();
            if (leave) {
                onPath.merge(f, -1, Integer::sum);
                continue;
            }
            Row r = rows.computeIfAbsent(f, Row::new);
            r.flat += node.self();
            if (onPath.getOrDefault(f, 0) == 0) {
                r.cum += node.total();
                r.baseCum += node.baseTotal();
            }
            onPath.merge(f, 1, Integer::sum);
            stack.add(node);
            leaving.add(true);
            for (CallTree.Node c : node.children()) {
                stack.add(c);
                leaving.add(false);
            }
        }
    }

    private static String percent(double part, double total) {
        return total == 0 ? "-" : String.format("%.2f%%", 100 * part / total);
    }

    private static String signed(double value, String unit) {
        return (value >= 0 ? "+" : "-") + Units.format(Math.abs(value), unit);
    }
}
