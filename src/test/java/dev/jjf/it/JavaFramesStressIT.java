package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The backtrace hook under src/test/resources/javaframes/JavaFramesStress.java, every allocation
 * sampled, in several JVM modes: the JVM finishes (no crash, no hang) and no Java frame carries a
 * wrong name. Each mode runs {@code jjf.stress.seconds} (default 10) seconds;
 * scripts/stress-java-frames.sh runs them longer.
 */
class JavaFramesStressIT {
    private static final String PROGRAM = "JavaFramesStress";
    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final long SECONDS = Long.getLong("jjf.stress.seconds", 10);
    /** Code the JDK owns, or generates for the program (lambdas, method handles, reflection). */
    private static final List<String> JDK_PREFIXES = List.of("java.", "jdk.", "sun.", "com.sun.", "javax.", PROGRAM + "$$Lambda");
    private static final String ANY_JDK = "<jdk>";
    private static final long READY_MILLIS = 60_000;

    /**
     * Each of the program's methods that can be on an allocating stack, and the only methods that
     * call it (ANY_JDK: some JDK frame, e.g. Thread.run or reflection). A frame whose nearest Java
     * caller is not listed was named wrongly.
     */
    private static final Map<String, Set<String>> CALLERS = Map.ofEntries(
            callers("main(java.lang.String[])", ANY_JDK),
            callers("<clinit>()", ANY_JDK),
            callers("allocate()", "JavaFramesStress$Loaded.work(int)", "JavaFramesStress$Loaded.loadedHelper()", "circleDraw()",
                    "squareDraw()", "triangleDraw()", "osrLoop()", "exceptions()", "throwing(int)", "recurse(int)"),
            callers("running()", "loaders()", "deopt()", "osr()", "osrLoop()", "exceptions()", "recursion()", "processes()",
                    "virtualThreads()"),
            callers("loaders()", ANY_JDK),
            callers("JavaFramesStress$OneClassLoader.<init>(byte[])", "loaders()"),
            callers("JavaFramesStress$OneClassLoader.loadClass(java.lang.String, boolean)", ANY_JDK),
            callers("JavaFramesStress$Loaded.work(int)", ANY_JDK),
            callers("JavaFramesStress$Loaded.loadedHelper()", "JavaFramesStress$Loaded.work(int)"),
            callers("deopt()", ANY_JDK),
            callers("drawAll(JavaFramesStress$Shape[], int)", "deopt()"),
            callers("JavaFramesStress$Circle.<init>()", "deopt()"),
            callers("JavaFramesStress$Square.<init>()", "deopt()"),
            callers("JavaFramesStress$Triangle.<init>()", "deopt()"),
            callers("JavaFramesStress$Circle.draw()", "drawAll(JavaFramesStress$Shape[], int)"),
            callers("JavaFramesStress$Square.draw()", "drawAll(JavaFramesStress$Shape[], int)"),
            callers("JavaFramesStress$Triangle.draw()", "drawAll(JavaFramesStress$Shape[], int)"),
            callers("circleDraw()", "JavaFramesStress$Circle.draw()"),
            callers("squareDraw()", "JavaFramesStress$Square.draw()"),
            callers("triangleDraw()", "JavaFramesStress$Triangle.draw()"),
            callers("osr()", ANY_JDK),
            callers("osrLoop()", "osr()"),
            callers("exceptions()", ANY_JDK),
            callers("throwing(int)", "throwing(int)", "exceptions()"),
            callers("recursion()", ANY_JDK),
            callers("recurse(int)", "recurse(int)", "recursion()", "virtualWork()"),
            callers("processes()", ANY_JDK),
            callers("virtualThreads()", ANY_JDK),
            callers("virtualWork()", ANY_JDK),
            callers("awaitInput(long)", ANY_JDK));

    @TempDir
    static Path work;
    static Path classes;

    private static Map.Entry<String, Set<String>> callers(String method, String... callers) {
        Set<String> set = new TreeSet<>();
        for (String c : callers) set.add(c.equals(ANY_JDK) || c.startsWith(PROGRAM + "$") ? c : PROGRAM + "." + c);
        return Map.entry(method.startsWith(PROGRAM + "$") ? method : PROGRAM + "." + method, set);
    }

