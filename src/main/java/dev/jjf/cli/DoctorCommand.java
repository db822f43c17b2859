package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.launch.DynamicAgentLoading;
import dev.jjf.launch.JemallocLibrary;
import dev.jjf.launch.JemallocLocator;
import dev.jjf.launch.ProbeProcess;
import dev.jjf.launch.PerfMapAgent;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code jjf doctor}: checks the set-up and says how to fix what is missing, one line per check. */
final class DoctorCommand implements Command {
    private static final long JAVA_TIMEOUT_SECONDS = 60;
    private static final Pattern JAVA_VERSION = Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?");
    /** -XX:+DumpPerfMapAtExit appeared in JDK 17. */
    private static final int PERF_MAP_JDK = 17;

    Path jemalloc;
    Path out = Path.of("jjf-out");
    String java = "java";

    private PrintWriter w;
    private int failures;

    @Override
    public CommandSpec spec() {
        return CommandSpec.builder("doctor", "Check that jemalloc, the JDK and the output directory are ready for 'jjf run'.")
                .option("--jemalloc", "LIB", "Check this jemalloc instead of the one jjf run would pick")
                .option("--out", "DIR", "Output directory to check (default: ${DEFAULT-VALUE})", out)
                .option("--java", "JAVA", "The java command your program uses (default: ${DEFAULT-VALUE})", java)
                .build();
    }

    @Override
    public void set(String key, String value) {
        switch (key) {
            case "--jemalloc" -> jemalloc = Values.toPath(value);
            case "--out" -> out = Values.toPath(value);
            case "--java" -> java = value;
            default -> throw Command.unknownKey(key);
        }
    }

    @Override
    public int call(PrintWriter stdout, PrintWriter err) {
        w = stdout;
        checkJemalloc();
        checkJava();
        checkAgent();
        checkDynamicAgents();
        checkOut();
        w.flush();
        return failures == 0 ? 0 : Main.EXIT_BAD_INPUT;
    }

    private void checkJemalloc() {
        Optional<Path> lib = JemallocLocator.locate(jemalloc, System.getenv());
        if (lib.isEmpty()) {
            line("FAIL", "jemalloc: none found", "apt-get install libjemalloc2, or run 'jjf setup' to build one with libunwind");
            return;
        }
        try {
            JemallocLibrary info = JemallocLibrary.inspect(lib.get());
            line("OK", "jemalloc: " + lib.get() + " (version " + info.version() + ")", null);
            if (!info.profiling()) {
                line("FAIL", "jemalloc: built without heap profiling", "run 'jjf setup' (builds jemalloc with --enable-prof)");
            } else if (info.unwinder() == JemallocLibrary.Unwinder.LIBUNWIND) {
                line("OK", "jemalloc: heap profiling with the libunwind unwinder (whole Java stacks)"
                        + (info.backtraceHook() ? "; jjf's agent names interpreted frames through its backtrace hook" : ""), null);
            } else if (info.backtraceHook()) {
                line("OK", "jemalloc: " + info.version() + " has the backtrace hook: jjf's agent unwinds whole Java stacks"
                        + " and names interpreted frames (no 'jjf setup' needed)", null);
            } else {
                line("WARN", "jemalloc: unwinds with " + info.unwinder().name().toLowerCase() + " and has no backtrace hook ("
                        + info.version() + ", the hook came with 5.3): stacks stop at the first Java frame",
                        "run 'jjf setup' once: it builds jemalloc with libunwind, which jjf run then picks up");
            }
        } catch (BadInputException e) {
            line("FAIL", "jemalloc: " + e.userMessage(), "point --jemalloc or $JJF_JEMALLOC at a libjemalloc.so.2, or run 'jjf setup'");
        } catch (IOException e) {
            line("FAIL", "jemalloc: cannot inspect " + lib.get() + ": " + e.getMessage(), null);
        }
    }

