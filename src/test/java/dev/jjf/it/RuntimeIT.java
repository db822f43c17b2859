package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user meets off a root CI machine (issue 15): deleted JNI libraries as an ordinary user,
 * allocation totals, stale perf maps, one writer per map, a map that cannot be written, and JEP 451.
 */
class RuntimeIT {
    private static final String AGENT_ENTRY = "dev/jjf/launch/native/linux-x86_64/libjjfperfmap.so";
    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final String JEP451_WARNING = "A JVMTI agent has been loaded dynamically";
    private static final long WAIT_SECONDS = 240;

    /** Loads libjnileak from a temp file and deletes the file at once, as zstd-jni does, then leaks 64 MiB in C. */
    private static final String DELETE_AT_ONCE = """
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.nio.file.StandardCopyOption;

            public class JniLeak {
                static native boolean leak(int size);
                static native long leakedBytes();

                public static void main(String[] args) throws Exception {
                    Path extracted = Files.createTempFile("libjnileak", ".so");
                    Files.copy(Path.of(System.getProperty("jnileak.lib")), extracted, StandardCopyOption.REPLACE_EXISTING);
                    System.load(extracted.toString());
                    Files.delete(extracted);
                    for (int i = 0; i < 16_384; i++) leak(4096);
                    System.out.println("leaked " + leakedBytes());
                }
            }
            """;
    /** Prints "ready PID", waits for a line on stdin. */
    private static final String WAITER = """
            public class Waiter {
                public static void main(String[] args) throws Exception {
                    System.out.println("ready " + ProcessHandle.current().pid());
                    System.out.flush();
                    System.in.read();
                }
            }
            """;
    private static final String HELLO = """
            public class Hello {
                public static void main(String[] args) {
                    System.out.println("done");
                }
            }
            """;

    @TempDir
    static Path work;
    static Path classes;
    static Path agent;
    static Path jnileak;