    @BeforeAll
    static void compile() throws IOException {
        classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = List.of("--release", "17", "-d", classes.toString(),
                Proc.ROOT.resolve("src/test/resources/javaframes/" + PROGRAM + ".java").toString());
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, messages, messages, args.toArray(new String[0]));
        assertEquals(0, rc, () -> "javac " + args + "\n" + messages);
    }

    /**
     * -Xcomp frees and reuses code addresses all the time: a compiled frame recorded before its
     * code was replaced must still be named after the code it ran (the hook records it by compile id).
     */
    @ParameterizedTest(name = "JDK {0} {1}")
    @CsvSource({"17, -XX:+UseG1GC", "17, -Xint", "17, -Xcomp", "25, -XX:+UseG1GC", "25, -Xcomp"})
    void noCrashNoHangNoWrongName(String jdk, String mode) throws Exception {
        assumeTrue(Files.isRegularFile(Proc.DEBIAN_JEMALLOC), "apt-get install libjemalloc2");
        Path java = jdk.equals("17") ? Proc.JAVA : JDK25;
        assumeTrue(Files.isExecutable(java), "no JDK 25 at " + JDK25);
        Path out = work.resolve("out-" + jdk + mode);
        Proc p = Proc.jjf(work, "run", "--jemalloc", Proc.DEBIAN_JEMALLOC.toString(), "--lg-sample", "0", "--format", "json",
                "--out", out.toString(), "--", java.toString(), mode, "-cp", classes.toString(), PROGRAM, Long.toString(SECONDS)).assertOk();
        assertTrue(p.stdout().contains("allocations "), p.stdout());
        assertFalse(p.stderr().contains("jjf-perfmap:"), p.stderr());
        assertNoWrongName(out.resolve("flames.json"));
    }

    /**
     * The hook installed by a snapshot into a JVM that jjf run did not start, while the program
     * runs: its final profile, named by the map the hook's writer keeps in /tmp, has no wrong name.
     */
    @ParameterizedTest(name = "JDK {0}, hook attached")
    @CsvSource({"17", "25"})
    void attachedByASnapshot(String jdk) throws Exception {
        assumeTrue(Files.isRegularFile(Proc.DEBIAN_JEMALLOC), "apt-get install libjemalloc2");
        Path java = jdk.equals("17") ? Proc.JAVA : JDK25;
        assumeTrue(Files.isExecutable(java), "no JDK 25 at " + JDK25);
        Path out = Files.createDirectories(work.resolve("attached-" + jdk));
        List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints",
                "-XX:+PreserveFramePointer"));
        if (!jdk.equals("17")) command.add("-XX:+EnableDynamicAgentLoading"); // JEP 451's flag; JDK 17 has none
        command.addAll(List.of("-cp", classes.toString(), PROGRAM, Long.toString(SECONDS), "after-input"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.resolve("program.out").toFile());
        pb.environment().put("LD_PRELOAD", Proc.DEBIAN_JEMALLOC.toString());
        pb.environment().put("MALLOC_CONF", "prof:true,lg_prof_sample:0,prof_final:true,prof_prefix:" + out.resolve("jeprof"));
        Process program = pb.start();
        try {
            TargetPrograms.awaitOutput(out.resolve("program.out"), program.toHandle(), "ready", READY_MILLIS);
            Proc snap = Proc.jjf(work, "snapshot", Long.toString(program.pid()), "--format", "folded", "--out", out.resolve("snap").toString())
                    .assertOk();
            assertTrue(snap.stderr().contains("jjf's agent records whole Java stacks"), snap.stderr());
            // The attach may take long with every allocation sampled: the program's SECONDS start now.
            program.getOutputStream().write('\n');
            program.getOutputStream().close();
            assertTrue(program.waitFor(SECONDS + Proc.TIMEOUT_SECONDS, TimeUnit.SECONDS), "the program ends");
        } finally {
            program.destroyForcibly();
        }
        String output = Files.readString(out.resolve("program.out"));
        assertEquals(0, program.exitValue(), output);
        assertTrue(output.contains("allocations "), output);
        Path map = Path.of("/tmp/jjf-perf-" + program.pid() + ".map");
        try {
            Path heap;
            try (var files = Files.list(out)) {
                // The program's own final dump; the processes it starts write theirs beside it.
                String prefix = "jeprof." + program.pid() + ".";
                heap = files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.getFileName().toString().endsWith(".f.heap"))
                        .findFirst().orElseThrow();
            }
            Proc.jjf(work, "render", heap.toString(), "--perf-map", map.toString(), "--format", "json", "-o",
                    out.resolve("flames.json").toString()).assertOk();
        } finally {
            Files.deleteIfExists(map);
        }
        assertNoWrongName(out.resolve("flames.json"));
    }

    private static void assertNoWrongName(Path json) throws Exception {
        List<RunIT.Path2> paths = RunIT.paths(json);
        long named = 0;
        List<String> wrong = new ArrayList<>();
        for (RunIT.Path2 path : paths) {
            // A stack deeper than jemalloc's 128 frames starts somewhere in the middle: its first
            // Java frame's caller is unknown.
            String caller = null;
            for (JsonNode frame : path.frames()) {
                String kind = RunIT.kind(frame);
                if (!kind.equals("java") && !kind.equals("inlined")) continue;
                String name = RunIT.name(frame);
                boolean jdkCode = JDK_PREFIXES.stream().anyMatch(name::startsWith);
                if (!jdkCode) {
                    named++;
                    Set<String> allowed = CALLERS.get(name);
                    if (allowed == null || (caller != null && !allowed.contains(caller))) {
                        wrong.add(name + " called by " + caller + " in " + path.describe());
                    }
                }
                caller = jdkCode ? ANY_JDK : name;
            }
        }
        assertTrue(named > 0, "the program's frames are named");
        assertTrue(wrong.isEmpty(), wrong.size() + " wrongly named frames, e.g.\n" + String.join("\n", wrong.subList(0, Math.min(5, wrong.size()))));
    }
}
