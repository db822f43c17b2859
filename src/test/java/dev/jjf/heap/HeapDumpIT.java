package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.stacks.CallTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real dumps of {@link HeapFixture}, made during the test by jcmd: JDK 17 (serial) and JDK 25
 * (parallel, two-phase), plain and {@code -gz=1}; each checked against the structures the
 * fixture builds, through the library and through {@code jjf render}.
 */
class HeapDumpIT {
    static final String JDK17 = System.getProperty("java.home");
    static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";
    private static final int MIB = 8;
    private static final int BUFFERS = 5;
    private static final int BUFFER_BYTES = 100_000;
    private static final long CHUNK_SHALLOW = (16 + HeapFixture.CHUNK_BYTES + 7) & ~7;
    private static final String FIXTURE_CLASS = "dev.jjf.heap.HeapFixture";
    private static final long READY_SECONDS = 60;

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"17, plain", "17, gz", "25, parallel", "25, parallel-gz"})
    void fixtureStructuresAreFound(int jdk, String kind) throws Exception {
        String home = jdk == 17 ? JDK17 : JDK25;
        Assumptions.assumeTrue(Files.isExecutable(Path.of(home, "bin", "jcmd")), "no JDK at " + home);
        Path dump = work.resolve("fixture-" + jdk + "-" + kind + (kind.endsWith("gz") ? ".hprof.gz" : ".hprof"));
        List<String> options = new ArrayList<>();
        if (kind.startsWith("parallel")) options.add("-parallel=2");
        if (kind.endsWith("gz")) options.add("-gz=1");
        takeDump(home, options, dump);
        assertEquals(kind.endsWith("gz") ? HeapDumpFormat.HPROF_GZIP : HeapDumpFormat.HPROF, HeapDumpFormat.detect(dump).orElseThrow());

        List<String> warnings = new ArrayList<>();
        HeapGraph g = HeapDump.read(dump, new HeapDumpOptions(false, 2, warnings::add));
        assertEquals(List.of(), warnings);
        if (!kind.endsWith("gz")) {
            // Heap records on two threads from the first one on (SegmentSplit): one thread's graph, and the worker read objects.
            List<String> one = new ArrayList<>();
            List<String> two = new ArrayList<>();
            HeapGraph single = HeapDump.read(() -> Files.newInputStream(dump), dump, true, -1, new HeapDumpOptions(false, 1, one::add));
            HeapGraph split = HeapDump.read(() -> Files.newInputStream(dump), dump, true, 0, new HeapDumpOptions(false, 1, two::add));
            assertEquals(SegmentSplitTest.fingerprint(single, one), SegmentSplitTest.fingerprint(split, two));
            assertTrue(SegmentSplitTest.adopted(dump, 0) > 0, "the worker read no objects");
        }
        Dominators d = Dominators.compute(g);

        CallTree retained = HeapFolder.fold(g, d, HeapMetric.RETAINED);
        CallTree.Node statics = child(retained.root(), "static fields of " + FIXTURE_CLASS);
        CallTree.Node list = child(statics, "java.util.ArrayList");
        long chunks = (long) MIB * (1 << 20) / HeapFixture.CHUNK_BYTES;
        // The list's arrays, plus the list and its Object[] (at most a few KiB).
        assertTrue(list.total() >= chunks * CHUNK_SHALLOW && list.total() < chunks * CHUNK_SHALLOW + 4096, "list retains " + list.total());

        CallTree.Node local = retained.root().children().stream()
                .filter(c -> c.name().startsWith("thread \"" + HeapFixture.HOLDER_THREAD + "\" in " + FIXTURE_CLASS + ".holdLocal(HeapFixture.java:"))
                .findFirst().orElseThrow(() -> new AssertionError("no frame root of the holder thread: " + names(retained.root())));
        CallTree.Node localOnly = child(local, FIXTURE_CLASS + "$LocalOnly");
        assertEquals(16 + 16 + 8.0 * HeapFixture.LOCAL_LONGS, localOnly.total(), 0.0);

        CallTree nativeTree = HeapFolder.fold(g, d, HeapMetric.NATIVE);
        CallTree.Node map = child(child(nativeTree.root(), "static fields of " + FIXTURE_CLASS), "java.util.HashMap");
        assertEquals((double) BUFFERS * BUFFER_BYTES, sumOf(map, NativeKind.DIRECT_BUFFER.label()), 0.0);
        CallTree.Node deflater = child(child(nativeTree.root(), "static fields of " + FIXTURE_CLASS), "java.util.zip.Deflater");
        assertEquals(NativeKind.DEFLATE_STREAM_BYTES, deflater.total(), 0.0);

        // Retained sizes of a sample of objects against removing each one.
        boolean[] all = DominatorsTest.reachable(g, -1);
        Random r = new Random(jdk * 31L + kind.hashCode());
        List<Integer> sample = new ArrayList<>(DominatorsTest.objectsOf(g, FIXTURE_CLASS + "$LocalOnly"));
        sample.addAll(DominatorsTest.objectsOf(g, "java.util.zip.Deflater"));
        for (int i = 0; i < 40; i++) sample.add(r.nextInt(g.objectCount()));
        for (int o : sample) {
            boolean[] without = DominatorsTest.reachable(g, o);
            long freed = 0;
            for (int x = 0; x < g.objectCount(); x++) {
                if (all[x] && !without[x]) freed += g.countedBytes(x);
            }
            assertEquals(all[o] ? freed : 0, d.retainedBytes(o), g.className(o));
        }

        // The same through the command line, with its summary.
        String jar = System.getProperty("jjf.jar");
        if (jar != null) {
            Path svg = work.resolve("heap.svg");
            Process p = new ProcessBuilder(Path.of(JDK17, "bin", "java").toString(), "-jar", jar, "render", dump.toString(), "-o", svg.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("biggest dominator paths") && out.contains("static fields of " + FIXTURE_CLASS + " > java.util.ArrayList"), out);
            assertTrue(out.contains("biggest native memory owners (estimated)") && out.contains("> java.nio.DirectByteBuffer > "
                    + NativeKind.DIRECT_BUFFER.label()), out);
            String text = Files.readString(svg);
            assertTrue(text.contains("Application classes") && text.contains("GC roots") && !text.contains("JVM generated code"), "heap legend");
        }
    }

    private static double sumOf(CallTree.Node n, String name) {
        double s = n.name().equals(name) ? n.total() : 0;
        for (CallTree.Node c : n.children()) s += sumOf(c, name);
        return s;
    }

    private static CallTree.Node child(CallTree.Node n, String name) {
        return n.children().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " under " + n.name() + ": " + names(n)));
    }

    private static List<String> names(CallTree.Node n) {
        return n.children().stream().map(CallTree.Node::name).toList();
    }

    /** Starts the fixture on this JDK, dumps it with that JDK's jcmd, and lets it exit. */
    static void takeDump(String home, List<String> jcmdOptions, Path dump) throws Exception {
        String classes = Path.of(HeapFixture.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process fixture = new ProcessBuilder(Path.of(home, "bin", "java").toString(), "-Xmx256m", "-cp", classes, FIXTURE_CLASS,
                String.valueOf(MIB), String.valueOf(BUFFERS), String.valueOf(BUFFER_BYTES))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(fixture.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("ready "), "fixture said " + ready);
            String pid = ready.substring("ready ".length());
            List<String> cmd = new ArrayList<>(List.of(Path.of(home, "bin", "jcmd").toString(), pid, "GC.heap_dump"));
            cmd.addAll(jcmdOptions);
            cmd.add(dump.toString());
            Process jcmd = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String said = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(jcmd.waitFor(READY_SECONDS, TimeUnit.SECONDS), "jcmd hangs");
            assertEquals(0, jcmd.exitValue(), said);
            assertTrue(Files.size(dump) > 0, said);
        } finally {
            fixture.getOutputStream().close();
            if (!fixture.waitFor(READY_SECONDS, TimeUnit.SECONDS)) fixture.destroyForcibly();
        }
    }
}
