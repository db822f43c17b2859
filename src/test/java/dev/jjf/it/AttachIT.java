package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jjf attach} against real JVMs this test starts, and against processes that are not JVMs. */
class AttachIT {
    private static final long READY_TIMEOUT_MILLIS = 60_000;
    private static final long POLL_MILLIS = 50;
    private static final long EXIT_TIMEOUT_SECONDS = 5;
    private static final String TARGET_CLASS = "AttachTarget";
    /** Prints its VM's version, then waits on stdin so the test decides when it ends. */
    private static final String TARGET_SOURCE = """
            public class AttachTarget {
                public static void main(String[] args) throws Exception {
                    System.out.println("vm.version=" + System.getProperty("java.vm.version"));
                    System.out.println("ready");
                    System.out.flush();
                    System.in.read();
                }
            }
            """;
    private static final String HPROF_MAGIC = "JAVA PROFILE 1.0.2";
    private static final int NOBODY = 65534;
    /** The most pid_max can be on 64-bit Linux; pids stay below pid_max. */
    private static final String PID_MAX_LIMIT = "4194304";

    /** World-readable, so that a JVM of another user can load the class too. */
    private static Path classes;

    @TempDir
    Path work;

    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void compileTarget() throws IOException {
        // -Dtest=Attach* also hands this class to surefire, before the jar is packaged.
        skipUnless(System.getProperty("jjf.jar") != null, "needs the packaged jar: failsafe runs it in 'mvn verify'");
        classes = TargetPrograms.compile("jjf-attach-it", TARGET_CLASS, TARGET_SOURCE);
    }

    @AfterAll
    static void removeTarget() throws IOException {
        TargetPrograms.remove(classes);
    }

    @AfterEach
    void stopProcesses() throws InterruptedException, IOException {
        TargetPrograms.stop(started);
    }

    /** A running target: the process to attach to (maybe a child of {@code started}) and its output so far. */
    record Target(ProcessHandle jvm, Path stdout) {
        String vmVersion() throws IOException {
            return Files.readString(stdout).lines().filter(l -> l.startsWith("vm.version="))
                    .map(l -> l.substring("vm.version=".length())).findFirst().orElseThrow();
        }

        String pid() {
            return Long.toString(jvm.pid());
        }
    }

    /** Starts {@code command} with its output to a file and waits until it prints "ready" (if a JVM). */
    private Target start(List<String> command, boolean waitForReady, boolean jvmIsChild) throws Exception {
        Path stdout = Files.createTempFile(work, "target", ".out");
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(stdout.toFile()).start(); // stdin stays a pipe: the target blocks reading it
        started.add(p);
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        ProcessHandle jvm = jvmIsChild ? null : p.toHandle();
        while (waitForReady && (jvm == null || !Files.readString(stdout).contains("ready"))) {
            assertTrue(p.isAlive(), "target exited early: " + command + "\n" + Files.readString(stdout));
            assertTrue(System.currentTimeMillis() < deadline, "target not ready in time: " + command + "\n" + Files.readString(stdout));
            if (jvm == null) jvm = p.children().findFirst().orElse(null);
            Thread.sleep(POLL_MILLIS);
        }
        return new Target(jvm, stdout);
    }