    /** Runs the JDK once with the perf-map flags and checks that the map appears. */
    private void checkJava() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        ProbeProcess.Result p;
        try {
            p = ProbeProcess.run(List.of(java, "-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit", "-version"),
                    Map.of(), Duration.ofSeconds(JAVA_TIMEOUT_SECONDS));
        } catch (IOException e) {
            line("FAIL", "java: cannot run '" + java + "': " + e.getMessage(), "install a JDK 17 or newer (apt-get install openjdk-17-jdk-headless)");
            return;
        }
        String output = p.output();
        Matcher m = JAVA_VERSION.matcher(output);
        int major = !m.find() ? -1 : m.group(1).equals("1") && m.group(2) != null ? Integer.parseInt(m.group(2)) : Integer.parseInt(m.group(1));
        String firstLine = output.lines().filter(l -> l.contains("version")).findFirst().orElse(output.strip());
        Path map = tmp.resolve("perf-" + p.pid() + ".map");
        boolean wrote = Files.isRegularFile(map);
        if (wrote) {
            try {
                Files.delete(map); // ours: written by the probe JVM above
            } catch (IOException ignored) {
                // leaving a probe's map behind is harmless
            }
        }
        if (p.exitCode() != 0 || major < 0) {
            line("FAIL", "java: '" + java + "' rejected the perf-map flags: " + firstLine, "use a HotSpot JDK " + PERF_MAP_JDK + " or newer");
        } else if (major < PERF_MAP_JDK || !wrote) {
            line("WARN", "java: " + firstLine + " did not write a perf map at exit",
                    "use a HotSpot JDK " + PERF_MAP_JDK + " or newer; without a perf map Java frames stay unnamed");
        } else {
            line("OK", "java: " + firstLine + " writes perf maps (-XX:+DumpPerfMapAtExit)", null);
        }
    }

    private void checkAgent() {
        String fix = "use 'jjf run --perf-map jdk' (no inlined frames), or rebuild jjf with gcc and the JDK headers (apt-get install gcc openjdk-17-jdk-headless)";
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        PerfMapAgent.Probe probe;
        try {
            probe = PerfMapAgent.extract(System.getenv(), tmp).probe(java, tmp);
        } catch (IOException e) {
            probe = new PerfMapAgent.Probe(false, e.getMessage());
        }
        if (probe.loads()) line("OK", "perf-map agent: loads in '" + java + "' (" + probe.detail() + ")", null);
        else line("WARN", "perf-map agent: does not load in '" + java + "': " + probe.detail(), fix);
    }

    /** JEP 451: JDK 21+ warns (a later JDK refuses) when jjf snapshot loads its agent into a JVM started without the flag. */
    private void checkDynamicAgents() {
        if (DynamicAgentLoading.knownBy(java)) {
            line("OK", "snapshots: '" + java + "' knows " + DynamicAgentLoading.FLAG + "; jjf run adds it, so jjf snapshot attaches"
                    + " without JEP 451's warning", null);
            w.printf("      note: a JVM you start yourself needs %s too, or it warns (and JDKs after 25 may refuse) when jjf snapshot attaches%n",
                    DynamicAgentLoading.FLAG);
        } else {
            line("OK", "snapshots: '" + java + "' predates " + DynamicAgentLoading.FLAG + " (JEP 451): jjf snapshot attaches without it", null);
        }
    }

    private void checkOut() {
        Path dir = out.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".jjf-doctor", ""));
            line("OK", "output: " + dir + " is writable", null);
        } catch (IOException e) {
            line("FAIL", "output: cannot write to " + dir + " (" + e.getMessage() + ")", "pass a writable directory with --out");
        }
    }

    private void line(String status, String what, String fix) {
        if (status.equals("FAIL")) failures++;
        w.printf("%-4s  %s%n", status, what);
        if (fix != null) w.printf("      fix: %s%n", fix);
    }
}
