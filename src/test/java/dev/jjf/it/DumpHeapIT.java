package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jjf dumpheap} against real JVMs (JDK 17, and JDK 25 for -parallel), a JVM in its own pid and
 * mount namespace, a gcc-built stand-in for a GraalVM Native Image, and processes it must refuse.
 * Every target that was dumped must still answer afterwards: a JVM another attach, the stand-in a line on stdin.
 */
class DumpHeapIT {
    private static final long READY_TIMEOUT_MILLIS = 60_000;
    private static final long POLL_MILLIS = 50;
    private static final String TARGET_CLASS = "DumpHeapTarget";
    private static final int RETAINED_MIB = 8;
    private static final long MIB = 1 << 20;
    /** Retains 8 MiB in one static array, so a dump that has the heap is at least that big. */
    private static final String TARGET_SOURCE = """
            public class DumpHeapTarget {
                static byte[] retained = new byte[%d << 20];
                public static void main(String[] args) throws Exception {
                    System.out.println("vm.version=" + System.getProperty("java.vm.version"));
                    System.out.println("ready");
                    System.out.flush();
                    System.in.read();
                }
            }
            """.formatted(RETAINED_MIB);
    private static final byte[] HPROF_MAGIC = "JAVA PROFILE 1.0.2\0".getBytes(StandardCharsets.US_ASCII);
    private static final Path JDK25 = Path.of(System.getProperty("jjf.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    private static final int NOBODY = 65534;
    /** The stand-in writes 40 STRING records of 8 + 64 KiB bytes after the 31-byte header. */
    private static final long STANDIN_DUMP_BYTES = 31 + 40L * (9 + 8 + 65536);

    private static Path classes;

    @TempDir
    Path work;

    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void compileTarget() throws IOException {
        skipUnless(System.getProperty("jjf.jar") != null, "needs the packaged jar: failsafe runs it in 'mvn verify'");
        classes = TargetPrograms.compile("jjf-dumpheap-it", TARGET_CLASS, TARGET_SOURCE);
    }

    @AfterAll
    static void removeTarget() throws IOException {
        TargetPrograms.remove(classes);
    }

    @AfterEach
    void stopProcesses() throws InterruptedException, IOException {
        TargetPrograms.stop(started);
    }

    /** A running target: the process to dump (maybe a child of the one started) and its output so far. */
    record Target(Process started, ProcessHandle process, Path stdout) {
        String pid() {
            return Long.toString(process.pid());
        }
    }

    private Target start(List<String> command, Path dir, boolean processIsChild) throws Exception {
        return start(command, dir, processIsChild, true);
    }

    private Target start(List<String> command, Path dir, boolean processIsChild, boolean waitForReady) throws Exception {
        Path stdout = Files.createTempFile(work, "target", ".out");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
        started.add(p);
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        ProcessHandle target = processIsChild ? null : p.toHandle();
        while (target == null || waitForReady && !Files.readString(stdout).contains("ready")) {
            assertTrue(p.isAlive(), "target exited early: " + command + "\n" + Files.readString(stdout));
            assertTrue(System.currentTimeMillis() < deadline, "target not ready in time: " + command + "\n" + Files.readString(stdout));
            if (target == null) target = p.children().findFirst().orElse(null);
            Thread.sleep(POLL_MILLIS);
        }
        return new Target(p, target, stdout);
    }

    private Target startJvm(Path java) throws Exception {
        return start(List.of(java.toString(), "-cp", classes.toString(), TARGET_CLASS), work, false);
    }

    /** Survival, proven by a later attach that must succeed (a dead or wedged JVM fails it). */
    private void assertStillAnswers(Target t) throws Exception {
        Proc v = Proc.jjf(work, "attach", t.pid(), "jcmd", "VM.version").assertOk();
        assertTrue(v.stdout().contains("JDK "), v.stdout());
    }

    private static void assertOneLineError(Proc p, String expected) {
        assertNotEquals(0, p.exitCode(), "exit code; stdout:\n" + p.stdout());
        assertEquals(1, p.stderr().strip().lines().count(), "one line:\n" + p.stderr());
        assertTrue(p.stderr().startsWith("jjf: ") && p.stderr().contains(expected), "expected '" + expected + "' in:\n" + p.stderr());
        assertFalse(p.stderr().contains("internal error"), p.stderr());
    }

    /** The dump is the JVM's heap: jjf render finds the static array under its class, with its size. */
    private void assertRendersTheRetainedArray(String dump) throws Exception {
        Path folded = work.resolve(dump + ".folded");
        Proc render = Proc.jjf(work, "render", dump, "--format", "folded", "-o", folded.toString()).assertOk();
        String line = Files.readAllLines(folded).stream().filter(l -> l.startsWith("static fields of " + TARGET_CLASS + ";byte[] "))
                .findFirst().orElse(null);
        assertTrue(line != null, "static fields of " + TARGET_CLASS + ";byte[] in:\n" + render.stderr());
        long bytes = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        assertTrue(bytes >= RETAINED_MIB * MIB && bytes < RETAINED_MIB * MIB + 64, line);
        Files.delete(folded);
    }

    private void assertNothingLeftBeside(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> hidden = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".jjf-dumpheap") || n.endsWith(".tmp")).toList();
            assertEquals(List.of(), hidden, "temporary files left in " + dir);
        }
    }

    @Test
    void jdk17SerialDumpAndTheJvmSurvives() throws Exception {
        Target t = startJvm(Proc.JAVA);
        Proc p = Proc.jjf(work, "dumpheap", t.pid(), "-o", "heap.hprof", "--parallel", "2").assertOk();
        assertTrue(p.stderr().contains("(HotSpot JDK 17"), p.stderr());
        // JDK 17's GC.heap_dump has no -parallel: said, not failed.
        assertTrue(p.stderr().contains("has no -parallel") && p.stderr().contains("dumped with one thread"), p.stderr());
        Path heap = work.resolve("heap.hprof");
        assertArrayEquals(HPROF_MAGIC, head(Files.newInputStream(heap)));
        assertTrue(Files.size(heap) > RETAINED_MIB * MIB, "the retained array is in the dump: " + Files.size(heap));
        assertRendersTheRetainedArray("heap.hprof");
        assertNothingLeftBeside(work);
        assertStillAnswers(t);

        // --all and the default name, on the same JVM again.
        Proc all = Proc.jjf(work, "dumpheap", t.pid(), "--all").assertOk();
        try (Stream<Path> files = Files.list(work)) {
            List<Path> named = files.filter(f -> f.getFileName().toString().matches("heap-" + t.pid() + "-\\d{8}-\\d{6}\\.hprof")).toList();
            assertEquals(1, named.size(), all.stderr());
            assertArrayEquals(HPROF_MAGIC, head(Files.newInputStream(named.get(0))));
        }
        assertStillAnswers(t);
    }

    @Test
    void jdk25ParallelCompressedDump() throws Exception {
        skipUnless(Files.isExecutable(JDK25.resolve("bin/java")), "no JDK 25 at " + JDK25 + " (set -Djjf.jdk25=...)");
        Target t = startJvm(JDK25.resolve("bin/java"));
        Proc p = Proc.jjf(work, "dumpheap", t.pid(), "-o", "heap.hprof.gz", "--compress", "1", "--parallel", "2").assertOk();
        assertTrue(p.stderr().contains("(HotSpot JDK 25"), p.stderr());
        assertFalse(p.stderr().contains("note:"), "JDK 25 does everything asked:\n" + p.stderr());
        Path gz = work.resolve("heap.hprof.gz");
        try (InputStream in = Files.newInputStream(gz)) {
            assertArrayEquals(new byte[] {(byte) 0x1f, (byte) 0x8b}, in.readNBytes(2), "gzip");
        }
        // GZIPInputStream reads the series of members -gz writes, one after the other.
        long uncompressed;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            assertArrayEquals(HPROF_MAGIC, in.readNBytes(HPROF_MAGIC.length));
            uncompressed = HPROF_MAGIC.length + in.transferTo(OutputStream.nullOutputStream());
        }
        assertTrue(uncompressed > RETAINED_MIB * MIB, "uncompressed " + uncompressed);
        assertTrue(Files.size(gz) < uncompressed / 2, "an all-zero array compresses: " + Files.size(gz) + " of " + uncompressed);
        assertRendersTheRetainedArray("heap.hprof.gz");
        assertNothingLeftBeside(work);
        assertStillAnswers(t);

        Proc plain = Proc.jjf(work, "dumpheap", t.pid(), "-o", "plain.hprof", "--parallel", "2", "--all").assertOk();
        assertArrayEquals(HPROF_MAGIC, head(Files.newInputStream(work.resolve("plain.hprof"))), plain.stderr());
        assertStillAnswers(t);
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Target t = startJvm(Proc.JAVA);
        Path mine = Files.writeString(work.resolve("mine.hprof"), "the user's own file");
        assertOneLineError(Proc.jjf(work, "dumpheap", t.pid(), "-o", "mine.hprof"), "already exists");
        assertEquals("the user's own file", Files.readString(mine));
        assertOneLineError(Proc.jjf(work, "dumpheap", t.pid(), "--compress", "10"), "--compress must be a gzip level from 1 to 9");
        assertOneLineError(Proc.jjf(work, "dumpheap", t.pid(), "-o", "no/such/dir/h.hprof"), "no such directory");
        assertNothingLeftBeside(work);
        assertStillAnswers(t);
    }

    /** A stopped JVM would accept the attach connection and never answer: refused up front, and fine once resumed. */
    @Test
    void aStoppedJvmIsRefusedRatherThanWaitedForForever() throws Exception {
        Target t = startJvm(Proc.JAVA);
        assertStillAnswers(t); // its attach listener runs: a connect would succeed
        signal("STOP", t);
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (!Files.readString(Path.of("/proc", t.pid(), "status")).contains("\nState:\tT")) {
            assertTrue(System.currentTimeMillis() < deadline, "the JVM did not stop");
            Thread.sleep(POLL_MILLIS);
        }
        try {
            assertOneLineError(Proc.jjf(work, "dumpheap", t.pid()), "is stopped (SIGSTOP or a debugger)");
        } finally {
            signal("CONT", t);
        }
        assertNothingLeftBeside(work);
        assertStillAnswers(t);
    }

    private void signal(String name, Target t) throws Exception {
        assertEquals(0, Proc.run(work, Map.of(), List.of("kill", "-" + name, t.pid())).exitCode());
    }

    @Test
    void aProcessThatIsNotAJvmIsRefusedAndNotSignalled() throws Exception {
        Target standin = startStandin("plain", "-DSUPPORT=0", "-DHANDLER=0");
        Target sleep = start(List.of("sleep", "600"), work, false, false);
        assertOneLineError(Proc.jjf(work, "dumpheap", sleep.pid()), "is not a JVM: it neither maps libjvm.so (HotSpot) nor is a GraalVM Native Image");
        assertTrue(sleep.process().isAlive());
        // An image without the dump code, and without a SIGUSR1 handler: a signal would kill it.
        assertOneLineError(Proc.jjf(work, "dumpheap", standin.pid()), "built without heap-dump support: rebuild it with --enable-monitoring=heapdump");
        assertStandinAnswers(standin, "after refusal");
    }

    @Test
    void aNativeImageWithoutASigusr1HandlerIsRefused() throws Exception {
        Target standin = startStandin("nohandler", "-DSUPPORT=1", "-DHANDLER=0");
        assertOneLineError(Proc.jjf(work, "dumpheap", standin.pid()), "has no SIGUSR1 handler");
        assertStandinAnswers(standin, "after refusal");
    }

    /**
     * The stand-in (NOT a Native Image: see native-image-standin.c) writes its dump over about a
     * second; jjf must deliver the whole file, not what was there when it first appeared.
     */
    @Test
    void aNativeImageStandInIsDumpedBySigusr1() throws Exception {
        Path appDir = Files.createDirectory(work.resolve("app"));
        Target standin = startStandin("support", "-DSUPPORT=1", "-DHANDLER=1", appDir);
        Proc p = Proc.jjf(work, "dumpheap", standin.pid(), "-o", "ni.hprof").assertOk();
        assertTrue(p.stderr().contains("(GraalVM Native Image)"), p.stderr());
        Path out = work.resolve("ni.hprof");
        assertEquals(STANDIN_DUMP_BYTES, Files.size(out), "the complete file, after the process closed it");
        assertArrayEquals(HPROF_MAGIC, head(Files.newInputStream(out)));
        try (Stream<Path> left = Files.list(appDir)) {
            assertEquals(List.of(), left.toList(), "the dump moved out of the process's working directory");
        }
        assertStandinAnswers(standin, "after the first dump");

        // Again, compressed by jjf (the image writes plain HPROF) and with options it cannot honour.
        Proc gz = Proc.jjf(work, "dumpheap", standin.pid(), "-o", "ni.hprof.gz", "--compress", "6", "--parallel", "2").assertOk();
        assertTrue(gz.stderr().contains("jjf compressed it") && gz.stderr().contains("--parallel ignored"), gz.stderr());
        try (InputStream in = new GZIPInputStream(Files.newInputStream(work.resolve("ni.hprof.gz")))) {
            assertEquals(STANDIN_DUMP_BYTES, in.transferTo(OutputStream.nullOutputStream()));
        }
        assertOneLineError(Proc.jjf(work, "dumpheap", standin.pid(), "--all"), "dumps only live objects on SIGUSR1");
        assertStandinAnswers(standin, "after the second dump");
        assertNothingLeftBeside(work);
    }

    @Test
    void aProcessOfAnotherUserIsRefused() throws Exception {
        Optional<String> setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv").filter(f -> Files.isExecutable(Path.of(f))).findFirst();
        skipUnless(isRoot() && setpriv.isPresent(), "starting a JVM as another user needs root and setpriv");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        Target t = start(List.of(setpriv.get(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                Proc.JAVA.toString(), "-cp", classes.toString(), TARGET_CLASS), work, false);
        assertOneLineError(Proc.jjf(work, "dumpheap", t.pid()), "run jjf as that user");
        try (Stream<Path> files = Files.list(work)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".hprof")), "no dump");
        }
    }

    /** A JVM in its own pid namespace with a private /tmp, as in a container: the dump still lands here. */
    @Test
    void aJvmInItsOwnPidAndMountNamespace() throws Exception {
        skipUnless(isRoot(), "unshare --pid needs root");
        Proc probe = Proc.run(work, Map.of(), List.of("unshare", "--fork", "--pid", "--mount-proc", "sh", "-c", "mount -t tmpfs tmpfs /tmp"));
        skipUnless(probe.exitCode() == 0, "this machine forbids 'unshare --fork --pid --mount-proc' or mounting a tmpfs in it: "
                + (probe.stdout() + probe.stderr()).strip());
        // The JVM's working directory is a tmpfs of its own too: jjf's output directory is invisible to it.
        String script = "cd \"$0\" && mount -t tmpfs tmpfs /tmp && mkdir /tmp/app && cp *.class /tmp/app && cd /tmp/app && exec \"$1\" -cp . "
                + TARGET_CLASS;
        Target t = start(List.of("unshare", "--fork", "--pid", "--mount-proc", "--kill-child", "sh", "-c", script,
                classes.toString(), Proc.JAVA.toString()), work, true);
        Path theirTmp = Path.of("/proc", t.pid(), "root", "tmp");

        Proc p = Proc.jjf(work, "dumpheap", t.pid(), "-o", "container.hprof.gz", "--compress", "1").assertOk();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(work.resolve("container.hprof.gz")))) {
            assertArrayEquals(HPROF_MAGIC, in.readNBytes(HPROF_MAGIC.length), p.stderr());
        }
        try (Stream<Path> files = Files.list(theirTmp)) {
            List<String> left = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("jjf-dumpheap")).toList();
            assertEquals(List.of(), left, "the private exchange directory is gone from the JVM's /tmp");
        }
        assertNothingLeftBeside(work);
        assertStillAnswers(t);
    }

    private Target startStandin(String name, String support, String handler) throws Exception {
        return startStandin(name, support, handler, work);
    }

    private Target startStandin(String name, String support, String handler, Path dir) throws Exception {
        skipUnless(Stream.of("/usr/bin/gcc", "/bin/gcc").anyMatch(f -> Files.isExecutable(Path.of(f))), "needs gcc");
        Path source = work.resolve("native-image-standin.c");
        if (!Files.exists(source)) {
            try (InputStream in = DumpHeapIT.class.getResourceAsStream("native-image-standin.c")) {
                Files.write(source, in.readAllBytes());
            }
        }
        Path exe = work.resolve("standin-" + name);
        Proc cc = Proc.run(work, Map.of(), List.of("gcc", "-O1", support, handler, "-o", exe.toString(), source.toString()));
        assertEquals(0, cc.exitCode(), cc.stderr());
        return start(List.of(exe.toString()), dir, false);
    }

    /** Writes a line to the stand-in and waits for its answer: a process killed by a signal gives none. */
    private static void assertStandinAnswers(Target t, String when) throws Exception {
        String line = "ping " + when;
        t.started().getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        t.started().getOutputStream().flush();
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (!Files.readString(t.stdout()).contains("pong " + line)) {
            assertTrue(t.process().isAlive(), "the stand-in died " + when + ":\n" + Files.readString(t.stdout()));
            assertTrue(System.currentTimeMillis() < deadline, "no answer " + when);
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static byte[] head(InputStream in) throws IOException {
        try (in) {
            return in.readNBytes(HPROF_MAGIC.length);
        }
    }

    private static boolean isRoot() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
    }

    private static void skipUnless(boolean condition, String reason) {
        if (!condition) System.out.println("DumpHeapIT: skipped: " + reason);
        Assumptions.assumeTrue(condition, reason);
    }
}
