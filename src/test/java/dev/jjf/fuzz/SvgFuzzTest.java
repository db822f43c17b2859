package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jjf.model.FrameKind;
import dev.jjf.render.SvgOptions;
import dev.jjf.render.SvgRenderer;
import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.Frame;
import dev.jjf.stacks.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Frame names and titles chosen by the fuzzer (markup, CDATA ends, quotes, controls, lone
 * surrogates) rendered as SVG: the file must stay well-formed XML whose only elements are the
 * renderer's own, whose only script is flamegraph.js, with no event-handler attributes, and in
 * which every name is data that reads back as written.
 */
class SvgFuzzTest {
    private static final Set<String> ELEMENTS = Set.of("svg", "title", "style", "script", "g", "rect", "text");
    private static final String[] HOSTILE = {
        "</text><script>window.pwned=1</script>", "]]><script>window.pwned=2</script>", "\" onload=\"window.pwned=3",
        "' onload='window.pwned=4", "javascript:window.pwned=5", "<![CDATA[", "]]>", "&amp;", "&#x3c;", "<!--", "-->",
        "<?xml", "\u0000", "\ud800", "\uffff", "\t\n\r",
    };
    private static final String SCRIPT = resource("/dev/jjf/render/flamegraph.js");

    @FuzzTest
    void names(byte[] data) {
        check(data);
    }

    static void check(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        String title = name(in);
        CallTree tree = new CallTree(in.nextBoolean() ? "bytes" : "objects");
        Set<String> names = new HashSet<>();
        int stacks = in.nextInt(1, 12);
        for (int s = 0; s < stacks; s++) {
            List<Frame> path = new ArrayList<>();
            int depth = in.nextInt(1, 6);
            for (int d = 0; d < depth; d++) {
                String name = name(in);
                names.add(name);
                path.add(new Frame(name, in.pick(FrameKind.values())));
            }
            Trees.add(tree, path, in.nextInt(0, Integer.MAX_VALUE) * 512.0);
        }
        long inputChars = title.length() + names.stream().mapToLong(String::length).sum();
        Oracle.check(Targets.SVG, data, inputChars, () -> {
            StringWriter svg = new StringWriter();
            new SvgRenderer(SvgOptions.defaults(title)).write(tree, svg);
            checkSafe(svg.toString(), title, names);
        });
    }

    private static String name(FuzzInput in) {
        return switch (in.nextInt(0, 2)) {
            case 0 -> in.nextString(60);
            case 1 -> in.nextChars(30);
            default -> in.pick(HOSTILE) + in.nextString(20);
        };
    }

    static void checkSafe(String svg, String title, Set<String> names) throws Exception {
        Document doc = parse(svg);
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        NodeList all = doc.getElementsByTagNameNS("*", "*");
        int scripts = 0;
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            assertTrue(ELEMENTS.contains(e.getLocalName()), "element <" + e.getTagName() + "> in the output");
            if (e.getLocalName().equals("script")) {
                scripts++;
                assertEquals("\n" + SCRIPT, e.getTextContent(), "the script is flamegraph.js and nothing else");
            }
            NamedNodeMap attrs = e.getAttributes();
            for (int a = 0; a < attrs.getLength(); a++) {
                Attr attr = (Attr) attrs.item(a);
                String name = attr.getLocalName() != null ? attr.getLocalName() : attr.getName();
                assertFalse(name.toLowerCase().startsWith("on"), "event handler attribute " + attr.getName());
                assertFalse(name.equals("href") || name.equals("style") && !e.getLocalName().equals("rect"),
                        "attribute " + attr.getName() + " on <" + e.getLocalName() + ">");
            }
            if (e.getLocalName().equals("g") && e.getAttribute("class").equals("frame")) {
                String name = e.getAttribute("data-name");
                assertTrue(name.equals(CallTree.ROOT_NAME) || names.contains(name) || !names.stream().allMatch(SvgFuzzTest::plain),
                        "a frame named '" + name + "' that no stack has");
            }
        }
        assertEquals(1, scripts, "script elements");
        Element first = firstChild(root, "title");
        if (plain(title)) assertEquals(title, first.getTextContent(), "document title");
    }

    /** Names with no character that XML cannot hold or that attribute normalisation would change. */
    static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c) || c < 0x20 || c == 0xFFFE || c == 0xFFFF) return false;
        }
        return true;
    }

    private static Element firstChild(Element parent, String name) {
        for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName())) return e;
        }
        throw new AssertionError("no <" + name + "> under <" + parent.getLocalName() + ">");
    }

    /** A parser that reads no DTD and no external entity: the output must need neither. */
    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        try {
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
            @Override
            public void fatalError(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXParseException {
                throw e;
            }

            @Override
            public void error(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXParseException {
                throw e;
            }
        });
        return b.parse(new InputSource(new StringReader(xml)));
    }

    private static String resource(String name) {
        try (InputStream in = SvgFuzzTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
