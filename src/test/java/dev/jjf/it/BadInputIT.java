package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The table of broken and hostile inputs, each through the packaged CLI with its expected outcome:
 * either one line naming the file (and line), exit 1, no Java stack trace and no output file; or
 * a warning and a flamegraph of what could be read.
 */
class BadInputIT {
    private static final long BASE = 0x7f0000000000L;
    private static final long JIT = 0x7f0000200000L;
    /** Enough code to move everything after it by more than a page: another build of the same library. */
    private static final String PADDING = "int padding(int x) { " + "x = x * 7 + 3; ".repeat(800) + "return x; }\n";
    private static final String LIBRARY = """
            int alpha(int x) { return x * 3 + 1; }
            int beta(int x) { int s = 0; for (int i = 0; i < x; i++) s += alpha(i); return s; }
            int delta(int x) { return beta(x) + 1; }
            """;

    @TempDir
    static Path work;
    private static Path library;
    private static Path otherBuild;
    private static Map<String, Long> symbols;
    private static long textOffset;
    private static long textLength;
    private static int row;

    @BeforeAll
    static void buildLibraries() throws Exception {
        assumeTrue(Proc.run(work, Map.of(), List.of("sh", "-c", "command -v gcc && command -v nm")).exitCode() == 0,
                "gcc and nm build the libraries these rows symbolize against");
        library = compile("libt.so", LIBRARY);
        otherBuild = compile("libt-v2.so", PADDING + LIBRARY);
        symbols = nm(library);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(library)).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        for (int i = 0; i < b.getShort(0x38); i++) {
            int p = (int) phoff + i * 56;
            if (b.getInt(p) == 1 && (b.getInt(p + 4) & 1) != 0) {
                long vaddr = b.getLong(p + 16);
                textOffset = b.getLong(p + 8) & -0x1000L;
                textLength = ((vaddr + b.getLong(p + 32) + 0xfff) & -0x1000L) - (vaddr & -0x1000L);
            }
        }
        assertTrue(textLength > 0, "an executable segment in " + library);
    }

    private static Path compile(String name, String source) throws Exception {
        Path dir = Files.createDirectories(work.resolve("build-" + name));
        Files.writeString(dir.resolve("t.c"), source);
        Proc.run(dir, Map.of(), List.of("gcc", "-shared", "-fPIC", "-O0", "-o", name, "t.c")).assertOk();
        return dir.resolve(name);
    }

    private static Map<String, Long> nm(Path lib) throws Exception {
        Map<String, Long> out = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^([0-9a-f]+) [tT] (\\w+)$").matcher(
                Proc.run(work, Map.of(), List.of("nm", "--defined-only", lib.toString())).assertOk().stdout());
        while (m.find()) out.put(m.group(2), Long.parseLong(m.group(1), 16));
        return out;
    }

    /** Addresses of the library as the profiled process had it mapped at BASE. */
    private static String at(String function, long plus) {
        return "0x" + Long.toHexString(BASE + symbols.get(function) + plus);
    }

    /** alpha called by beta called by delta, 3 KiB; and 1 KiB allocated from JIT code. */
    static String profile(String libraryPath) {
        return "heap_v2/1\n"
                + "  t*: 4: 4096 [0: 0]\n"
                + "@ " + at("alpha", 0) + " " + at("beta", 1) + " " + at("delta", 1) + "\n"
                + "  t*: 3: 3072 [0: 0]\n"
                + "@ " + at("alpha", 0) + " 0x" + Long.toHexString(JIT + 0x18) + " 0x" + Long.toHexString(JIT + 0x118) + "\n"
                + "  t*: 1: 1024 [0: 0]\n"
                + "MAPPED_LIBRARIES:\n"
                + Long.toHexString(BASE + textOffset) + "-" + Long.toHexString(BASE + textOffset + textLength)
                + " r-xp " + String.format("%08x", textOffset) + " fe:00 4242 " + libraryPath + "\n"
                + Long.toHexString(JIT) + "-" + Long.toHexString(JIT + 0x100000) + " rwxp 00000000 00:00 0\n";
    }

    static final String PERF_MAP = "0x00007f0000200000 0x0000000000000100 void app.Leak.grow(int)\n"
            + "0x00007f0000200100 0x0000000000000100 void app.Main.main(java.lang.String[])\n";

    /** One row: files to write, arguments after "render", and what must come out. */
    private record Row(String name, Map<String, byte[]> files, List<String> args, Consumer<Outcome> expect) {
    }

    /** What a run left: exit code, stderr, the output file's text (null when there is none). */
    record Outcome(Path dir, int exit, String stderr, String output) {
        /** exit 1, exactly one line "jjf: FILE[:LINE]: MESSAGE…", no trace, nothing written. */
        void failsWith(String file, String line, String message) {
            String prefix = "jjf: " + dir.resolve(file) + (line == null ? "" : ":" + line) + ": " + message;
            assertEquals(1, exit, stderr);
            assertTrue(stderr.startsWith(prefix), "expected '" + prefix + "…', got: " + stderr);
            assertEquals(1, stderr.lines().count(), "one line: " + stderr);
            assertEquals(null, output, "no output file");
            noTrace();
        }

        /** exit 0, a warning line containing {@code warning}, and an output. */
        void warns(String warning) {
            assertEquals(0, exit, stderr);
            assertTrue(stderr.lines().anyMatch(l -> l.startsWith("jjf: warning: ") && l.contains(warning)),
                    "expected a warning with '" + warning + "': " + stderr);
            assertTrue(output != null, "an output");
            noTrace();
        }

        void noTrace() {
            assertFalse(stderr.contains("\tat ") || stderr.contains("Exception") || stderr.contains("internal error"),
                    "no Java internals: " + stderr);
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "a temp file left in " + dir);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static Map<String, byte[]> files(Object... nameThenContent) {
        Map<String, byte[]> m = new HashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            Object c = nameThenContent[i + 1];
            m.put((String) nameThenContent[i], c instanceof byte[] b ? b : ((String) c).getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    private static byte[] garbage(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    /** The library with its section headers patched: sh_offset/sh_size of .symtab, or e_shoff. */
    private static byte[] patched(Consumer<ByteBuffer> patch) throws IOException {
        byte[] bytes = Files.readAllBytes(library);
        patch.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        return bytes;
    }

    private static int symtabHeader(ByteBuffer b) {
        int shoff = (int) b.getLong(0x28);
        for (int i = 0; i < b.getShort(0x3c); i++) {
            if (b.getInt(shoff + i * 64 + 4) == 2) return shoff + i * 64;
        }
        throw new AssertionError("no .symtab");
    }

    private static String lines(String... l) {
        return String.join("\n", l) + "\n";
    }

    private static final String FOLDED = "--format=folded";

    @TestFactory
    Stream<DynamicTest> table() throws IOException {
        String good = profile("LIB");
        String cutInStack = good.substring(0, good.indexOf(at("beta", 1)) + 5);
        String cutBeforeMappings = good.substring(0, good.indexOf("MAPPED_LIBRARIES"));
        String hostileNames = "0x00007f0000200000 0x0000000000000100 </text><script>window.pwned=1</script>\n"
                + "0x00007f0000200100 0x0000000000000100 ]]><x a=\"q\" b='r'>&amp; < > & \" '\n";
        List<Row> rows = List.of(
                new Row("empty profile", files("a.heap", ""), List.of("a.heap"),
                        o -> o.failsWith("a.heap", null, "empty file, expected a jemalloc heap_v2 profile")),
                new Row("binary garbage", files("a.heap", garbage(100_000)), List.of("a.heap"),
                        o -> o.failsWith("a.heap", "1", "")),
                new Row("cut in the middle of a stack", files("a.heap", cutInStack), List.of("a.heap"),
                        o -> {
                            o.failsWith("a.heap", "3", "");
                            assertTrue(o.stderr().contains("truncated profile?"), o.stderr());
                        }),
                new Row("cut before MAPPED_LIBRARIES", files("a.heap", cutBeforeMappings), List.of("a.heap"),
                        o -> o.failsWith("a.heap", "6", "no MAPPED_LIBRARIES section (truncated profile?)")),
                new Row("count that overflows a long", files("a.heap", good.replace("t*: 3: 3072", "t*: 3: 92233720368547758070")),
                        List.of("a.heap"), o -> o.failsWith("a.heap", "4", "count does not fit in 64 bits")),
                new Row("negative count", files("a.heap", good.replace("t*: 1: 1024", "t*: -1: 1024")), List.of("a.heap"),
                        o -> o.failsWith("a.heap", "6", "expected a non-negative number at column 7")),
                new Row("a 10 MB line", files("a.heap", "heap_v2/1\n@ " + "7".repeat(10 << 20) + "\n"), List.of("a.heap"),
                        o -> o.failsWith("a.heap", "2", "line longer than 1048576 bytes")),
                new Row("no such profile", files(), List.of("gone.heap"),
                        o -> o.failsWith("gone.heap", null, "no such file")),
                new Row("perf map with garbage lines", files("a.heap", good,
                        "a.map", lines("garbage", "0x7f0000200000 zz broken", "\u0000\u0001\u0002") + PERF_MAP + "9 9"),
                        List.of("a.heap", "--perf-map", "a.map", FOLDED), o -> {
                            o.warns(o.dir().resolve("a.map") + ":1: skipped 4 malformed perf-map lines");
                            assertTrue(o.output().contains("app.Main.main(java.lang.String[]);app.Leak.grow(int);alpha 1024"),
                                    o.output());
                        }),
                new Row("perf map with a 10 MB line", files("a.heap", good, "a.map", "0x1 0x1 " + "x".repeat(10 << 20) + "\n" + PERF_MAP),
                        List.of("a.heap", "--perf-map", "a.map", FOLDED), o -> {
                            o.warns(o.dir().resolve("a.map") + ":1: skipped 1 malformed perf-map line");
                            assertTrue(o.output().contains("app.Main.main(java.lang.String[]);app.Leak.grow(int);alpha 1024"),
                                    o.output());
                        }),
                new Row("perf map that is all garbage", files("a.heap", good, "a.map", garbage(5000)),
                        List.of("a.heap", "--perf-map", "a.map"), o -> o.failsWith("a.map", "1", "not a perf map")),
                new Row("perf map with overlapping ranges: the later entry wins", files("a.heap", good, "a.map",
                        PERF_MAP + "0x00007f0000200010 0x0000000000000010 void app.Newer.code()\n"),
                        List.of("a.heap", "--perf-map", "a.map", FOLDED), o -> {
                            assertEquals(0, o.exit(), o.stderr());
                            assertTrue(o.output().contains("app.Main.main(java.lang.String[]);app.Newer.code();alpha 1024"),
                                    o.output());
                        }),
                new Row("perf map names with < > & quotes and ]]>", files("a.heap", good, "a.map", hostileNames),
                        List.of("a.heap", "--perf-map", "a.map"), o -> {
                            assertEquals(0, o.exit(), o.stderr());
                            List<String> names = frameNames(o.output());
                            assertTrue(names.contains("</text><script>window.pwned=1</script>"), names.toString());
                            assertTrue(names.contains("]]><x a=\"q\" b='r'>&amp; < > & \" '"), names.toString());
                        }),
                new Row("ELF section header table past the end", files("a.heap", good,
                        "libt.so", patched(b -> b.putLong(0x28, 1L << 40))),
                        List.of("a.heap", FOLDED), o -> {
                            o.warns("cannot read symbols of " + o.dir().resolve("libt.so") + ": not a valid ELF file:");
                            assertTrue(o.output().contains("[unknown] libt.so+0x"), o.output());
                        }),
                new Row("ELF symbol table larger than the file", files("a.heap", good,
                        "libt.so", patched(b -> b.putLong(symtabHeader(b) + 0x20, 1L << 33))),
                        List.of("a.heap", FOLDED), o -> {
                            o.warns("lies outside the file");
                            assertTrue(o.output().contains("[unknown] libt.so+0x"), o.output());
                        }),
                new Row("ELF symbol table of size zero: the dynamic symbols still name frames", files("a.heap", good,
                        "libt.so", patched(b -> b.putLong(symtabHeader(b) + 0x20, 0))),
                        List.of("a.heap", FOLDED), o -> {
                            assertEquals(0, o.exit(), o.stderr());
                            assertTrue(o.output().contains("delta;beta;alpha 3072"), o.output());
                        }),
                new Row("library listed in the mappings that no longer exists", files("a.heap", profile("/nonexistent/libt.so")),
                        List.of("a.heap", FOLDED), o -> {
                            o.warns("cannot find /nonexistent/libt.so");
                            assertTrue(o.output().contains("[unknown] libt.so+0x"), o.output());
                        }),
                new Row("library that is now a different build", files("a.heap", good, "libt.so", read(otherBuild)),
                        List.of("a.heap", FOLDED), o -> {
                            o.warns(o.dir().resolve("libt.so") + " is not the build the profile saw");
                            assertFalse(o.output().contains("alpha") || o.output().contains("beta"),
                                    "no names from the other build: " + o.output());
                            assertTrue(o.output().contains("[unknown] libt.so+0x"), o.output());
                        }),
                new Row("the same library, for comparison", files("a.heap", good, "libt.so", read(library)),
                        List.of("a.heap", FOLDED), o -> {
                            assertEquals(0, o.exit(), o.stderr());
                            assertFalse(o.stderr().contains("warning"), o.stderr());
                            assertTrue(o.output().contains("delta;beta;alpha 3072"), o.output());
                        }),
                new Row("output that is a directory", files("a.heap", good, "out/keep", "x"), List.of("a.heap", "-o", "out"),
                        o -> {
                            assertEquals(1, o.exit(), o.stderr());
                            assertEquals("jjf: " + o.dir().resolve("out") + ": Is a directory\n", o.stderr());
                            assertTrue(Files.exists(o.dir().resolve("out/keep")), "the directory is left alone");
                            o.noTrace();
                        }));
        return rows.stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> run(r)));
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void run(Row r) throws Exception {
        Path dir = Files.createDirectories(work.resolve("row-" + (row++)));
        for (Map.Entry<String, byte[]> f : r.files().entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            // "LIB" in a profile stands for this row's copy of the library.
            String text = new String(f.getValue(), StandardCharsets.ISO_8859_1);
            Files.write(p, f.getKey().endsWith(".heap") && text.contains(" LIB\n")
                    ? text.replace(" LIB\n", " " + dir.resolve("libt.so") + "\n").getBytes(StandardCharsets.ISO_8859_1)
                    : f.getValue());
        }
        if (r.files().containsKey("a.heap") && new String(r.files().get("a.heap"), StandardCharsets.ISO_8859_1).contains(" LIB\n")
                && !r.files().containsKey("libt.so")) {
            Files.copy(library, dir.resolve("libt.so"));
        }
        List<String> args = new ArrayList<>(List.of("render"));
        for (String a : r.args()) args.add(a.endsWith(".heap") || a.endsWith(".map") ? dir.resolve(a).toString() : a);
        boolean explicitOutput = r.args().contains("-o");
        Path out = dir.resolve("flames.out");
        if (!explicitOutput) {
            args.add("-o");
            args.add(out.toString());
        } else {
            int i = args.indexOf("-o");
            args.set(i + 1, dir.resolve(args.get(i + 1)).toString());
        }
        Proc p = Proc.jjf(dir, args.toArray(String[]::new));
        String output = !explicitOutput && Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : null;
        r.expect().accept(new Outcome(dir, p.exitCode(), p.stderr(), output));
    }

    /** data-name of every frame of an SVG, read back by an XML parser. */
    static List<String> frameNames(String svg) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML", e);
        }
        NodeList groups = doc.getElementsByTagName("g");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("class").equals("frame")) names.add(g.getAttribute("data-name"));
        }
        assertEquals(1, doc.getElementsByTagName("script").getLength(), "one script");
        return Arrays.asList(names.toArray(String[]::new));
    }
}
