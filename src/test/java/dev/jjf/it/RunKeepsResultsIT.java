package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jjf run never loses a run's results: not when rendering fails, not when jjf is stopped (SIGTERM,
 * or Ctrl-C to the terminal's process group), not when the program is killed outright.
 */
class RunKeepsResultsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    /**
     * Allocates native memory, writes its pid to args[0] once it is running, then waits until it
     * is stopped (unless args[1] is "exit"); a shutdown hook leaves args[0].stopped behind.
     */
    private static final String PROGRAM = """
            import java.nio.ByteBuffer;
            import java.nio.file.*;
            import java.util.ArrayList;
            import java.util.List;

            public class Program {
                static final List<ByteBuffer> KEPT = new ArrayList<>();

                public static void main(String[] args) throws Exception {
                    for (int i = 0; i < 32; i++) KEPT.add(ByteBuffer.allocateDirect(1 << 20));
                    Path ready = Path.of(args[0]);
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            Files.writeString(Path.of(args[0] + ".stopped"), "stopped");
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }));
                    Files.writeString(Path.of(args[0] + ".tmp"), Long.toString(ProcessHandle.current().pid()));
                    Files.move(Path.of(args[0] + ".tmp"), ready, StandardCopyOption.ATOMIC_MOVE);
                    if (args.length > 1 && args[1].equals("exit")) return;
                    Thread.sleep(Long.MAX_VALUE);
                }
            }
            """;

    @TempDir
    Path dir;
    private Path out;
    private Path ready;
    private Path stderr;
    private Process jjf;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.exists(Proc.DEBIAN_JEMALLOC), "install libjemalloc2 (scripts/test.sh does)");
        Files.writeString(dir.resolve("Program.java"), PROGRAM);
        out = dir.resolve("out");
        ready = dir.resolve("ready");
        stderr = dir.resolve("jjf.err");
    }

    /** Our own files only: a perf map the stopped JVM left in /tmp, and jjf if a test failed early. */
    @AfterEach
    void cleanUp() throws IOException {
        if (jjf != null && jjf.isAlive()) {
            jjf.descendants().forEach(ProcessHandle::destroyForcibly);
            jjf.destroyForcibly();
        }
        if (Files.exists(ready)) Files.deleteIfExists(Path.of("/tmp", "perf-" + programPid() + ".map"));
    }

    /** Starts {@code [prefix] jjf run … -- java Program.java READY [exit]}. */
    private Process startRun(List<String> prefix, boolean waits, String... runOptions) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Proc.JAVA.toString(), "-jar", Proc.JAR.toAbsolutePath().toString(), "run", "--out", out.toString(),
                "--jemalloc", Proc.DEBIAN_JEMALLOC.toString()));
        cmd.addAll(List.of(runOptions));
        cmd.addAll(List.of("--", Proc.JAVA.toString(), dir.resolve("Program.java").toString(), ready.toString()));
        if (!waits) cmd.add("exit");
        jjf = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve("jjf.out").toFile()).redirectError(stderr.toFile()).start();
        return jjf;
    }

    private static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "waited " + DEADLINE.toSeconds() + " s for " + what);
            try {
                Thread.sleep(50); // polling interval, not synchronisation: the condition decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private long programPid() {
        try {
            return Long.parseLong(Files.readString(ready).strip());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private int finish() throws Exception {
        assertTrue(jjf.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "jjf did not end");
        return jjf.exitValue();
    }

    private String err() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    private List<String> dumps() throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".heap")).sorted().toList();
        }
    }

    private void assertNoJavaInternals(String text) {
        assertFalse(text.contains("\tat ") || text.contains("Exception") || text.contains("internal error"), text);
    }

    @Test
    void failedRenderKeepsTheProfilesAndSaysHowToRenderAgain() throws Exception {
        // An output that cannot be replaced: rendering fails after the whole run.
        Files.createDirectories(out.resolve("flames.svg").resolve("in-the-way"));
        startRun(List.of(), false);
        int exit = finish();
        String err = err();
        assertEquals(1, exit, err);
        assertTrue(err.contains("jjf: rendering failed: " + out.resolve("flames.svg") + ": Is a directory\n"), err);
        assertTrue(err.contains("jjf: the profiles are kept in " + out + "; render them again with: jjf render --latest --dir "
                + out + "\n"), err);
        assertNoJavaInternals(err);
        long pid = programPid();
        assertTrue(dumps().contains("jeprof." + pid + ".0.f.heap"), dumps().toString());
        assertTrue(Files.exists(out.resolve("perf-" + pid + ".map")), "perf map kept beside the profiles");

        // The command it printed works.
        Path svg = dir.resolve("again.svg");
        Proc again = Proc.jjf(dir, "render", "--latest", "--dir", out.toString(), "-o", svg.toString()).assertOk();
        assertTrue(again.stderr().contains("perf map " + out.resolve("perf-" + pid + ".map")), again.stderr());
        assertTrue(Files.size(svg) > 0);
    }

    @Test
    void sigtermReachesTheProgramAndTheFinalDumpIsKept() throws Exception {
        startRun(List.of(), true);
        await(() -> Files.exists(ready), "the program to start");
        jjf.destroy(); // SIGTERM to jjf
        int exit = finish();
        assertStoppedAndKept(exit);
    }

    @Test
    void ctrlCToTheProcessGroupEndsTheRunWithItsFinalDump() throws Exception {
        // The terminal sends SIGINT to the whole foreground process group: jjf and the program.
        // A shell without job control starts background commands with SIGINT ignored, and the JVM
        // keeps an ignored SIGINT ignored: no Ctrl-C could reach jjf there (found when .ci/run ran
        // under "cmd &" in a script).
        assumeTrue(!sigintIgnored(), "SIGINT is ignored in the test's process, and so in jjf's");
        startRun(List.of("setsid"), true);
        await(() -> Files.exists(ready), "the program to start");
        long group = processGroup(jjf.pid());
        assertEquals(jjf.pid(), group, "jjf leads a process group of its own");
        assertNotEquals(processGroup(ProcessHandle.current().pid()), group, "never signal the test's own group");
        Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + group).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -INT");
        int exit = finish();
        assertStoppedAndKept(exit);
    }

    private void assertStoppedAndKept(int exit) throws IOException {
        String err = err();
        assertNotEquals(0, exit, err);
        long pid = programPid();
        await(() -> Files.exists(Path.of(ready + ".stopped")), "the program's shutdown hook");
        assertTrue(dumps().contains("jeprof." + pid + ".0.f.heap"), "jemalloc's final dump: " + dumps());
        assertTrue(err.contains("jjf: stopped; the profiles are kept in " + out + "; render them with: jjf render --latest --dir "
                + out), err);
        assertNoJavaInternals(err);
    }

    @Test
    void aKilledProgramLeavesItsIntervalDumpsAndJjfSaysThereIsNoFinalDump() throws Exception {
        startRun(List.of(), true, "--interval", "1m");
        await(() -> Files.exists(ready), "the program to start");
        long pid = programPid();
        await(() -> {
            try {
                return dumps().stream().anyMatch(n -> n.startsWith("jeprof." + pid + ".") && n.contains(".i"));
            } catch (IOException e) {
                return false;
            }
        }, "an interval dump");
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL: no exit handlers, no final dump
        int exit = finish();
        String err = err();
        assertEquals(137, exit, err);
        List<String> dumps = dumps();
        assertFalse(dumps.stream().anyMatch(n -> n.matches("jeprof\\." + pid + "\\.\\d+\\.f\\.heap")), dumps.toString());
        assertTrue(dumps.stream().anyMatch(n -> n.matches("jeprof\\." + pid + "\\.\\d+\\.i\\d+\\.heap")), dumps.toString());
        assertTrue(err.contains("jjf: no final dump for pid " + pid + " (killed?); using jeprof." + pid + "."), err);
        // jjf's perf-map agent flushes while the JVM runs, so even a SIGKILLed JVM leaves its map.
        assertTrue(Files.exists(out.resolve("perf-" + pid + ".map")), dumps.toString());
        assertFalse(err.contains("no perf map was written"), err);
        assertTrue(Files.size(out.resolve("flames.svg")) > 0, "rendered from the newest interval dump");
        assertFalse(Files.exists(Path.of(ready + ".stopped")), "SIGKILL runs no shutdown hook");
        assertNoJavaInternals(err);
    }

    /** Whether this process ignores SIGINT (signal 2: bit 1 of SigIgn in /proc/self/status), as its children then do. */
    private static boolean sigintIgnored() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 2) != 0;
        }
        return false;
    }

    /** Field 5 of /proc/PID/stat; the command name before it may hold spaces and parentheses. */
    private static long processGroup(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(rest[2]);
    }
}
