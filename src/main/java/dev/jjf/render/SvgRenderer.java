package dev.jjf.render;

import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.FrameKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Draws a CallTree as a standalone interactive SVG flamegraph.
 *
 * <p>Everything is written directly (see {@link #rect} for the rectangles); text never went through JFreeSVG:
 * JFreeSVG resolves every font through AWT, which makes the output depend on the fonts installed on the
 * machine and costs half a second of font loading, and its escaping leaves anything that already
 * looks like an entity alone, so a frame named {@code &amp;} would come back as {@code &}.
 */
public final class SvgRenderer {
    static final int PAD_X = 10;
    static final int ROW = 16;
    /** Room above the frames for the title, the subtitle and the controls. */
    static final int TOP = 56;
    /** Frame positions handed to the script are billionths of the total, exact enough for deep zooms. */
    static final double POSITION_SCALE = 1e9;
    static final String DETAILS_HINT = "Hover a frame for details, click to zoom, Ctrl-F to search";

    private static final double BASELINE = 11.5;
    private static final double TITLE_Y = 24;
    private static final double CONTROLS_Y = 44;
    private static final int BACKGROUND = 0xF8F8F8;
    private static final String CSS = resource("flamegraph.css");
    private static final String JS = resource("flamegraph.js");

    private final SvgOptions options;

    /** A renderer for graphs with the given options. */
    public SvgRenderer(SvgOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Writes the whole SVG document. The XML declaration says UTF-8, so {@code out} should encode
     * UTF-8.
     */
    public void write(CallTree tree, Writer out) throws IOException {
        out.write(render(tree));
    }

    /** The document as a string; same tree, same string. */
    String render(CallTree tree) {
        double total = tree.total();
        Selection sel = select(tree.root(), total);
        int width = options.widthPx();
        double usable = width - 2 * PAD_X;
        double detailsY = TOP + (sel.maxDepth + 1) * ROW + 18;
        boolean differential = tree.isDifferential();
        double maxDelta = 0;
        if (differential) {
            for (Placed p : sel.frames) {
                if (p.depth > 0) maxDelta = Math.max(maxDelta, Math.abs(p.node.delta()));
            }
        }
        Legend legend = new Legend(width, detailsY + 10, differential ? Legend.DIFFERENTIAL : Legend.kinds(tree));
        double height = legend.bottom + 8;

        StringBuilder sb = new StringBuilder(sel.frames.size() * 640 + CSS.length() + JS.length() + 8192);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
        // The jfreesvg namespace is unused; it stays so that output is the same as before.
        sb.append("<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'"
                + " xmlns:jfreesvg='http://www.jfree.org/jfreesvg/svg' width='");
        SvgFormat.fixed(sb, width, 2, false).append("' height='");
        SvgFormat.fixed(sb, height, 2, false).append("' viewBox='0 0 ");
        SvgFormat.fixed(sb, width, 2, false).append(' ');
        SvgFormat.fixed(sb, height, 2, false).append("'>");

        // A title child of the root element becomes document.title when the file is opened alone.
        sb.append("<title>");
        SvgFormat.escape(sb, options.title()).append("</title>\n");
        sb.append("<style><![CDATA[\n").append(CSS).append("]]></style>\n");
        rect(sb, 0, 0, width, height, BACKGROUND);

        text(sb, "title", null, width / 2.0, TITLE_Y, options.title());
        text(sb, "subtitle", null, width / 2.0, CONTROLS_Y, subtitle(tree, sel));
        text(sb, "control hidden", "unzoom", PAD_X, CONTROLS_Y, "Reset zoom");
        text(sb, "control hidden", "resetsearch", width - PAD_X - 70, CONTROLS_Y, "Reset search");
        text(sb, "control", "search", width - PAD_X, CONTROLS_Y, "Search");

        sb.append("<g id=\"frames\" data-unit=\"");
        SvgFormat.escape(sb, tree.unit()).append('"');
        attr(sb, "data-total", SvgFormat.decimal(total, 3));
        attr(sb, "data-left", Integer.toString(PAD_X));
        attr(sb, "data-span", SvgFormat.decimal(usable, 2));
        attr(sb, "data-char-width", SvgFormat.decimal(SvgFormat.CHAR_WIDTH, 3));
        attr(sb, "data-text-pad", SvgFormat.decimal(SvgFormat.TEXT_PAD, 2));
        attr(sb, "data-min-chars", Integer.toString(SvgFormat.MIN_LABEL_CHARS));
        attr(sb, "data-baseline", SvgFormat.decimal(BASELINE, 2));
        attr(sb, "data-omitted", Long.toString(sel.omitted()));
        sb.append(">\n");
        for (Placed p : sel.frames) {
            drawFrame(sb, p, total, usable, sel.maxDepth, tree.unit(), differential, maxDelta);
        }
        sb.append("</g>\n");

        text(sb, "details", "details", PAD_X, detailsY, DETAILS_HINT);
        text(sb, "matched hidden", "matched", width - PAD_X, detailsY, "");
        legend.draw(sb);
        sb.append("<script><![CDATA[\n").append(JS).append("]]></script>\n");

        return sb.append("</svg>\n").toString();
    }

    private static void drawFrame(StringBuilder sb, Placed p,
            double total, double usable, int maxDepth, String unit, boolean differential, double maxDelta) {
        CallTree.Node n = p.node;
        double value = n.total();
        String name = SvgFormat.xmlSafe(n.name());
        double x;
        double w;
        long start;
        long end;
        if (total > 0) {
            x = PAD_X + p.start / total * usable;
            w = value / total * usable;
            start = Math.round(p.start / total * POSITION_SCALE);
            end = Math.round((p.start + value) / total * POSITION_SCALE);
        } else {
            // An empty profile still shows its root, so the page is not blank.
            x = PAD_X;
            w = usable;
            start = 0;
            end = (long) POSITION_SCALE;
        }
        double y = TOP + (maxDepth - p.depth) * ROW;

        sb.append("<g class=\"frame\" data-name=\"");
        SvgFormat.escape(sb, name).append('"');
        attr(sb, "data-kind", n.kind().id());
        attr(sb, "data-value", SvgFormat.decimal(value, 3));
        if (differential) attr(sb, "data-delta", SvgFormat.decimal(n.delta(), 3));
        attr(sb, "data-depth", Integer.toString(p.depth));
        attr(sb, "data-start", Long.toString(start));
        attr(sb, "data-width", Long.toString(end - start));
        sb.append("><title>");
        SvgFormat.escape(sb, name).append(" (");
        SvgFormat.escape(sb, SvgFormat.human(value, unit)).append(", ")
                .append(SvgFormat.percent(value, total));
        if (differential) {
            sb.append("; before ");
            SvgFormat.escape(sb, SvgFormat.human(n.baseTotal(), unit)).append(", change ");
            SvgFormat.escape(sb, SvgFormat.signedHuman(n.delta(), unit));
        }
        sb.append(")</title>");
        rect(sb, x, y, w, ROW - 1, differential ? SvgFormat.deltaRgb(n.delta(), maxDelta) : SvgFormat.shadeRgb(n.kind(), name));
        String label = SvgFormat.fitLabel(name, w);
        if (!label.isEmpty()) {
            text(sb, "label", null, x + SvgFormat.TEXT_PAD, y + BASELINE, label);
        }
        sb.append("</g>\n");
    }

    /**
     * A filled rectangle, in the exact bytes JFreeSVG wrote when it drew them (its namespace
     * declaration on the root stays for the same reason) without its cost: 70 ms of AWT class
     * loading for the first rectangle of a command-line run.
     */
    private static void rect(StringBuilder sb, double x, double y, double w, double h, int rgb) {
        sb.append("<rect x='");
        SvgFormat.fixed(sb, x, 2, false).append("' y='");
        SvgFormat.fixed(sb, y, 2, false).append("' width='");
        SvgFormat.fixed(sb, w, 2, false).append("' height='");
        SvgFormat.fixed(sb, h, 2, false).append("' style='fill:rgb(").append(rgb >> 16 & 0xFF).append(',')
                .append(rgb >> 8 & 0xFF).append(',').append(rgb & 0xFF).append(")'/>");
    }

    /** Appends an attribute whose value needs no escaping. */
    private static void attr(StringBuilder sb, String name, String value) {
        sb.append(' ').append(name).append("=\"").append(value).append('"');
    }

    private String subtitle(CallTree tree, Selection sel) {
        StringBuilder b = new StringBuilder("Total ").append(SvgFormat.human(tree.total(), tree.unit()));
        if (tree.isDifferential()) {
            b.append(" (before ").append(SvgFormat.human(tree.root().baseTotal(), tree.unit())).append(", change ")
                    .append(SvgFormat.signedHuman(tree.root().delta(), tree.unit())).append(')');
        }
        long omitted = sel.omitted();
        if (omitted > 0) {
            // Not String.format: its first call costs a command-line run about 20 ms.
            b.append(" | ").append(thousands(omitted)).append(" of ").append(thousands(sel.allFrames))
                    .append(" frames omitted (narrower than ").append(SvgFormat.decimal(options.minWidthPercent(), 4))
                    .append("% of the total");
            if (sel.limited) {
                b.append(", or past the ").append(thousands(options.maxFrames())).append("-frame limit");
            }
            b.append(')');
        }
        return b.toString();
    }

    /** 1234567 as "1,234,567". */
    static String thousands(long n) {
        String digits = Long.toString(Math.abs(n));
        StringBuilder b = new StringBuilder(digits.length() + 8);
        if (n < 0) b.append('-');
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) b.append(',');
            b.append(digits.charAt(i));
        }
        return b.toString();
    }

    private static void text(StringBuilder sb, String cssClass, String id, double x, double y, String content) {
        sb.append("<text");
        if (id != null) sb.append(" id=\"").append(id).append('"');
        sb.append(" class=\"").append(cssClass).append("\" x=\"").append(SvgFormat.decimal(x, 2))
                .append("\" y=\"").append(SvgFormat.decimal(y, 2)).append("\">");
        SvgFormat.escape(sb, content).append("</text>");
    }

    /**
     * Picks the frames to draw, in pre-order so that a frame's callees follow it and the script can
     * find a subtree as a contiguous run.
     */
    private Selection select(CallTree.Node root, double total) {
        double minValue = total * options.minWidthPercent() / 100;
        // Totals never grow from caller to callee, so "total above t" keeps every drawn frame's
        // caller drawn, and counting qualifying totals counts exactly the frames drawn. For the
        // same reason no callee of a narrow frame qualifies: only wide frames are visited.
        long all = root.descendants();
        double[] qualifying = new double[64];
        int count = 0;
        Deque<CallTree.Node> todo = new ArrayDeque<>(root.children());
        while (!todo.isEmpty()) {
            CallTree.Node n = todo.pop();
            if (n.total() > 0 && n.total() >= minValue) {
                if (count == qualifying.length) qualifying = Arrays.copyOf(qualifying, count * 2);
                qualifying[count++] = n.total();
                for (CallTree.Node c : n.children()) todo.push(c);
            }
        }
        int room = options.maxFrames() - 1;
        double cutoff = Double.NEGATIVE_INFINITY;
        boolean limited = count > room;
        if (limited) {
            Arrays.sort(qualifying, 0, count);
            cutoff = qualifying[count - 1 - room];
        }

        List<Placed> frames = new ArrayList<>(Math.min(count, room) + 1);
        int maxDepth = 0;
        Deque<Placed> stack = new ArrayDeque<>();
        stack.push(new Placed(root, 0, 0));
        while (!stack.isEmpty()) {
            Placed p = stack.pop();
            frames.add(p);
            maxDepth = Math.max(maxDepth, p.depth);
            List<CallTree.Node> kids = p.node.children();
            double[] starts = new double[kids.size()];
            double x = p.start;
            for (int i = 0; i < starts.length; i++) {
                starts[i] = x;
                x += kids.get(i).total();
            }
            for (int i = starts.length - 1; i >= 0; i--) {
                double v = kids.get(i).total();
                if (v > 0 && v >= minValue && v > cutoff) {
                    stack.push(new Placed(kids.get(i), p.depth + 1, starts[i]));
                }
            }
        }
        return new Selection(frames, maxDepth, all, limited);
    }

    /** A frame to draw: its depth (root 0) and its left edge in the tree's units. */
    private record Placed(CallTree.Node node, int depth, double start) {
    }

    private record Selection(List<Placed> frames, int maxDepth, long allFrames, boolean limited) {
        /** Frames below the root not drawn. */
        long omitted() {
            return allFrames - (frames.size() - 1);
        }
    }

    /** One swatch and label per colour, wrapped onto more rows when the image is narrow. */
    private static final class Legend {
        private static final double SWATCH = 10;
        private static final double GAP = 24;

        /** A swatch: its colour, its label, and the kind it stands for ("" for differential colours). */
        private record Item(int rgb, String label, String kind) {
        }

        /** Every kind of each family the tree's frames belong to (code when it has none). */
        static List<Item> kinds(CallTree tree) {
            java.util.Set<FrameKind.Family> families = java.util.EnumSet.noneOf(FrameKind.Family.class);
            for (FrameKind k : tree.kinds()) families.add(k.family());
            if (families.isEmpty()) families.add(FrameKind.Family.CODE);
            return java.util.Arrays.stream(FrameKind.values()).filter(k -> families.contains(k.family()))
                    .map(k -> new Item(Integer.parseInt(k.colour().substring(1), 16), k.label(), k.id())).toList();
        }
        static final List<Item> DIFFERENTIAL = List.of(
                new Item(SvgFormat.deltaRgb(1, 1), "Grew (stronger: more)", ""),
                new Item(SvgFormat.deltaRgb(-1, 1), "Shrank", ""),
                new Item(SvgFormat.deltaRgb(0, 1), "Unchanged; widths follow the newer profile", ""));

        private final List<Item> items;
        private final double[] xs;
        private final double[] ys;
        private final double bottom;

        Legend(int width, double top, List<Item> items) {
            this.items = items;
            xs = new double[items.size()];
            ys = new double[items.size()];
            double x = PAD_X;
            double y = top;
            for (int i = 0; i < items.size(); i++) {
                double w = SWATCH + 4 + items.get(i).label().length() * SvgFormat.CHAR_WIDTH;
                if (x > PAD_X && x + w > width - PAD_X) {
                    x = PAD_X;
                    y += ROW;
                }
                xs[i] = x;
                ys[i] = y;
                x += w + GAP;
            }
            bottom = y + ROW;
        }

        void draw(StringBuilder sb) {
            sb.append("<g id=\"legend\">");
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                sb.append("<g class=\"legend-item\" data-kind=\"").append(item.kind()).append("\">");
                rect(sb, xs[i], ys[i] + 2, SWATCH, SWATCH, item.rgb());
                text(sb, "legend-label", null, xs[i] + SWATCH + 4, ys[i] + BASELINE, item.label());
                sb.append("</g>");
            }
            sb.append("</g>\n");
        }
    }

    private static String resource(String name) {
        try (InputStream in = SvgRenderer.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            // The text goes into a CDATA section, which this sequence would end early.
            if (s.contains("]]>")) throw new IllegalStateException(name + " must not contain ]]>");
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