    @BeforeAll
    static void buildPrograms() throws Exception {
        classes = Files.createDirectories(work.resolve("classes"));
        Path src = Files.createDirectories(work.resolve("src"));
        Files.writeString(src.resolve("Waiter.java"), WAITER);
        Files.writeString(src.resolve("Hello.java"), HELLO);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d", classes.toString(),
                src.resolve("Waiter.java").toString(), src.resolve("Hello.java").toString());
        assertEquals(0, rc, "javac");
        agent = work.resolve("agent/libjjfperfmap.so");
        Files.createDirectories(agent.getParent());
        try (ZipFile jar = new ZipFile(Proc.JAR.toFile())) {
            assertNotNull(jar.getEntry(AGENT_ENTRY), "jjf.jar carries the agent");
            try (InputStream in = jar.getInputStream(jar.getEntry(AGENT_ENTRY))) {
                Files.copy(in, agent, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path build = work.resolve("jnileak");
        Proc.run(work, Map.of(), List.of("bash", Proc.ROOT.resolve("native/jnileak/build.sh").toString(), build.toString())).assertOk();
        jnileak = build.resolve("libjnileak.so");
    }

    // ---- 1. a JNI library deleted right after loading, profiled by an ordinary user ----

    @Test
    void jniLibraryDeletedRightAfterLoadingIsNamedForAnOrdinaryUser() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        String user = root ? "jjfit" + (ProcessHandle.current().pid() % 100_000) : System.getProperty("user.name");
        // A directory the new user can reach: JUnit's temp dirs are private to root.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jjf-runtime-it");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path home = dir.resolve("home");
            if (root) Proc.run(dir, Map.of(), List.of("useradd", "-M", "-d", home.toString(), "-s", "/bin/sh", user)).assertOk();
            Files.createDirectories(home);
            Path jar = Files.copy(Proc.JAR, dir.resolve("jjf.jar"));
            Path lib = Files.copy(jnileak, dir.resolve("libjnileak.so"));
            Path program = Files.writeString(dir.resolve("JniLeak.java"), DELETE_AT_ONCE);
            if (root) Proc.run(dir, Map.of(), List.of("chown", "-R", user, dir.toString())).assertOk();
            Path out = dir.resolve("out");
            List<String> cmd = new ArrayList<>(root ? List.of("runuser", "-u", user, "--") : List.of());
            cmd.addAll(List.of("env", "HOME=" + home, Proc.JAVA.toString(), "-jar", jar.toString(), "run", "--out", out.toString(),
                    "--lg-sample", "12", "--format", "folded", "--", Proc.JAVA.toString(), "-Djnileak.lib=" + lib, program.toString()));
            Proc p = Proc.run(dir, Map.of(), cmd).assertOk();

            assertFalse(p.stderr().contains("no copy was kept"), p.stderr());
            String folded = Files.readString(out.resolve("flames.folded"));
            assertTrue(folded.contains("jnileak_retain_buffer"), "the deleted library's C functions are named:\n" + p.stderr() + folded);
            List<Path> kept;
            try (Stream<Path> files = Files.list(out.resolve("libs"))) {
                kept = files.toList();
            }
            assertEquals(1, kept.stream().filter(f -> f.getFileName().toString().matches("libjnileak\\d+\\.so")).count(), kept.toString());
            assertTrue(kept.stream().noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp file left: " + kept);
            // The build id was recorded as the library was loaded, for the path the profile names.
            String buildId = readelfBuildId(lib);
            String records;
            try (Stream<Path> files = Files.list(out)) {
                records = files.filter(f -> f.getFileName().toString().startsWith("build-ids.")).map(RuntimeIT::read)
                        .reduce("", String::concat);
            }
            assertTrue(Pattern.compile("(?m)^" + buildId + " /tmp/libjnileak\\d+\\.so$").matcher(records).find(), records);
        } finally {
            if (root) Proc.run(Path.of("/"), Map.of(), List.of("userdel", user));
            deleteTree(dir);
        }
    }

    // ---- 1b. a thread asking for its own attributes while every allocation is sampled ----

    private static final String GET_ATTR_C = """
            #define _GNU_SOURCE
            #include <jni.h>
            #include <pthread.h>
            JNIEXPORT jlong JNICALL Java_GetAttr_stackBytes(JNIEnv *env, jclass c) {
                pthread_attr_t a;
                void *base;
                size_t size = 0;
                if (pthread_getattr_np(pthread_self(), &a) == 0) {
                    pthread_attr_getstack(&a, &base, &size);
                    pthread_attr_destroy(&a);
                }
                return (jlong) size;
            }
            """;
    private static final String GET_ATTR = """
            public class GetAttr {
                static native long stackBytes();
                public static void main(String[] args) throws Exception {
                    System.load(System.getProperty("lib"));
                    long sum = 0;
                    for (int i = 0; i < 300; i++) {
                        long[] bytes = new long[1];
                        Thread t = new Thread(() -> bytes[0] = stackBytes());
                        t.start();
                        t.join();
                        sum += bytes[0] > 0 ? 1 : 0;
                    }
                    System.out.println("threads with a stack: " + sum);
                }
            }
            """;

    /**
     * pthread_getattr_np allocates while it holds the calling thread's own lock. The agent's hook,
     * sampling that allocation, used to ask pthread_getattr_np for the stack bounds of a thread it
     * had not seen yet, and waited for that lock forever (found when RuntimeIT hung in CI). Each
     * new thread here asks for its attributes first thing, with every allocation sampled.
     */
    @Test
    void aThreadAskingForItsOwnAttributesWhileSampledDoesNotHang() throws Exception {
        Path dir = work.resolve("getattr");
        Files.createDirectories(dir);
        Path src = Files.writeString(dir.resolve("getattr.c"), GET_ATTR_C);
        Path lib = dir.resolve("libgetattr.so");
        Path jdk = Path.of(System.getProperty("java.home"));
        Proc.run(dir, Map.of(), List.of("gcc", "-shared", "-fPIC", "-O2", "-I" + jdk.resolve("include"), "-I" + jdk.resolve("include/linux"),
                "-o", lib.toString(), src.toString())).assertOk();
        Path program = Files.writeString(dir.resolve("GetAttr.java"), GET_ATTR);
        Proc run = Proc.jjf(dir, "run", "--out", dir.resolve("out").toString(), "--lg-sample", "0", "--no-render", "--jemalloc",
                Proc.DEBIAN_JEMALLOC.toString(), "--", Proc.JAVA.toString(), "-Dlib=" + lib, program.toString()).assertOk();
        assertTrue(run.stdout().contains("threads with a stack: 300"), run.stdout() + run.stderr());
    }

    // ---- 2. allocation totals: recorded with prof_accum, refused without (RenderCommandTest) ----

    @Test
    void allocationTotalsAreDrawnWhenTheRunRecordedThem() throws Exception {
        Path out = work.resolve("accum");
        Proc run = Proc.jjf(work, Map.of("MALLOC_CONF", "prof_accum:true"), "run", "--out", out.toString(), "--no-render",
                "--lg-sample", "12", "--", Proc.JAVA.toString(), "-Djnileak.lib=" + jnileak,
                Proc.ROOT.resolve("examples/JniLeak.java").toString()).assertOk();
        assertTrue(run.stderr().contains(" -XX:+EnableDynamicAgentLoading"), "JDK 17 knows the flag: " + run.stderr());
        Path folded = work.resolve("accum.folded");
        Proc render = Proc.jjf(work, "render", "--latest", "--dir", out.toString(), "--metric", "alloc-space", "--format", "folded",
                "-o", folded.toString()).assertOk();
        assertTrue(Files.readString(folded).contains("jnileak_retain_buffer"), render.stderr() + Files.readString(folded));
    }

    // ---- 3. jjf run collects only maps its own processes wrote ----

    @Test
    void jjfRunLeavesAStaleMapOfAnEarlierProcessWithTheSamePid() throws Exception {
        Path out = work.resolve("stale");
        Path pidFile = work.resolve("stale.pid");
        // The shell plays the part of a process that got the pid of an earlier JVM, whose map is an hour old.
        String script = "printf '0x1000 0x10 Stale\\n' > /tmp/perf-$$.map; touch -d '1 hour ago' /tmp/perf-$$.map; echo $$ > " + pidFile
                + "; exec ls / > /dev/null"; // ls, with the shell's pid, writes a profile
        Proc p = Proc.jjf(work, "run", "--perf-map", "jdk", "--out", out.toString(), "--", "sh", "-c", script);
        String pid = Files.readString(pidFile).strip();
        Path stale = Path.of("/tmp/perf-" + pid + ".map");
        try {
            assertEquals(0, p.exitCode(), p.stderr());
            assertTrue(Files.exists(stale), "not moved: it is not the shell's");
            assertFalse(Files.exists(out.resolve("perf-" + pid + ".map")), p.stderr());
            assertTrue(p.stderr().contains("left " + stale + " where it is: written before pid " + pid + " started"), p.stderr());
            assertTrue(p.stderr().contains("no perf map was written"), "the shell is not taken for a JVM: " + p.stderr());
        } finally {
            Files.deleteIfExists(stale);
        }
    }

    // ---- 4. one writer per map, and a default path the JDK does not rewrite ----

    @Test
    void aSecondAgentOnTheSameMapIsRefusedInOneLine() throws Exception {
        Path dir = Files.createDirectories(work.resolve("twice"));
        Path map = dir.resolve("m.map");
        String flag = "-agentpath:" + agent + "=file=" + map;
        Proc p = Proc.run(dir, Map.of(), List.of(Proc.JAVA.toString(), flag, flag, "-cp", classes.toString(), "Hello")).assertOk();
        List<String> complaints = p.stderr().lines().filter(l -> l.startsWith("jjf-perfmap:")).toList();
        assertEquals(List.of("jjf-perfmap: " + map + " is being written by another jjf agent; only one may write a map;"
                + " the JVM continues without a perf map"), complaints);
        List<String> lines = Files.readAllLines(map, StandardCharsets.UTF_8);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("# jjf-perfmap ")).count(), "one writer, one header");
        for (String line : lines.subList(1, lines.size())) {
            assertTrue(line.matches("[0-9a-f]+ [0-9a-f]+ \\S.*"), "no line cut by a second writer: " + line);
        }
    }

    @Test
    void withoutOptionsTheAgentWritesAMapTheJdkDoesNotRewrite() throws Exception {
        Process p = new ProcessBuilder(Proc.JAVA.toString(), "-agentpath:" + agent, "-cp", classes.toString(), "Hello")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(Proc.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        Path ours = Path.of("/tmp/jjf-perf-" + p.pid() + ".map");
        try {
            assertEquals(0, p.exitValue(), output);
            assertTrue(Files.exists(ours), output);
            assertTrue(Files.readAllLines(ours).get(0).startsWith("# jjf-perfmap pid=" + p.pid() + " start="), Files.readAllLines(ours).get(0));
            assertFalse(Files.exists(Path.of("/tmp/perf-" + p.pid() + ".map")));
        } finally {
            Files.deleteIfExists(ours);
        }
    }

    // ---- 5. a map that cannot be written does not stall the JIT ----

    @Test
    void aMapThatBlocksOnWriteDoesNotStallTheCompilers() throws Exception {
        Path dir = Files.createDirectories(work.resolve("fifo"));
        Path fifo = dir.resolve("map.fifo");
        Proc.run(dir, Map.of(), List.of("mkfifo", fifo.toString())).assertOk();
        // Opened read-write, so the agent's open does not wait for a reader; nothing reads until "done".
        try (RandomAccessFile held = new RandomAccessFile(fifo.toFile(), "rw")) {
            Process p = new ProcessBuilder(Proc.JAVA.toString(), "-Xcomp", "-XX:-BackgroundCompilation", "-XX:TieredStopAtLevel=1",
                    "-agentpath:" + agent + "=file=" + fifo, "-cp", classes.toString(), "Hello")
                    .redirectError(dir.resolve("stderr.txt").toFile()).start();
            try {
                BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                // Every compile waits for its callback (-XX:-BackgroundCompilation): a callback stuck in
                // write(2) under the lock would keep main from ever printing this.
                String first = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertEquals("done", first, () -> read(dir.resolve("stderr.txt")));
                // Now read the pipe, so that the map can be finished and the JVM exit; with our own
                // write end closed, the reader ends when the JVM closes its map.
                InputStream reader = Files.newInputStream(fifo);
                held.close();
                CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> drain(reader));
                assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the JVM exits once its map is read");
                assertEquals(0, p.exitValue());
                assertTrue(drained.get(WAIT_SECONDS, TimeUnit.SECONDS) > 64 * 1024, "more than a pipe's worth waited to be written");
                assertFalse(read(dir.resolve("stderr.txt")).contains("jjf-perfmap:"), read(dir.resolve("stderr.txt")));
            } finally {
                p.destroyForcibly();
            }
        }
    }

    // ---- 7. JEP 451: jjf run opts in, jjf snapshot explains a refusal, jjf doctor checks ----

    @Test
    void onJdk25ASnapshotOfAJvmStartedByJjfRunPrintsNoWarning() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JDK25), JDK25 + " is installed by scripts/setup.sh");
        Path out = work.resolve("jdk25");
        Path stderr = work.resolve("jdk25.stderr");
        Process run = new ProcessBuilder(Proc.JAVA.toString(), "-jar", Proc.JAR.toAbsolutePath().toString(), "run", "--out", out.toString(),
                "--no-render", "--", JDK25.toString(), "-cp", classes.toString(), "Waiter")
                .redirectError(stderr.toFile()).start();
        try {
            long pid = readyPid(run);
            Proc.jjf(work, "snapshot", Long.toString(pid), "--out", work.resolve("jdk25-snap").toString(), "--format", "folded").assertOk();
            OutputStream in = run.getOutputStream();
            in.write('\n');
            in.flush();
            assertTrue(run.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
            String err = read(stderr);
            assertTrue(err.contains("-XX:+EnableDynamicAgentLoading"), err);
            assertFalse(err.contains(JEP451_WARNING), err);
        } finally {
            run.destroyForcibly();
        }
    }

    @Test
    void aJvmThatRefusesAgentsGetsAnExplanation() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JDK25), JDK25 + " is installed by scripts/setup.sh");
        Process jvm = new ProcessBuilder(JDK25.toString(), "-XX:-EnableDynamicAgentLoading", "-cp", classes.toString(), "Waiter")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long pid = readyPid(jvm);
            Proc p = Proc.jjf(work, "snapshot", Long.toString(pid), "--out", work.resolve("refused").toString());
            assertEquals(1, p.exitCode(), p.stderr());
            assertEquals("jjf: pid " + pid + " (java) refuses agents loaded while it runs (JEP 451): start it with"
                    + " -XX:+EnableDynamicAgentLoading, or under jjf run, which adds it", p.stderr().strip());
        } finally {
            jvm.destroyForcibly();
        }
    }

    @Test
    void doctorChecksDynamicAgentLoading() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JDK25), JDK25 + " is installed by scripts/setup.sh");
        Proc p = Proc.jjf(work, "doctor", "--java", JDK25.toString(), "--out", work.resolve("doctor").toString());
        assertTrue(p.stdout().contains("OK    snapshots: '" + JDK25 + "' knows -XX:+EnableDynamicAgentLoading; jjf run adds it"), p.stdout());
    }

    // ---- helpers ----

    private static long readyPid(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        Matcher m = Pattern.compile("ready (\\d+)").matcher(line == null ? "" : line);
        assertTrue(m.matches(), "the program says it is ready: " + line);
        return Long.parseLong(m.group(1));
    }

    private static String readLine(BufferedReader r) {
        try {
            return r.readLine();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long drain(InputStream in) {
        try (in) {
            return in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String readelfBuildId(Path file) throws Exception {
        Proc p = Proc.run(file.getParent(), Map.of(), List.of("readelf", "-n", file.toString())).assertOk();
        Matcher m = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(p.stdout());
        assertTrue(m.find(), p.stdout());
        return m.group(1);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
