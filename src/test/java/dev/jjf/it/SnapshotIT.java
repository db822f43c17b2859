package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jjf.launch.JemallocLocator;
import dev.jjf.render.GoPprof;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jjf snapshot} against real JVMs this test starts: one that leaks steadily under the
 * libunwind jemalloc with prof:true, one started by {@code jjf run --prof-active=false}, and the
 * bad inputs (no process, not a JVM, a stopped JVM, no profiling jemalloc, no duration).
 */
class SnapshotIT {
    private static final long READY_TIMEOUT_MILLIS = 60_000;
    private static final long POLL_MILLIS = 50;
    private static final long MIB = 1 << 20;
    /** The target leaks 1 MiB every 50 ms. */
    private static final double LEAK_BYTES_PER_SECOND = 20.0 * MIB;
    /** The target keeps 64 chunks of 64 KiB, replacing 16 of them every 50 ms: 4 MiB, not growing. */
    private static final long CHURN_LIVE_BYTES = 4 * MIB;
    /** One sample per 64 KiB on average: every 1 MiB leak is sampled, the churn well enough. */
    private static final String LG_SAMPLE = "16";
    private static final String LEAK_PREFIX = "SnapshotLeak.leak";
    private static final String CHURN_PREFIX = "SnapshotLeak.churn";
    private static final Pattern WINDOW = Pattern.compile("taken, (\\d+\\.\\d) s after the first");
    private static final String PID_MAX_LIMIT = "4194304";
    private static final String NO_PROFILING = " has no profiling jemalloc: start it with `jjf run` "
            + "(or LD_PRELOAD=…libjemalloc.so.2 MALLOC_CONF=prof:true …)";
    private static final String TARGET_CLASS = "SnapshotLeak";
    private static final String READY = "ready";
    private static final String LEAKED_10_MIB = "leaked 10 MiB";
    /**
     * Leaks 1 MiB per tick through leak -> leakChunk, and churns through churn -> churnChunk as many
     * bytes as it frees. Exits when its stdin closes. Warmed up first: with -XX:-BackgroundCompilation
     * the named methods are compiled before "ready", and a compiled frame is what a perf map names.
     */
    private static final String TARGET_SOURCE = """
            import java.lang.reflect.Field;
            import java.util.ArrayList;
            import java.util.List;
            import sun.misc.Unsafe;

            public class SnapshotLeak {
                static final long MIB = 1 << 20;
                static final long CHURN_BYTES = 64 * 1024;
                static final int CHURN_PER_TICK = 16;
                static final long TICK_NANOS = 50_000_000L;
                static final List<Long> LEAKED = new ArrayList<>();
                static final long[] CHURN = new long[64];
                static Unsafe unsafe;
                static int churnNext;
                static byte[] garbage;

                public static void main(String[] args) throws Exception {
                    boolean makeGarbage = args.length > 0 && args[0].equals("garbage");
                    Field f = Unsafe.class.getDeclaredField("theUnsafe");
                    f.setAccessible(true);
                    unsafe = (Unsafe) f.get(null);
                    Thread eof = new Thread(() -> {
                        try {
                            while (System.in.read() >= 0) { }
                        } catch (Exception e) {
                            System.out.println("cannot read input: " + e);
                        }
                        System.exit(0);
                    });
                    eof.setDaemon(true);
                    eof.start();
                    // The same paths as below, branch for branch: a branch the warm-up never took
                    // would send the compiled method back to the interpreter when first taken.
                    for (int i = 0; i < 20_000; i++) {
                        leak(16);
                        churn(16);
                    }
                    for (long address : LEAKED) unsafe.freeMemory(address);
                    LEAKED.clear();
                    System.out.println("ready");
                    System.out.flush();
                    long next = System.nanoTime();
                    for (int tick = 1; ; tick++) {
                        leak(MIB);
                        if (tick == 10) {
                            System.out.println("leaked 10 MiB");
                            System.out.flush();
                        }
                        churn(CHURN_BYTES);
                        if (makeGarbage) garbage = garbage();
                        next += TICK_NANOS;
                        long wait = next - System.nanoTime();
                        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }

                static void leak(long bytes) {
                    LEAKED.add(leakChunk(bytes));
                }

                static long leakChunk(long bytes) {
                    return unsafe.allocateMemory(bytes);
                }

                static void churn(long bytes) {
                    for (int i = 0; i < CHURN_PER_TICK; i++) {
                        int slot = churnNext++ % CHURN.length;
                        if (CHURN[slot] != 0) unsafe.freeMemory(CHURN[slot]);
                        CHURN[slot] = churnChunk(bytes);
                    }
                }

                static long churnChunk(long bytes) {
                    return unsafe.allocateMemory(bytes);
                }

                // Java heap allocations from interpreted frames (main, and this one, called too rarely to be compiled soon).
                static byte[] garbage() {
                    return new byte[512 * 1024];
                }
            }
            """;
    private static final List<String> JVM_FLAGS = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints",
            "-XX:+PreserveFramePointer", "-XX:-BackgroundCompilation");

    @TempDir
    static Path classes;

    @TempDir
    Path work;

    private final List<Process> started = new ArrayList<>();
    private final List<Long> stopped = new ArrayList<>();

    @BeforeAll
    static void compileTarget() throws IOException {
        skipUnless(System.getProperty("jjf.jar") != null, "needs the packaged jar: failsafe runs it in 'mvn verify'");
        Path source = Files.writeString(classes.resolve(TARGET_CLASS + ".java"), TARGET_SOURCE);
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, messages, messages, "-nowarn", "-d", classes.toString(), source.toString());
        assertEquals(0, rc, () -> "compiling the target: " + messages);
    }

    @AfterEach
    void stopProcesses() throws Exception {
        for (long pid : stopped) Proc.run(work, Map.of(), List.of("kill", "-CONT", Long.toString(pid)));
        TargetPrograms.stop(started);
    }

    /** A running target: the JVM (maybe a child of what was started), its output so far, the process started. */
    record Target(ProcessHandle jvm, Path output, Process process) {
        String pid() {
            return Long.toString(jvm.pid());
        }
    }

    private Target start(List<String> command, Map<String, String> env, boolean waitForReady, boolean jvmIsChild) throws Exception {
        Path output = Files.createTempFile(work, "target", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()); // stdin stays a pipe: closing it ends the target
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (waitForReady && !Files.readString(output).contains(READY)) {
            assertTrue(p.isAlive(), "target exited early: " + command + "\n" + Files.readString(output));
            assertTrue(System.currentTimeMillis() < deadline, "target not ready in time: " + command + "\n" + Files.readString(output));
            Thread.sleep(POLL_MILLIS);
        }
        ProcessHandle jvm = p.toHandle();
        if (jvmIsChild) {
            // Only once the program runs: a child that jjf run spawns briefly runs java's binary before its exec.
            List<ProcessHandle> javas = p.children().filter(c -> c.info().command().orElse("").endsWith("/java")).toList();
            assertEquals(1, javas.size(), "one JVM under " + command + ": " + javas);
            jvm = javas.get(0);
        }
        return new Target(jvm, output, p);
    }

    /** The leaking program, with {@code env} (jemalloc or not) set by the test itself. */
    private Target startLeak(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Proc.JAVA.toString()));
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-cp", classes.toString(), TARGET_CLASS));
        cmd.addAll(List.of(args));
        return start(cmd, env, true, false);
    }

    private Target startProfiledLeak() throws Exception {
        Path jemalloc = libunwindJemalloc();
        return startLeak(Map.of("LD_PRELOAD", jemalloc.toString(), "MALLOC_CONF", "prof:true,lg_prof_sample:" + LG_SAMPLE));
    }

    // ---- what a snapshot shows ----

    @Test
    void aSnapshotNamesTheLeakAndAWindowShowsOnlyWhatGrew() throws Exception {
        Set<Path> exchangeBefore = exchangeDirs();
        Target t = startProfiledLeak();
        waitForOutput(t, LEAKED_10_MIB);

        Path one = work.resolve("one");
        Proc snap = Proc.jjf(work, "snapshot", t.pid(), "--format", "json", "--out", one.toString()).assertOk();
        JsonNode tree = json(one.resolve("flames.json"));
        long leaked = sum(tree, LEAK_PREFIX, "value");
        assertTrue(leaked >= 10 * MIB, "the leaking Java method is named, with its bytes: " + leaked + "\n" + snap.stderr() + names(tree));
        assertTrue(hasPath(tree, LEAK_PREFIX, "Unsafe_AllocateMemory0"), "leak -> ... -> Unsafe_AllocateMemory0 (jvm):" + names(tree));
        assertTrue(sum(tree, CHURN_PREFIX, "value") > CHURN_LIVE_BYTES / 4, "the churn is in use too:" + names(tree));
        // build-ids.PID names the process (its start time), so a later render can tell its map from a stale one.
        assertEquals(List.of("build-ids." + t.pid(), "flames.json", "jeprof." + t.pid() + ".0.m0.heap", "perf-" + t.pid() + ".map"), list(one));

        Path two = work.resolve("two");
        Proc window = Proc.jjf(work, "snapshot", t.pid(), "--window", "3s", "--format", "json", "--out", two.toString()).assertOk();
        Matcher m = WINDOW.matcher(window.stderr());
        assertTrue(m.find(), window.stderr());
        double seconds = Double.parseDouble(m.group(1));
        assertTrue(seconds >= 3.0, "the window was waited for: " + seconds + " s");
        // The agent is one copy with one state for all attaches: its dump numbers go on from the first snapshot.
        assertEquals(List.of("build-ids." + t.pid(), "flames.json", "jeprof." + t.pid() + ".1.m1.heap", "jeprof." + t.pid() + ".2.m2.heap",
                "perf-" + t.pid() + ".map"), list(two));

        JsonNode diff = json(two.resolve("flames.json"));
        double expected = LEAK_BYTES_PER_SECOND * seconds;
        long leakDelta = sum(diff, LEAK_PREFIX, "delta");
        assertTrue(leakDelta > 0.6 * expected && leakDelta < 1.5 * expected,
                "the leak grew by " + mib(leakDelta) + " in " + seconds + " s; expected about " + mib(expected) + names(diff));
        long churnDelta = sum(diff, CHURN_PREFIX, "delta");
        long churnValue = sum(diff, CHURN_PREFIX, "value");
        assertTrue(churnValue > CHURN_LIVE_BYTES / 4, "the churn is large in the graph: " + mib(churnValue) + names(diff));
        assertTrue(Math.abs(churnDelta) < 0.1 * expected, "the churn did not grow: " + mib(churnDelta) + names(diff));
        long otherGrowth = positiveSelfDelta(diff, false);
        System.out.printf("SnapshotIT: in %.1f s the leak grew %s (expected about %s), the churn %s (of %s), the rest %s%n",
                seconds, mib(leakDelta), mib(expected), mib(churnDelta), mib(churnValue), mib(otherGrowth));
        assertTrue(otherGrowth < 0.1 * expected, "nothing else grew much: " + mib(otherGrowth) + " outside the leak" + names(diff));

        // pprof output of a snapshot, read by Google's pprof: its total is jjf's JSON total of the same dump.
        Path three = work.resolve("three");
        Proc.jjf(work, "snapshot", t.pid(), "--format", "pprof", "--out", three.toString()).assertOk();
        Path dump = three.resolve("jeprof." + t.pid() + ".3.m3.heap");
        Path same = three.resolve("same.json");
        Proc.jjf(work, "render", dump.toString(), "--perf-map", three.resolve("perf-" + t.pid() + ".map").toString(),
                "--format", "json", "-o", same.toString()).assertOk();
        assertEquals(json(same).get("value").asLong(), GoPprof.rawTotal(GoPprof.run("-raw", three.resolve("flames.pb.gz").toString()), 0));

        assertStillRunsAndAnswers(t);
        assertEquals(List.of(), agentThreads(t), "the agent left no thread behind");
        assertEquals(1, agentMappings(t), "one copy of the agent in the JVM");
        assertEquals(exchangeBefore, exchangeDirs(), "the JVM's /tmp is left as it was");
    }

    /** --heap: the JVM's Java heap, dumped right after the native snapshot, lands beside it. */
    @Test
    void withHeapTheJavaHeapComesAlong() throws Exception {
        Target t = startProfiledLeak();
        waitForOutput(t, LEAKED_10_MIB);
        Path out = work.resolve("both");
        Proc snap = Proc.jjf(work, "snapshot", t.pid(), "--heap", "--format", "json", "--out", out.toString()).assertOk();
        String hprofName = "java-heap." + t.pid() + ".0.m0.hprof";
        assertEquals(List.of("build-ids." + t.pid(), "flames.json", hprofName, "jeprof." + t.pid() + ".0.m0.heap", "perf-" + t.pid() + ".map"), list(out),
                snap.stderr());
        assertTrue(snap.stderr().contains("heap dump " + hprofName + " taken (HotSpot JDK "), snap.stderr());
        byte[] hprof = Files.readAllBytes(out.resolve(hprofName));
        assertEquals("JAVA PROFILE 1.0.2", new String(hprof, 0, 18, StandardCharsets.US_ASCII));
        // The leak's class and its list of leaked addresses are Java objects: their names are in the dump.
        assertTrue(new String(hprof, StandardCharsets.ISO_8859_1).contains(TARGET_CLASS), "the target's class is in the heap dump");
        assertTrue(sum(json(out.resolve("flames.json")), LEAK_PREFIX, "value") >= 10 * MIB, "and the native half still names the leak");
        assertStillRunsAndAnswers(t);
    }

    @Test
    void startAndStopSwitchSamplingInAJvmStartedWithItOff() throws Exception {
        Path runOut = work.resolve("run");
        List<String> cmd = new ArrayList<>(List.of(Proc.JAVA.toString(), "-jar", Proc.JAR.toAbsolutePath().toString(),
                "run", "--prof-active=false", "--lg-sample", LG_SAMPLE, "--no-render", "--out", runOut.toString(), "--",
                Proc.JAVA.toString(), "-XX:-BackgroundCompilation", "-cp", classes.toString(), TARGET_CLASS));
        Target t = start(cmd, Map.of(), true, true);
        String pid = t.pid();

        Proc off = Proc.jjf(work, "snapshot", pid, "--format", "json", "--out", work.resolve("off").toString());
        assertEquals(0, off.exitCode(), off.stderr() + "\ntarget " + pid + ":\n" + Files.readString(t.output()));
        assertTrue(off.stderr().contains("note: heap sampling is off in pid " + pid), off.stderr());
        assertEquals(0, sum(json(work.resolve("off/flames.json")), LEAK_PREFIX, "value"), "nothing sampled while off");

        Proc on = Proc.jjf(work, "snapshot", pid, "--start").assertOk();
        assertTrue(on.stderr().contains("pid " + pid + ": heap sampling is on (it was off)"), on.stderr());
        Proc again = Proc.jjf(work, "snapshot", pid, "--start").assertOk();
        assertTrue(again.stderr().contains("heap sampling is on (it already was on)"), again.stderr());
        Proc growing = Proc.jjf(work, "snapshot", pid, "--window", "1s", "--format", "json", "--out", work.resolve("on").toString()).assertOk();
        JsonNode grew = json(work.resolve("on/flames.json"));
        assertTrue(sum(grew, LEAK_PREFIX, "delta") >= 5 * MIB, "sampled while on: the leak grows" + names(grew) + growing.stderr());

        Proc stop = Proc.jjf(work, "snapshot", pid, "--stop").assertOk();
        assertTrue(stop.stderr().contains("pid " + pid + ": heap sampling is off (it was on)"), stop.stderr());
        Proc.jjf(work, "snapshot", pid, "--window", "1s", "--format", "json", "--out", work.resolve("stopped").toString()).assertOk();
        JsonNode still = json(work.resolve("stopped/flames.json"));
        assertTrue(sum(still, LEAK_PREFIX, "value") >= 5 * MIB, "what was sampled stays" + names(still));
        assertEquals(0, sum(still, LEAK_PREFIX, "delta"), "nothing new is sampled while off" + names(still));

        assertStillRunsAndAnswers(t);
        t.process().getOutputStream().close();
        assertTrue(t.process().waitFor(Proc.TIMEOUT_SECONDS, TimeUnit.SECONDS), "jjf run ends with its program");
        assertEquals(0, t.process().exitValue(), Files.readString(t.output()));
    }

    /**
     * A JVM that jjf run started on Debian's jemalloc carries the backtrace hook: its stacks hold
     * the hook's values for interpreted methods and compilations, which only the run's own map
     * names. A snapshot's map carries them too: main (interpreted: it never returns) names the leak.
     */
    @Test
    void aSnapshotOfAJvmThatJjfRunStartedNamesTheHooksFrames() throws Exception {
        skipUnless(Files.exists(Proc.DEBIAN_JEMALLOC), "needs Debian's libjemalloc2 at " + Proc.DEBIAN_JEMALLOC);
        List<String> cmd = new ArrayList<>(List.of(Proc.JAVA.toString(), "-jar", Proc.JAR.toAbsolutePath().toString(),
                "run", "--jemalloc", Proc.DEBIAN_JEMALLOC.toString(), "--lg-sample", LG_SAMPLE, "--no-render",
                "--out", work.resolve("run").toString(), "--",
                Proc.JAVA.toString(), "-XX:-BackgroundCompilation", "-cp", classes.toString(), TARGET_CLASS));
        Target t = start(cmd, Map.of(), true, true);
        waitForOutput(t, LEAKED_10_MIB);
        Path out = work.resolve("snap");
        Proc.jjf(work, "snapshot", t.pid(), "--format", "json", "--out", out.toString()).assertOk();
        JsonNode root = json(out.resolve("flames.json"));
        assertEquals(List.of(), unnamedHookValues(root), "every value the hook recorded is named");
        assertTrue(sum(root, TARGET_CLASS + ".main(", "value") >= 10 * MIB, "the leak lies under main" + names(root));
        assertTrue(sum(root, LEAK_PREFIX, "value") >= 10 * MIB, "and under leak" + names(root));
        assertStillRunsAndAnswers(t);
    }

    /**
     * A JVM that jjf run did not start, on Debian's jemalloc (libgcc: stacks end at the first Java
     * frame): the first snapshot installs the hook, and what is sampled after it is whole, from the
     * thread's start, with the interpreted main named: the target loads no more classes, so the
     * agent learns the interpreter's frame layout from the Java heap allocations of main's garbage().
     * The second snapshot does not install it again.
     */
    @Test
    void aSnapshotInstallsTheHookForWhatIsSampledAfterIt() throws Exception {
        skipUnless(Files.exists(Proc.DEBIAN_JEMALLOC), "needs Debian's libjemalloc2 at " + Proc.DEBIAN_JEMALLOC);
        Target t = startLeak(Map.of("LD_PRELOAD", Proc.DEBIAN_JEMALLOC.toString(), "MALLOC_CONF", "prof:true,lg_prof_sample:" + LG_SAMPLE),
                "garbage");
        Proc first = Proc.jjf(work, "snapshot", t.pid(), "--format", "json", "--out", work.resolve("first").toString()).assertOk();
        assertTrue(first.stderr().contains("jjf's agent records whole Java stacks with named frames"), first.stderr());
        assertEquals(0, sum(json(work.resolve("first/flames.json")), LEAK_PREFIX, "value"),
                "jemalloc's own unwinder stops at the first Java frame: leak is not seen");

        Proc window = Proc.jjf(work, "snapshot", t.pid(), "--window", "1s", "--format", "json", "--out", work.resolve("window").toString())
                .assertOk();
        assertFalse(window.stderr().contains("jjf's agent records whole Java stacks"), window.stderr());
        JsonNode grew = json(work.resolve("window/flames.json"));
        assertTrue(sumBelow(grew, "start_thread", TARGET_CLASS + ".main(", "delta") >= 5 * MIB,
                "what grew lies under main, from the thread's start" + names(grew) + window.stderr());
        assertTrue(sumBelow(grew, "start_thread", LEAK_PREFIX, "delta") >= 5 * MIB, "and under leak" + names(grew));
        assertEquals(List.of(), unnamedHookValues(grew), "every value the hook recorded is named");
        assertStillRunsAndAnswers(t);
    }

    /** Like {@link #sum}, counting only frames below a frame named {@code ancestor}. */
    private static long sumBelow(JsonNode node, String ancestor, String prefix, String field) {
        if (node.path("name").asText().equals(ancestor)) return sum(node, prefix, field);
        long total = 0;
        for (JsonNode c : node.path("children")) total += sumBelow(c, ancestor, prefix, field);
        return total;
    }

    /** The frames that are values the backtrace hook recorded (interpreted methods, compilations) but no map named. */
    private static List<String> unnamedHookValues(JsonNode node) {
        List<String> out = new ArrayList<>();
        collectUnnamedHookValues(node, out);
        return out;
    }

    private static void collectUnnamedHookValues(JsonNode node, List<String> out) {
        String name = node.path("name").asText();
        if (name.startsWith("[unknown] 0xfa") || name.startsWith("[unknown] 0xfb")) out.add(name);
        for (JsonNode c : node.path("children")) collectUnnamedHookValues(c, out);
    }

    /** A JVM in its own pid namespace with a private /tmp, as in a container: files go through /proc/PID/root. */
    @Test
    void aJvmInItsOwnPidAndMountNamespace() throws Exception {
        skipUnless(isRoot(), "unshare --pid needs root");
        Proc probe = Proc.run(work, Map.of(), List.of("unshare", "--fork", "--pid", "--mount-proc", "sh", "-c", "mount -t tmpfs tmpfs /tmp"));
        skipUnless(probe.exitCode() == 0, "this machine forbids 'unshare --fork --pid --mount-proc' or mounting a tmpfs in it: "
                + (probe.stdout() + probe.stderr()).strip());
        Path jemalloc = libunwindJemalloc();
        // The new /tmp hides the class directory's path, but not the working directory itself.
        String script = "cd \"$0\" && mount -t tmpfs tmpfs /tmp && exec \"$1\" " + String.join(" ", JVM_FLAGS)
                + " -cp /proc/self/cwd " + TARGET_CLASS;
        Target t = start(List.of("unshare", "--fork", "--pid", "--mount-proc", "--kill-child", "sh", "-c", script,
                classes.toString(), Proc.JAVA.toString()),
                Map.of("LD_PRELOAD", jemalloc.toString(), "MALLOC_CONF", "prof:true,lg_prof_sample:" + LG_SAMPLE), true, true);
        String status = Files.readString(Path.of("/proc", t.pid(), "status"));
        assertTrue(status.lines().anyMatch(l -> l.matches("NStgid:\\s+" + t.pid() + "\\s+1")), "pid 1 in its namespace:\n" + status);
        waitForOutput(t, LEAKED_10_MIB);

        for (int i = 0; i < 2; i++) {
            Path out = work.resolve("ns" + i);
            Proc.jjf(work, "snapshot", t.pid(), "--format", "json", "--out", out.toString()).assertOk();
            JsonNode tree = json(out.resolve("flames.json"));
            assertTrue(sum(tree, LEAK_PREFIX, "value") >= 10 * MIB, "the leak is named" + names(tree));
            // Named after the pid seen from here, not pid 1.
            assertEquals(List.of("build-ids." + t.pid(), "flames.json", "jeprof." + t.pid() + "." + i + ".m" + i + ".heap",
                    "perf-" + t.pid() + ".map"), list(out));
            String record = Files.readString(out.resolve("build-ids." + t.pid()));
            assertTrue(record.startsWith("# jjf-process pid=" + t.pid() + " start="), record);
        }
        Path inside = Path.of("/proc", t.pid(), "root", "tmp");
        // The backtrace hook's map, which the first snapshot started, is named with the JVM's own pid (1 in there).
        List<String> there = list(inside).stream().filter(n -> n.contains("jjf") && !n.equals("jjf-perf-1.map")).toList();
        assertTrue(Files.isRegularFile(inside.resolve("jjf-perf-1.map")), "the hook's map: " + list(inside));
        assertEquals(1, there.size(), "only the agent's copy and the hook's map are left in the JVM's /tmp: " + there);
        assertTrue(there.get(0).startsWith(".jjf-agent-") && Files.isRegularFile(inside.resolve(there.get(0)).resolve("libjjfperfmap.so")), there.toString());
        assertFalse(Files.exists(Path.of("/tmp", there.get(0))), "not in our /tmp");
        assertEquals(1, agentMappings(t), "both snapshots used the one copy");
        assertStillRunsAndAnswers(t);
    }

    // ---- bad input: one line, non-zero exit, the target unharmed ----

    @Test
    void aPidThatDoesNotExist() throws Exception {
        assertFalse(Files.exists(Path.of("/proc", PID_MAX_LIMIT)));
        assertOneLineError(Proc.jjf(work, "snapshot", PID_MAX_LIMIT), "no process with pid " + PID_MAX_LIMIT);
    }

    @Test
    void aProcessThatIsNotAJvm() throws Exception {
        Target sleep = start(List.of("sleep", "60"), Map.of(), false, false);
        assertOneLineError(Proc.jjf(work, "snapshot", sleep.pid()), "is not a HotSpot JVM");
        assertFalse(sleep.process().waitFor(500, TimeUnit.MILLISECONDS), "SIGQUIT would have killed it");
    }

    @Test
    void aJvmThatNeverAnswersTimesOutWithTheTime() throws Exception {
        Target t = startLeak(Map.of());
        Proc.jjf(work, "attach", t.pid(), "jcmd", "VM.version").assertOk(); // its attach socket exists from now on
        Proc.run(work, Map.of(), List.of("kill", "-STOP", t.pid())).assertOk();
        stopped.add(t.jvm().pid());
        long start = System.nanoTime();
        Proc p = Proc.jjf(work, "snapshot", t.pid(), "--timeout", "2", "--out", work.resolve("never").toString());
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertOneLineError(p, "pid " + t.pid() + " (java) did not answer within 2 s");
        assertTrue(tookMillis >= 2000, "waited " + tookMillis + " ms");
        assertFalse(Files.exists(work.resolve("never")), "no empty output directory left");
        Proc.run(work, Map.of(), List.of("kill", "-CONT", t.pid())).assertOk();
        assertStillRunsAndAnswers(t);
    }

    @Test
    void aJvmWithoutJemalloc() throws Exception {
        Target t = startLeak(Map.of());
        assertOneLineError(Proc.jjf(work, "snapshot", t.pid(), "--out", work.resolve("none").toString()), "pid " + t.pid() + NO_PROFILING);
        assertOneLineError(Proc.jjf(work, "snapshot", t.pid(), "--start"), "pid " + t.pid() + NO_PROFILING);
        assertStillRunsAndAnswers(t);
        assertTrue(Files.readString(t.output()).contains("jjf-perfmap: no heap profiling in this process: no jemalloc"),
                "one line on the JVM's stderr too: " + Files.readString(t.output()));
    }

    @Test
    void aJvmUnderJemallocWithoutProfTrue() throws Exception {
        skipUnless(Files.exists(Proc.DEBIAN_JEMALLOC), "needs Debian's libjemalloc2 at " + Proc.DEBIAN_JEMALLOC);
        Target t = startLeak(Map.of("LD_PRELOAD", Proc.DEBIAN_JEMALLOC.toString()));
        assertOneLineError(Proc.jjf(work, "snapshot", t.pid(), "--out", work.resolve("noprof").toString()), "pid " + t.pid() + NO_PROFILING);
        assertStillRunsAndAnswers(t);
        assertTrue(Files.readString(t.output()).contains("jemalloc runs without prof:true"), Files.readString(t.output()));
    }

    @Test
    void aWindowThatIsNotADuration() throws Exception {
        Target t = startProfiledLeak();
        Set<Path> before = exchangeDirs();
        assertOneLineError(Proc.jjf(work, "snapshot", t.pid(), "--window", "3 seconds"), "--window: '3 seconds' is not a duration");
        assertOneLineError(Proc.jjf(work, "snapshot", t.pid(), "--window", "5x"), "is not a duration");
        assertEquals(before, exchangeDirs(), "nothing was sent to the JVM");
        assertFalse(Files.exists(work.resolve("jjf-out")), "no output directory");
        assertStillRunsAndAnswers(t);
    }

    // ---- helpers ----

    private static void waitForOutput(Target t, String line) throws Exception {
        TargetPrograms.awaitOutput(t.output(), t.jvm(), line, READY_TIMEOUT_MILLIS);
    }

    private static Path libunwindJemalloc() throws IOException {
        Path cache = JemallocLocator.buildCache(System.getenv());
        if (Files.isDirectory(cache)) {
            try (DirectoryStream<Path> builds = Files.newDirectoryStream(cache, "jemalloc-*-libunwind")) {
                for (Path b : builds) {
                    Path lib = b.resolve("lib/libjemalloc.so.2");
                    if (Files.isRegularFile(lib)) return lib;
                }
            }
        }
        skipUnless(false, "no libunwind jemalloc under " + cache + " (scripts/build-jemalloc.sh builds it)");
        throw new AssertionError("unreachable");
    }

    private void assertStillRunsAndAnswers(Target t) throws Exception {
        assertTrue(t.jvm().isAlive(), "target " + t.pid() + " still runs");
        Proc v = Proc.jjf(work, "attach", t.pid(), "jcmd", "VM.version").assertOk();
        assertTrue(v.stdout().contains("JDK "), v.stdout());
        assertTrue(t.jvm().isAlive(), "target " + t.pid() + " still runs");
    }

    private static void assertOneLineError(Proc p, String expected) {
        assertNotEquals(0, p.exitCode(), "exit code; stdout:\n" + p.stdout());
        assertEquals(1, p.stderr().strip().lines().count(), "one line:\n" + p.stderr());
        assertTrue(p.stderr().startsWith("jjf: ") && p.stderr().contains(expected), p.stderr());
        assertFalse(p.stderr().contains("internal error"), p.stderr());
    }

    private static List<String> agentThreads(Target t) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", t.pid(), "task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith("jjf")) names.add(name);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return names;
    }

    private static long agentMappings(Target t) throws IOException {
        try (Stream<String> maps = Files.lines(Path.of("/proc", t.pid(), "maps"))) {
            return maps.filter(l -> l.endsWith("/libjjfperfmap.so")).map(l -> l.substring(l.indexOf('/'))).distinct().count();
        }
    }

    private static Set<Path> exchangeDirs() throws IOException {
        Set<Path> dirs = new HashSet<>();
        try (DirectoryStream<Path> tmp = Files.newDirectoryStream(Path.of("/tmp"), "jjf-snapshot-*")) {
            tmp.forEach(dirs::add);
        }
        return dirs;
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
    }

    private static boolean matches(JsonNode n, String prefix) {
        String kind = n.path("kind").asText();
        return n.path("name").asText().startsWith(prefix) && (kind.equals("java") || kind.equals("inlined"));
    }

    /** {@code field} summed over the outermost nodes of the named methods: nested calls are counted once. */
    static long sum(JsonNode node, String prefix, String field) {
        if (matches(node, prefix)) return node.path(field).asLong();
        long total = 0;
        for (JsonNode c : node.path("children")) total += sum(c, prefix, field);
        return total;
    }

    /** Whether some path has a node named {@code from…} with {@code to} below it. */
    static boolean hasPath(JsonNode node, String from, String to) {
        if (matches(node, from)) return contains(node, to);
        for (JsonNode c : node.path("children")) {
            if (hasPath(c, from, to)) return true;
        }
        return false;
    }

    private static boolean contains(JsonNode node, String name) {
        if (node.path("name").asText().equals(name)) return true;
        for (JsonNode c : node.path("children")) {
            if (contains(c, name)) return true;
        }
        return false;
    }

    /** Growth outside the leak: the positive part of each node's own delta (its delta minus its children's). */
    static long positiveSelfDelta(JsonNode node, boolean inLeak) {
        boolean leak = inLeak || matches(node, LEAK_PREFIX);
        long children = 0;
        long below = 0;
        for (JsonNode c : node.path("children")) {
            children += c.path("delta").asLong();
            below += positiveSelfDelta(c, leak);
        }
        long self = node.path("delta").asLong() - children;
        return below + (leak || self <= 0 ? 0 : self);
    }

    /** The graph's biggest nodes with their values and deltas, for failure messages. */
    private static String names(JsonNode root) {
        List<String> lines = new ArrayList<>();
        collect(root, "", lines);
        return "\n" + String.join("\n", lines.subList(0, Math.min(lines.size(), 60)));
    }

    private static void collect(JsonNode node, String indent, List<String> out) {
        if (node.path("value").asLong() < MIB / 2 && Math.abs(node.path("delta").asLong()) < MIB / 2) return;
        out.add(indent + node.path("name").asText() + " [" + node.path("kind").asText() + "] " + mib(node.path("value").asLong())
                + Optional.ofNullable(node.get("delta")).map(d -> " delta " + mib(d.asLong())).orElse(""));
        for (JsonNode c : node.path("children")) collect(c, indent + " ", out);
    }

    private static String mib(double bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / MIB);
    }

    private static boolean isRoot() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
    }

    private static void skipUnless(boolean condition, String reason) {
        if (!condition) System.out.println("SnapshotIT: skipped: " + reason);
        Assumptions.assumeTrue(condition, reason);
    }
}
