package dev.jjf.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.Frame;
import dev.jjf.stacks.FrameKind;
import java.awt.Color;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgRendererTest {
    private static final Pattern FILL = Pattern.compile("fill:rgb\\((\\d+),(\\d+),(\\d+)\\)");
    private static final double USABLE = SvgOptions.DEFAULT_WIDTH_PX - 2 * SvgRenderer.PAD_X;

    private static Frame f(String name, FrameKind kind) {
        return new Frame(name, kind);
    }

    private static String render(CallTree tree, SvgOptions options) throws Exception {
        StringWriter out = new StringWriter();
        new SvgRenderer(options).write(tree, out);
        return out.toString();
    }

    private static String render(CallTree tree) throws Exception {
        return render(tree, SvgOptions.defaults("test"));
    }

    /** Parses strictly: a DOCTYPE (and with it any external fetch) is refused. */
    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> frames(Document doc) {
        List<Element> out = new ArrayList<>();
        NodeList gs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if ("frame".equals(g.getAttribute("class"))) out.add(g);
        }
        return out;
    }

    private static Element frame(Document doc, String name) {
        Element found = null;
        for (Element g : frames(doc)) {
            if (g.getAttribute("data-name").equals(name)) {
                assertEquals(null, found, "one frame named " + name);
                found = g;
            }
        }
        assertNotNull(found, "frame " + name);
        return found;
    }

    private static Element child(Element e, String tag) {
        NodeList l = e.getElementsByTagNameNS("http://www.w3.org/2000/svg", tag);
        return l.getLength() == 0 ? null : (Element) l.item(0);
    }

    private static double width(Element frame) {
        return Double.parseDouble(child(frame, "rect").getAttribute("width"));
    }

    private static Color fill(Element frame) {
        Matcher m = FILL.matcher(child(frame, "rect").getAttribute("style").replace(" ", ""));
        assertTrue(m.find(), "rect fill of " + frame.getAttribute("data-name"));
        return new Color(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    private static int distance(Color a, Color b) {
        return Math.max(Math.abs(a.getRed() - b.getRed()),
                Math.max(Math.abs(a.getGreen() - b.getGreen()), Math.abs(a.getBlue() - b.getBlue())));
    }

    private static CallTree sample() {
        CallTree t = new CallTree("bytes");
        t.add(List.of(f("main", FrameKind.JAVA), f("readFile", FrameKind.JAVA), f("malloc", FrameKind.NATIVE)), 768);
        t.add(List.of(f("main", FrameKind.JAVA), f("parse", FrameKind.INLINED), f("os::malloc", FrameKind.JVM)), 256);
        t.add(List.of(f("Interpreter", FrameKind.GENERATED), f("0x7f00", FrameKind.UNKNOWN)), 1024);
        return t;
    }

    @Test
    void wellFormedWithOneGroupPerFrameCarryingItsData() throws Exception {
        Document doc = parse(render(sample()));
        List<Element> frames = frames(doc);
        assertEquals(8, frames.size(), "root plus seven frames");
        for (Element g : frames) {
            assertNotNull(child(g, "title"), "title in " + g.getAttribute("data-name"));
            assertNotNull(child(g, "rect"));
            assertFalse(g.getAttribute("data-kind").isEmpty());
        }
        Element root = frames.get(0);
        assertEquals(CallTree.ROOT_NAME, root.getAttribute("data-name"));
        assertEquals("2048", root.getAttribute("data-value"));
        assertEquals("readFile (768 B, 37.50%)", child(frame(doc, "readFile"), "title").getTextContent());
        assertEquals("java", frame(doc, "main").getAttribute("data-kind"));
        assertEquals("inlined", frame(doc, "parse").getAttribute("data-kind"));
        assertEquals("test", doc.getDocumentElement().getElementsByTagNameNS("*", "title").item(0).getTextContent());
    }

    @Test
    void rootAtTheBottomAndCalleesAbove() throws Exception {
        Document doc = parse(render(sample()));
        double rootY = Double.parseDouble(child(frame(doc, "all"), "rect").getAttribute("y"));
        double mainY = Double.parseDouble(child(frame(doc, "main"), "rect").getAttribute("y"));
        double mallocY = Double.parseDouble(child(frame(doc, "malloc"), "rect").getAttribute("y"));
        assertEquals(SvgRenderer.ROW, rootY - mainY, 1e-9);
        assertEquals(2 * SvgRenderer.ROW, mainY - mallocY, 1e-9);
    }

    @Test
    void widthsAreProportionalToValues() throws Exception {
        Document doc = parse(render(sample()));
        assertEquals(USABLE, width(frame(doc, "all")), 0.01);
        assertEquals(USABLE / 2, width(frame(doc, "main")), 0.01);
        assertEquals(USABLE * 768 / 2048, width(frame(doc, "readFile")), 0.01);
        assertEquals(3.0, width(frame(doc, "readFile")) / width(frame(doc, "parse")), 0.001);
        // Siblings sit side by side in name order: Interpreter, then main.
        double interpreterX = Double.parseDouble(child(frame(doc, "Interpreter"), "rect").getAttribute("x"));
        double mainX = Double.parseDouble(child(frame(doc, "main"), "rect").getAttribute("x"));
        assertEquals(SvgRenderer.PAD_X, interpreterX, 1e-9);
        assertEquals(SvgRenderer.PAD_X + USABLE / 2, mainX, 0.01);
    }

    @Test
    void framesAreColouredByKindWithSmallPerNameShades() throws Exception {
        CallTree t = new CallTree("bytes");
        for (FrameKind k : FrameKind.values()) {
            for (int i = 0; i < 40; i++) t.add(List.of(f(k.id() + "_fn" + i, k)), 1000);
        }
        Document doc = parse(render(t));
        Set<Color> distinct = new HashSet<>();
        for (Element g : frames(doc)) {
            if (g.getAttribute("data-name").equals(CallTree.ROOT_NAME)) continue;
            FrameKind kind = java.util.Arrays.stream(FrameKind.values())
                    .filter(x -> x.id().equals(g.getAttribute("data-kind"))).findFirst().orElseThrow();
            Color c = fill(g);
            distinct.add(c);
            assertTrue(distance(c, Color.decode(kind.colour())) <= 40, g.getAttribute("data-name") + " " + c);
            for (FrameKind other : FrameKind.values()) {
                if (other == kind) continue;
                assertTrue(distance(c, Color.decode(kind.colour())) < distance(c, Color.decode(other.colour())),
                        g.getAttribute("data-name") + " is nearer " + other + " than " + kind);
            }
        }
        assertTrue(distinct.size() > 100, "names vary the shade: " + distinct.size());
        assertEquals(SvgFormat.shade(FrameKind.NATIVE, "malloc"), SvgFormat.shade(FrameKind.NATIVE, "malloc"));
    }

    @Test
    void legendListsEveryKindWithItsColourAndLabel() throws Exception {
        Document doc = parse(render(sample()));
        Element legend = doc.getElementById("legend");
        if (legend == null) {
            NodeList gs = doc.getElementsByTagNameNS("*", "g");
            for (int i = 0; i < gs.getLength(); i++) {
                if ("legend".equals(((Element) gs.item(i)).getAttribute("id"))) legend = (Element) gs.item(i);
            }
        }
        assertNotNull(legend);
        Map<String, String> labels = new TreeMap<>();
        NodeList items = legend.getElementsByTagNameNS("*", "g");
        for (int i = 0; i < items.getLength(); i++) {
            Element item = (Element) items.item(i);
            FrameKind k = java.util.Arrays.stream(FrameKind.values())
                    .filter(x -> x.id().equals(item.getAttribute("data-kind"))).findFirst().orElseThrow();
            assertEquals(Color.decode(k.colour()), fill(item));
            labels.put(k.id(), child(item, "text").getTextContent());
        }
        List<FrameKind> code = java.util.Arrays.stream(FrameKind.values()).filter(k -> k.family() == FrameKind.Family.CODE).toList();
        assertEquals(code.size(), labels.size());
        for (FrameKind k : code) assertEquals(k.label(), labels.get(k.id()));
    }

    @Test
    void totalIsShownInHumanUnits() throws Exception {
        CallTree bytes = new CallTree("bytes");
        bytes.add(List.of(f("main", FrameKind.JAVA)), 1.2 * 1024 * 1024 * 1024);
        assertTrue(render(bytes).contains(">Total 1.2 GiB<"));
        CallTree objects = new CallTree("objects");
        objects.add(List.of(f("main", FrameKind.JAVA)), 1234567);
        String svg = render(objects);
        assertTrue(svg.contains(">Total 1,234,567 objects<"), svg.substring(0, 2000));
        assertTrue(svg.contains("main (1,234,567 objects, 100.00%)"));
    }

    @Test
    void narrowFramesAndTheirCalleesAreOmittedAndCounted() throws Exception {
        CallTree t = new CallTree("bytes");
        t.add(List.of(f("main", FrameKind.JAVA), f("big", FrameKind.NATIVE)), 999_000);
        // 0.05 % of the total: under the default 0.1 % threshold, and so is its callee.
        t.add(List.of(f("main", FrameKind.JAVA), f("tiny", FrameKind.NATIVE), f("tinyCallee", FrameKind.NATIVE)), 500);
        // 0.15 %: kept.
        t.add(List.of(f("main", FrameKind.JAVA), f("small", FrameKind.NATIVE)), 1_500);
        String svg = render(t);
        Document doc = parse(svg);
        Set<String> names = new HashSet<>();
        for (Element g : frames(doc)) names.add(g.getAttribute("data-name"));
        assertEquals(Set.of("all", "main", "big", "small"), names);
        assertTrue(svg.contains("2 of 5 frames omitted (narrower than 0.1% of the total)"), svg.substring(0, 2500));
        assertTrue(svg.contains("data-omitted=\"2\""));

        Document all = parse(render(t, new SvgOptions("t", 0, 1200)));
        assertEquals(6, frames(all).size(), "nothing omitted at 0 %");
    }

    @Test
    void thresholdRisesToKeepTheFrameCountBounded() throws Exception {
        CallTree t = new CallTree("bytes");
        for (int i = 1; i <= 12_000; i++) {
            t.add(List.of(f("main", FrameKind.JAVA), f(String.format("fn%05d", i), FrameKind.NATIVE)), 1_000_000 + i);
        }
        String svg = render(t, new SvgOptions("t", 0, 1200));
        List<Element> frames = frames(parse(svg));
        assertTrue(frames.size() <= SvgOptions.DEFAULT_MAX_FRAMES, "drawn " + frames.size());
        assertTrue(frames.size() >= SvgOptions.DEFAULT_MAX_FRAMES - 1, "drawn " + frames.size());
        // The widest survive.
        Set<String> names = new HashSet<>();
        for (Element g : frames) names.add(g.getAttribute("data-name"));
        assertTrue(names.contains("fn12000"));
        assertFalse(names.contains("fn00001"));
        assertTrue(svg.contains("past the 5,000-frame limit"));

        List<Element> ten = frames(parse(render(t, new SvgOptions("t", 0, 1200, 10))));
        assertTrue(ten.size() <= 10 && ten.size() >= 9, "drawn " + ten.size());
    }

    @Test
    void hostileNamesAppearOnlyEscaped() throws Exception {
        List<String> hostile = List.of(
                "</text><script>alert(1)</script>",
                "]]><script>alert(2)</script><![CDATA[",
                "&amp; &lt; & <",
                "\"' onload=\"alert(3)\" x='",
                "<svg onload=alert(4)>",
                "ctl\u0000\u0001\u001b\uFFFE\uD800end",
                "tab\tnew\nline");
        CallTree t = new CallTree("bytes");
        for (String name : hostile) t.add(List.of(f(name, FrameKind.NATIVE), f(name, FrameKind.JAVA)), 1000);
        String svg = render(t);

        for (String bad : List.of("<script>alert", "</text><script>", "onload=\"alert", "<svg onload")) {
            assertFalse(svg.contains(bad), "unescaped " + bad);
        }
        // Only the two CDATA sections we open may close; none may be opened by a name.
        assertEquals(2, count(svg, "]]>"));
        assertEquals(2, count(svg, "<![CDATA["));

        Document doc = parse(svg);
        NodeList all = doc.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            var attrs = all.item(i).getAttributes();
            for (int j = 0; j < attrs.getLength(); j++) {
                assertFalse(attrs.item(j).getNodeName().toLowerCase().startsWith("on"), attrs.item(j).getNodeName());
            }
        }
        NodeList scripts = doc.getElementsByTagNameNS("*", "script");
        assertEquals(1, scripts.getLength());
        assertEquals(resource("flamegraph.js"), scripts.item(0).getTextContent().substring(1));
        for (String name : hostile.subList(0, 5)) {
            Element g = frames(doc).stream().filter(e -> e.getAttribute("data-name").equals(name))
                    .findFirst().orElseThrow(() -> new AssertionError("round trip of " + name));
            assertTrue(child(g, "title").getTextContent().startsWith(name + " ("));
        }
        Set<String> names = new HashSet<>();
        for (Element g : frames(doc)) names.add(g.getAttribute("data-name"));
        assertTrue(names.contains("ctl\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDend"), names.toString());
        assertTrue(names.contains("tab new line"), names.toString());
    }

    @Test
    void hostileTitleAndUnitAreEscapedToo() throws Exception {
        CallTree t = new CallTree("<b>objects</b>");
        t.add(List.of(f("main", FrameKind.JAVA)), 1);
        String svg = render(t, SvgOptions.defaults("</title><script>alert(1)</script>]]>"));
        assertFalse(svg.contains("<script>alert"));
        assertFalse(svg.contains("<b>"));
        Document doc = parse(svg);
        assertEquals("</title><script>alert(1)</script>]]>",
                doc.getDocumentElement().getElementsByTagNameNS("*", "title").item(0).getTextContent());
    }

    @Test
    void embeddedScriptNeverTurnsDataIntoMarkupOrCode() throws Exception {
        String js = resource("flamegraph.js");
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                "Function(", "setTimeout(", "setInterval(", "]]>")) {
            assertFalse(js.contains(sink), "script uses " + sink);
        }
        assertFalse(resource("flamegraph.css").contains("]]>"));
    }

    @Test
    void sameTreeGivesSameBytes() throws Exception {
        String a = render(sample());
        String b = new String(render(sample()).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertEquals(a, b);
        assertEquals(a, render(sample()));
    }

    @Test
    void emptyTreeStillRendersItsRoot() throws Exception {
        Document doc = parse(render(new CallTree("bytes")));
        List<Element> frames = frames(doc);
        assertEquals(1, frames.size());
        assertEquals(USABLE, width(frames.get(0)), 0.01);
    }

    @Test
    void deepStacksDoNotOverflow() throws Exception {
        List<Frame> deep = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) deep.add(f("frame" + i, FrameKind.JAVA));
        CallTree t = new CallTree("bytes");
        t.add(deep, 1);
        assertEquals(5_000, frames(parse(render(t, new SvgOptions("t", 0, 1200, 10_000)))).size() - 1);
    }

    @Test
    void labelsAreCutToFitAndLeftOffNarrowFrames() throws Exception {
        CallTree t = new CallTree("bytes");
        String longName = "java.util.concurrent.ThreadPoolExecutor$Worker.run".repeat(4);
        t.add(List.of(f(longName, FrameKind.JAVA)), 500);
        t.add(List.of(f("narrow", FrameKind.NATIVE)), 10);
        Document doc = parse(render(t));
        String label = child(frame(doc, longName), "text").getTextContent();
        assertTrue(label.endsWith("..") && longName.startsWith(label.substring(0, label.length() - 2)), label);
        assertTrue(label.length() * SvgFormat.CHAR_WIDTH <= width(frame(doc, longName)), label);
        // 10/510 of 1180 px is about 23 px: room for fewer than three characters.
        assertEquals(null, child(frame(doc, "narrow"), "text"));
    }

    @Test
    void fiveThousandFramesRenderWellUnderASecond() throws Exception {
        CallTree t = new CallTree("bytes");
        // 10 threads x 19 callers x 25 allocation sites, plus one wide 49-deep chain: with the root,
        // exactly the default limit of 5,000 frames, all drawn at a 0 % minimum width.
        for (int a = 0; a < 10; a++) {
            for (int b = 0; b < 19; b++) {
                for (int c = 0; c < 25; c++) {
                    t.add(List.of(f("java.lang.Thread.run" + a, FrameKind.JAVA), f("caller" + b, FrameKind.INLINED),
                            f("allocation_site_" + c, FrameKind.NATIVE)), 1000 + 37 * c);
                }
            }
        }
        List<Frame> chain = new ArrayList<>(List.of(f("java.lang.Thread.run0", FrameKind.JAVA),
                f("caller0", FrameKind.INLINED), f("allocation_site_0", FrameKind.NATIVE)));
        for (int d = 0; d < 49; d++) chain.add(f("deep.Frame.number" + d, FrameKind.JVM));
        t.add(chain, 5_000_000);
        SvgOptions options = new SvgOptions("perf", 0, 1200);
        render(t, options);
        long best = Long.MAX_VALUE;
        String svg = null;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            svg = render(t, options);
            best = Math.min(best, System.nanoTime() - t0);
        }
        int drawn = frames(parse(svg)).size();
        assertEquals(SvgOptions.DEFAULT_MAX_FRAMES, drawn, "the limit is what keeps this at 5,000");
        System.out.printf("SVG render: %d frames in %.1f ms, %,d bytes%n", drawn, best / 1e6,
                svg.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(best < 1_000_000_000L, "took " + best / 1e6 + " ms");
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = SvgRenderer.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
