package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jjf run on the distribution's own jemalloc (Debian's libjemalloc2: libgcc unwinder, no
 * {@code jjf setup}) with every allocation sampled: the agent's backtrace hook gives whole stacks
 * and names interpreted frames. The program is src/test/resources/javaframes/JavaFramesLeaks.java.
 */
class JavaFramesIT {
    private static final String PROGRAM = "JavaFramesLeaks";
    private static final String MAIN = PROGRAM + ".main(java.lang.String[])";
    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final Pattern AMOUNT = Pattern.compile("(?m)^(cold|hot) (\\d+)$");
    private static final Pattern THREAD_START = Pattern.compile("__clone3?|clone3?|start_thread");
    private static final double ON_PATH = 0.99;
    private static final double MAX_ANONYMOUS_INTERPRETER = 0.01;

    @TempDir
    static Path work;
    static Path classes;

    @BeforeAll
    static void compile() throws IOException {
        classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = List.of("--release", "17", "-d", classes.toString(),
                Proc.ROOT.resolve("src/test/resources/javaframes/" + PROGRAM + ".java").toString());
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, messages, messages, args.toArray(new String[0]));
        assertEquals(0, rc, () -> "javac " + args + "\n" + messages);
    }

    private static Path java(String which) {
        if (which.equals("17")) return Proc.JAVA;
        assumeTrue(Files.isExecutable(JDK25), "no JDK 25 at " + JDK25);
        return JDK25;
    }

    /** Each leak path's bytes lie under the Java methods that leaked them, in order from thread start. */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void everyLeakPathIsNamedFromThreadStartOnStockJemalloc(String jdk) throws Exception {
        assumeTrue(Files.isRegularFile(Proc.DEBIAN_JEMALLOC), "apt-get install libjemalloc2");
        Path out = work.resolve("out-" + jdk);
        // -Xbatch: hotPath() is compiled with hotHelper() inlined before most of its calls run.
        Proc p = Proc.jjf(work, "run", "--jemalloc", Proc.DEBIAN_JEMALLOC.toString(), "--lg-sample", "0", "--format", "json",
                "--out", out.toString(), "--", java(jdk).toString(), "-Xbatch", "-cp", classes.toString(), PROGRAM).assertOk();
        assertFalse(p.stderr().contains("stop at the first Java frame"), p.stderr());
        assertFalse(p.stderr().contains("jjf-perfmap:"), "the agent had nothing to complain about: " + p.stderr());
        Map<String, Long> expected = AMOUNT.matcher(p.stdout()).results()
                .collect(Collectors.toMap(m -> m.group(1), m -> Long.parseLong(m.group(2))));
        assertEquals(2, expected.size(), p.stdout());

        List<RunIT.Path2> paths = RunIT.paths(out.resolve("flames.json"));
        long total = paths.stream().mapToLong(RunIT.Path2::selfBytes).sum();

        // (a) the cold path runs interpreted: every buffer it keeps is under main -> coldPath -> coldHelper.
        long cold = bytesUnder(paths, MAIN, PROGRAM + ".coldPath()", PROGRAM + ".coldHelper()");
        assertTrue(cold >= ON_PATH * expected.get("cold"), () -> cold + " of " + expected.get("cold")
                + " cold-path bytes under main -> coldPath -> coldHelper\n" + biggest(paths, "coldHelper"));

        // (b) the hot path: whatever reached Unsafe.allocateMemory0 from hotHelper, named through the
        // interpreter, C1 or C2; the inlined helper keeps its kind.
        long direct = bytesWhere(paths, JavaFramesIT::isDirectBufferAllocation);
        long hot = bytesUnder(paths, MAIN, PROGRAM + ".hotPath()", PROGRAM + ".hotHelper()");
        long directNotCold = direct - cold;
        assertTrue(directNotCold >= expected.get("hot"), "the hot path keeps at least what it reports: " + directNotCold);
        assertTrue(hot >= ON_PATH * directNotCold, () -> hot + " of " + directNotCold
                + " hot-path bytes under main -> hotPath -> hotHelper\n" + biggest(paths, "DirectByteBuffer.<init>"));
        long inlined = paths.stream().filter(x -> hasKind(x, PROGRAM + ".hotHelper()", "inlined")
                && parentOf(x, PROGRAM + ".hotHelper()").equals(PROGRAM + ".hotPath()")).mapToLong(RunIT.Path2::selfBytes).sum();
        assertTrue(inlined > 0, "hotHelper() appears as an inlined frame inside compiled hotPath()\n" + biggest(paths, "hotHelper"));

        // (c) unclosed Deflaters: zlib's state, allocated in Deflater.init from a cold method.
        long zlib = bytesWhere(paths, x -> x.frames().stream().anyMatch(n -> RunIT.name(n).equals("Java_java_util_zip_Deflater_init")));
        long deflater = bytesUnder(paths, MAIN, PROGRAM + ".unclosedDeflater()", "java.util.zip.Deflater.<init>(int)");
        assertTrue(zlib > 0, "zlib allocated under Deflater.init");
        assertTrue(deflater >= ON_PATH * zlib, () -> deflater + " of " + zlib + " zlib bytes under main -> unclosedDeflater\n"
                + biggest(paths, "Java_java_util_zip_Deflater_init"));

        // Interpreted frames are named: what stays anonymous predates the agent (JVM start-up).
        long anonymous = bytesWhere(paths, x -> x.frames().stream().anyMatch(n -> RunIT.name(n).equals("Interpreter")));
        assertTrue(anonymous <= MAX_ANONYMOUS_INTERPRETER * total, () -> anonymous + " of " + total
                + " bytes under an anonymous Interpreter frame\n" + biggest(paths, "Interpreter"));

        // Without --lines a Java frame carries its source file, and no line.
        RunIT.Path2 coldLeak = paths.stream().filter(x -> hasKind(x, PROGRAM + ".coldHelper()", "java")).findFirst().orElseThrow();
        assertEquals(SOURCE, frame(coldLeak, PROGRAM + ".coldHelper()").path("file").asText());
        assertTrue(frame(coldLeak, PROGRAM + ".coldHelper()").path("line").isMissingNode());
        RunIT.Path2 zlibLeak = paths.stream().filter(x -> hasKind(x, "java.util.zip.Deflater.<init>(int)", "java")).findFirst().orElseThrow();
        assertEquals("java/util/zip/Deflater.java", frame(zlibLeak, "java.util.zip.Deflater.<init>(int)").path("file").asText());

        linesNameTheCallSites(out, expected, directNotCold, zlib);
    }

    private static final String SOURCE = PROGRAM + ".java";

    /**
     * The same profile rendered with --lines: each leak lies under the exact source lines of its
     * calls, in interpreted frames (cold path, Deflater) and in compiled and inlined ones (hot path).
     */
    private static void linesNameTheCallSites(Path out, Map<String, Long> expected, long hotBytes, long zlibBytes) throws Exception {
        Path json = out.resolve("lines.json");
        Proc.jjf(work, "render", "--latest", "--dir", out.toString(), "--lines", "--format", "json", "-o", json.toString()).assertOk();
        List<String> source = Files.readAllLines(Proc.ROOT.resolve("src/test/resources/javaframes/" + SOURCE));
        String main = MAIN + ":" + lineOf(source, "coldPath();");
        String cold = PROGRAM + ".coldPath():" + lineOf(source, "coldHelper();");
        String coldHelper = PROGRAM + ".coldHelper():" + lineOf(source, "kept.add(ByteBuffer.allocateDirect(COLD_BYTES));");
        List<RunIT.Path2> paths = RunIT.paths(json);

        long coldBytes = bytesUnder(paths, main, cold, coldHelper);
        assertTrue(coldBytes >= ON_PATH * expected.get("cold"), () -> coldBytes + " of " + expected.get("cold")
                + " cold-path bytes under " + main + " -> " + cold + " -> " + coldHelper + "\n" + biggest(paths, "coldHelper"));

        String hotMain = MAIN + ":" + lineOf(source, "sum += hotPath();");
        String hot = PROGRAM + ".hotPath():" + lineOf(source, "ByteBuffer b = hotHelper();");
        String hotHelper = PROGRAM + ".hotHelper():" + lineOf(source, "return ByteBuffer.allocateDirect(HOT_BYTES);");
        long hotUnder = bytesUnder(paths, hotMain, hot, hotHelper);
        assertTrue(hotUnder >= ON_PATH * hotBytes, () -> hotUnder + " of " + hotBytes + " hot-path bytes under "
                + hotMain + " -> " + hot + " -> " + hotHelper + "\n" + biggest(paths, "hotHelper"));
        RunIT.Path2 inlined = paths.stream().filter(x -> hasKind(x, hotHelper, "inlined")).findFirst()
                .orElseThrow(() -> new AssertionError("no inlined " + hotHelper + "\n" + biggest(paths, "hotHelper")));
        assertEquals(SOURCE, frame(inlined, hotHelper).path("file").asText());
        assertEquals(lineOf(source, "return ByteBuffer.allocateDirect(HOT_BYTES);"), frame(inlined, hotHelper).path("line").asInt());

        String deflaterMain = MAIN + ":" + lineOf(source, "unclosedDeflater();");
        String deflater = PROGRAM + ".unclosedDeflater():" + lineOf(source, "Deflater d = new Deflater(Deflater.BEST_COMPRESSION);");
        long zlib = bytesUnder(paths, deflaterMain, deflater);
        assertTrue(zlib >= ON_PATH * zlibBytes, () -> zlib + " of " + zlibBytes + " zlib bytes under " + deflaterMain + " -> "
                + deflater + "\n" + biggest(paths, "Java_java_util_zip_Deflater_init"));
        RunIT.Path2 zlibLeak = paths.stream().filter(x -> hasKind(x, deflater, "java")).findFirst().orElseThrow();
        assertEquals(lineOf(source, "Deflater d = new Deflater(Deflater.BEST_COMPRESSION);"), frame(zlibLeak, deflater).path("line").asInt());
        assertEquals(SOURCE, frame(zlibLeak, deflater).path("file").asText());

        // pprof output: the real Google pprof reads the Java functions with their file and line.
        Path pb = out.resolve("lines.pb.gz");
        Proc.jjf(work, "render", "--latest", "--dir", out.toString(), "--format", "pprof", "-o", pb.toString()).assertOk();
        String raw = dev.jjf.render.GoPprof.run("-raw", pb.toString());
        for (String site : List.of(coldHelper, hotHelper, deflater)) {
            int colon = site.lastIndexOf(':');
            String expect = site.substring(0, colon) + " " + SOURCE + site.substring(colon) + " ";
            assertTrue(raw.contains(expect), () -> "pprof -raw has no '" + expect + "'");
        }
    }

    /** The 1-based number of the one line of the program that contains {@code text}. */
    private static int lineOf(List<String> source, String text) {
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            if (source.get(i).contains(text)) at.add(i + 1);
        }
        assertEquals(1, at.size(), () -> "'" + text + "' on lines " + at + " of " + SOURCE);
        return at.get(0);
    }

    static com.fasterxml.jackson.databind.JsonNode frame(RunIT.Path2 p, String name) {
        return p.frames().stream().filter(n -> RunIT.name(n).equals(name)).findFirst().orElseThrow();
    }

    static boolean isDirectBufferAllocation(RunIT.Path2 p) {
        return p.frames().stream().anyMatch(n -> RunIT.name(n).equals("jdk.internal.misc.Unsafe.allocateMemory0(long)"))
                && p.frames().stream().anyMatch(n -> RunIT.name(n).equals("java.nio.DirectByteBuffer.<init>(int)"));
    }

    static long bytesWhere(List<RunIT.Path2> paths, java.util.function.Predicate<RunIT.Path2> p) {
        return paths.stream().filter(p).mapToLong(RunIT.Path2::selfBytes).sum();
    }

    /**
     * Bytes of the paths that start at the thread's start and then hold {@code methods} in this
     * order, each of kind java or inlined, with nothing anonymous in between.
     */
    static long bytesUnder(List<RunIT.Path2> paths, String... methods) {
        long sum = 0;
        for (RunIT.Path2 p : paths) {
            if (!THREAD_START.matcher(RunIT.name(p.frames().get(0))).matches()) continue;
            if (p.frames().stream().anyMatch(n -> RunIT.kind(n).equals("unknown") || RunIT.name(n).equals("Interpreter"))) continue;
            int next = 0;
            for (var n : p.frames()) {
                if (next < methods.length && RunIT.name(n).equals(methods[next])
                        && (RunIT.kind(n).equals("java") || RunIT.kind(n).equals("inlined"))) {
                    next++;
                }
            }
            if (next == methods.length) sum += p.selfBytes();
        }
        return sum;
    }

    static boolean hasKind(RunIT.Path2 p, String name, String kind) {
        return p.frames().stream().anyMatch(n -> RunIT.name(n).equals(name) && RunIT.kind(n).equals(kind));
    }

    static String parentOf(RunIT.Path2 p, String name) {
        for (int i = 1; i < p.frames().size(); i++) {
            if (RunIT.name(p.frames().get(i)).equals(name)) return RunIT.name(p.frames().get(i - 1));
        }
        return "";
    }

    /** The three biggest paths through a frame whose name contains {@code part}: read on failure only. */
    static String biggest(List<RunIT.Path2> paths, String part) {
        List<RunIT.Path2> with = new ArrayList<>(paths.stream()
                .filter(x -> x.frames().stream().anyMatch(n -> RunIT.name(n).contains(part))).toList());
        with.sort((a, b) -> Long.compare(b.selfBytes(), a.selfBytes()));
        StringBuilder sb = new StringBuilder();
        for (RunIT.Path2 x : with.subList(0, Math.min(3, with.size()))) sb.append(x.selfBytes()).append(": ").append(x.describe()).append('\n');
        return sb.toString();
    }
}