    private Target startJvm(String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Proc.JAVA.toString()));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", classes.toString(), TARGET_CLASS));
        return start(cmd, true, false);
    }

    private static void assertOneLineError(Proc p, String expected) {
        assertNotEquals(0, p.exitCode(), "exit code; stdout:\n" + p.stdout());
        assertEquals(1, p.stderr().strip().lines().count(), "one line:\n" + p.stderr());
        assertTrue(p.stderr().startsWith("jjf: ") && p.stderr().contains(expected), p.stderr());
        assertFalse(p.stderr().contains("internal error"), p.stderr());
    }

    /** The JVM survived what was done to it: a later attach must get an answer. */
    private void assertStillAnswers(Target t) throws Exception {
        Proc again = Proc.jjf(work, "attach", t.pid(), "jcmd", "VM.uptime");
        assertEquals(0, again.exitCode(), "a follow-up attach to " + t.pid() + " fails:\n" + again.stderr());
        assertTrue(again.stdout().contains(" s"), again.stdout());
    }

    /**
     * No signal killed the target, for one that cannot be attached to: it still reads its input,
     * so the end of its input ends it normally (exit 0). A SIGQUIT that jjf sent (whose default
     * action kills) would have been delivered before, as it interrupts the read: exit 131.
     */
    private void assertEndsNormally(Target t) throws InterruptedException, IOException {
        Process p = started.stream().filter(s -> s.pid() == t.jvm().pid()).findFirst().orElseThrow();
        p.getOutputStream().close();
        assertTrue(p.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS), "target " + t.pid() + " does not end at the end of its input");
        assertEquals(0, p.exitValue(), "exit status of target " + t.pid() + " (131: killed by SIGQUIT)");
    }

    @Test
    void talksToARunningJvmAndLeavesItRunning() throws Exception {
        Target t = startJvm();
        String version = t.vmVersion();
        Proc v = Proc.jjf(work, "attach", t.pid(), "jcmd", "VM.version").assertOk();
        assertTrue(v.stdout().contains(version), "VM.version names " + version + ":\n" + v.stdout());

        Proc dump = Proc.jjf(work, "attach", t.pid(), "threaddump").assertOk();
        assertTrue(dump.stdout().contains("\"main\""), dump.stdout());
        // A jcmd option that looks like one of jjf's goes through to the JVM.
        Proc locks = Proc.jjf(work, "attach", t.pid(), "jcmd", "Thread.print", "-l").assertOk();
        assertTrue(locks.stdout().contains("\"main\"") && locks.stdout().contains("Locked ownable synchronizers"), locks.stdout());

        Proc props = Proc.jjf(work, "attach", t.pid(), "properties").assertOk();
        assertTrue(props.stdout().contains("java.vm.version=" + version), props.stdout());

        Proc heap = Proc.jjf(work, "attach", t.pid(), "dumpheap", "heap.hprof").assertOk(); // relative to jjf's cwd
        assertEquals(HPROF_MAGIC, magic(work.resolve("heap.hprof")), heap.stdout());

        assertOneLineError(Proc.jjf(work, "attach", t.pid(), "dumpheap", "heap.hprof"), "File exists");
        assertOneLineError(Proc.jjf(work, "attach", t.pid(), "jcmd", "No.such_command"), "Unknown diagnostic command");
        assertOneLineError(Proc.jjf(work, "attach", t.pid(), "load", work.resolve("no-such-agent.so").toString()), "no-such-agent.so");

        try (Stream<Path> files = Files.list(work)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".attach_pid")).toList(), "trigger file removed");
        }
        assertStillAnswers(t);
    }

    @Test
    void aPidThatDoesNotExist() throws Exception {
        assertFalse(Files.exists(Path.of("/proc", PID_MAX_LIMIT)));
        assertOneLineError(Proc.jjf(work, "attach", PID_MAX_LIMIT, "jcmd", "VM.version"), "no process with pid " + PID_MAX_LIMIT);
    }

    @Test
    void aProcessThatIsNotAJvmIsNotSignalled() throws Exception {
        Target cat = start(List.of("cat"), false, false);
        assertOneLineError(Proc.jjf(work, "attach", cat.pid(), "jcmd", "VM.version"), "is not a HotSpot JVM");
        // SIGQUIT's default action would have killed it.
        assertEndsNormally(cat);
    }

    @Test
    void aJvmThatNeverAnswersTimesOutWithTheTime() throws Exception {
        Target t = startJvm("-XX:+DisableAttachMechanism");
        long start = System.nanoTime();
        Proc p = Proc.jjf(work, "attach", "--timeout", "2", t.pid(), "jcmd", "VM.version");
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertOneLineError(p, "did not open its attach socket within 2 s");
        assertTrue(tookMillis >= 2000, "waited " + tookMillis + " ms");
        assertEndsNormally(t);
        try (Stream<Path> files = Files.list(work)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".attach_pid")).toList(), "trigger file removed");
        }
    }

    @Test
    void aJvmOfAnotherUserIsRefused() throws Exception {
        Optional<String> setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv").filter(f -> Files.isExecutable(Path.of(f))).findFirst();
        skipUnless(isRoot() && setpriv.isPresent(), "starting a JVM as another user needs root and setpriv");
        List<String> cmd = new ArrayList<>(List.of(setpriv.get(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                Proc.JAVA.toString(), "-cp", classes.toString(), TARGET_CLASS));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx")); // its working directory
        Target t = start(cmd, true, false);
        assertOneLineError(Proc.jjf(work, "attach", t.pid(), "jcmd", "VM.version"), "run jjf as that user");
        assertEndsNormally(t);
    }

    /** A JVM in its own pid namespace with a private /tmp, as in a container: reachable only through /proc/PID/root. */
    @Test
    void aJvmInItsOwnPidAndMountNamespace() throws Exception {
        skipUnless(isRoot(), "unshare --pid needs root");
        Proc probe = Proc.run(work, Map.of(), List.of("unshare", "--fork", "--pid", "--mount-proc", "sh", "-c", "mount -t tmpfs tmpfs /tmp"));
        skipUnless(probe.exitCode() == 0, "this machine forbids 'unshare --fork --pid --mount-proc' or mounting a tmpfs in it: "
                + (probe.stdout() + probe.stderr()).strip());

        // The new /tmp hides the class directory's path, but not the working directory itself.
        String script = "cd \"$0\" && mount -t tmpfs tmpfs /tmp && exec \"$1\" -cp /proc/self/cwd " + TARGET_CLASS;
        Target t = start(List.of("unshare", "--fork", "--pid", "--mount-proc", "--kill-child", "sh", "-c", script,
                classes.toString(), Proc.JAVA.toString()), true, true);
        String status = Files.readString(Path.of("/proc", t.pid(), "status"));
        assertTrue(status.lines().anyMatch(l -> l.matches("NStgid:\\s+" + t.pid() + "\\s+1")), "pid 1 in its namespace:\n" + status);

        Proc v = Proc.jjf(work, "attach", t.pid(), "jcmd", "VM.version").assertOk();
        assertTrue(v.stdout().contains(t.vmVersion()), v.stdout());
        Path inside = Path.of("/proc", t.pid(), "root", "tmp");
        assertTrue(Files.exists(inside.resolve(".java_pid1")), "socket in the JVM's own /tmp");

        String heapName = "jjf-attach-it-" + System.nanoTime() + ".hprof";
        Proc heap = Proc.jjf(work, "attach", t.pid(), "dumpheap", "/tmp/" + heapName).assertOk();
        assertTrue(heap.stderr().contains("another mount namespace"), heap.stderr());
        assertEquals(HPROF_MAGIC, magic(inside.resolve(heapName)), "dump in the JVM's /tmp");
        assertFalse(Files.exists(Path.of("/tmp", heapName)), "not in ours");
        assertStillAnswers(t);
    }

    private static String magic(Path hprof) throws IOException {
        byte[] magic = new byte[HPROF_MAGIC.length()];
        try (var in = Files.newInputStream(hprof)) {
            return new String(magic, 0, in.readNBytes(magic, 0, magic.length), StandardCharsets.US_ASCII);
        }
    }

    private static boolean isRoot() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
    }

    private static void skipUnless(boolean condition, String reason) {
        if (!condition) System.out.println("AttachIT: skipped: " + reason);
        Assumptions.assumeTrue(condition, reason);
    }
}
