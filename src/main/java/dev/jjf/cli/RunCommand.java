package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.launch.JemallocLibrary;
import dev.jjf.launch.JemallocLocator;
import dev.jjf.launch.DynamicAgentLoading;
import dev.jjf.launch.LibraryKeeper;
import dev.jjf.launch.LoadAuditor;
import dev.jjf.launch.PerfMapAgent;
import dev.jjf.launch.ProfilingEnvironment;
import dev.jjf.profile.Metric;
import dev.jjf.profile.ProfileFiles;
import dev.jjf.render.TextWriter;
import dev.jjf.render.Units;
import dev.jjf.symbols.PerfMapOrigin;
import dev.jjf.symbols.ProcessRecord;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** {@code jjf run -- COMMAND}: runs any command with every JVM it starts profiled, then renders. */
final class RunCommand implements Command {
    /** Shell convention for a command that could not be started. */
    static final int EXIT_CANNOT_RUN = 127;
    private static final long SHUTDOWN_WAIT_SECONDS = 30;
    private static final List<Path> TEMP_DIRS = List.of(Path.of(System.getProperty("java.io.tmpdir")),
            Path.of("/tmp"), Path.of("/var/tmp"), Path.of("/dev/shm"));
    /** 512 KiB, jemalloc's own default. */
    private static final int DEFAULT_LG_SAMPLE = 19;
    /** Java frames listed after the graph is written. */
    private static final int SUMMARY_JAVA_FRAMES = 5;

    Path out;
    int lgSample = DEFAULT_LG_SAMPLE;
    String interval;
    boolean profActive = true;
    Path jemalloc;
    PerfMapMode perfMap = PerfMapMode.agent;
    OutputFormat format = OutputFormat.svg;
    boolean noRender;
    /** --lines: one frame per source line. */
    boolean byLine;
    boolean renderAll;
    boolean verbose;
    List<String> command = new ArrayList<>();

    /** Who writes the perf maps. */
    enum PerfMapMode { agent, jdk }

    private PrintWriter err;

    @Override
    public CommandSpec spec() {
        return CommandSpec.builder("run",
                        "Run COMMAND with jemalloc heap profiling and perf maps for every JVM it starts,",
                        "keep everything in --out, then render each JVM's flamegraph.")
                .option("--out", "DIR", "Where profiles, perf maps and flamegraphs go (default: ./jjf-out/<timestamp>)")
                .option("--lg-sample", "N", "Sample one allocation per 2^N bytes on average"
                        + " (default: ${DEFAULT-VALUE}, 512 KiB; 0 records every allocation)", lgSample)
                .option("--interval", "BYTES", "Also dump a profile every BYTES allocated (rounded down to a power of two; suffixes k, m, g)")
                .option("--prof-active", "BOOL", "false: start with jemalloc's sampling off, and switch it on and off later with"
                        + " jjf snapshot PID --start / --stop (default: ${DEFAULT-VALUE})", profActive)
                .option("--jemalloc", "LIB", "The jemalloc to preload (default: $JJF_JEMALLOC, jjf setup's build, the system's)")
                .option("--perf-map", "MODE", "agent: jjf's JVMTI agent writes each JVM's perf map into --out, with inlined methods (default); "
                        + "jdk: the JVM's own map at exit (-XX:+DumpPerfMapAtExit), without them")
                .option("--format", "F", "svg, folded, json, pprof or text (default: ${DEFAULT-VALUE})", format)
                .flag("--lines", "One frame per source line where it is known (Java methods: name:LINE)")
                .flag("--no-render", "Only profile; render later with: jjf render --latest --dir DIR")
                .flag("--render-all", "Also render processes that are not JVMs (shells, tools the command started)")
                .flag("--verbose", "Print Java stack traces of errors")
                .parameter("COMMAND", 1, Parameter.UNBOUNDED, "The command and its arguments (put -- before it)")
                .build();
    }

    @Override
    public void set(String key, String value) {
        switch (key) {
            case "--out" -> out = Values.toPath(value);
            case "--lg-sample" -> lgSample = Values.toInt(value);
            case "--interval" -> interval = value;
            case "--prof-active" -> profActive = Values.toBoolean(value);
            case "--jemalloc" -> jemalloc = Values.toPath(value);
            case "--perf-map" -> perfMap = Values.oneOf(PerfMapMode.values(), value);
            case "--format" -> format = Values.oneOf(OutputFormat.values(), value);
            case "--lines" -> byLine = Values.toBoolean(value);
            case "--no-render" -> noRender = Values.toBoolean(value);
            case "--render-all" -> renderAll = Values.toBoolean(value);
            case "--verbose" -> verbose = Values.toBoolean(value);
            case "COMMAND" -> command.add(value);
            default -> throw Command.unknownKey(key);
        }
    }

    @Override
    public int call(PrintWriter stdout, PrintWriter err) throws IOException, InterruptedException {
        this.err = err;
        Path outDir = prepareOutDir();
        ProfilingEnvironment env = new ProfilingEnvironment(pickJemalloc(), outDir, lgSample, intervalBytes(),
                jvmFlags(outDir), profActive);
        say("profiling " + String.join(" ", command) + "\n     jemalloc " + env.jemalloc() + ", one sample per "
                + Units.bytes(Math.pow(2, lgSample)) + "; results in " + outDir);
        if (!profActive) say("sampling is off until you switch it on: jjf snapshot PID --start");

        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().putAll(env.variables(System.getenv()));
        boolean audited = audit(pb.environment(), outDir);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            err.println("jjf: cannot run '" + command.get(0) + "': " + e.getMessage());
            return EXIT_CANNOT_RUN;
        }
        Thread forwarder = forwardTermination(child, outDir);
        int exit;
        List<Long> order;
        boolean stopping;
        try (LibraryKeeper keeper = new LibraryKeeper(child.pid(), outDir, TEMP_DIRS, this::say)) {
            keeper.start();
            exit = child.waitFor();
            order = keeper.seenPids();
        } finally {
            stopping = !removeHook(forwarder);
        }
        // jjf itself was stopped (SIGTERM, Ctrl-C): the hook waits for the program and says where the
        // profiles are; rendering now would race the JVM's exit and leave a temp file behind.
        if (stopping) return exit;
        if (exit != 0) say(command.get(0) + " exited with code " + exit);
        collectPerfMaps(outDir, audited);
        if (noRender) {
            say("profiles kept in " + outDir + "; render them with: jjf render --latest --dir " + outDir);
            return exit;
        }
        try {
            renderAll(outDir, child.pid(), order);
        } catch (BadInputException | IOException e) {
            String why = e instanceof BadInputException b ? b.userMessage() : Main.ioMessage(e);
            err.println("jjf: rendering failed: " + why);
            err.println("jjf: the profiles are kept in " + outDir + "; render them again with: jjf render --latest --dir " + outDir);
            return exit != 0 ? exit : Main.EXIT_BAD_INPUT;
        }
        return exit;
    }

    private Path prepareOutDir() {
        Path dir = out != null ? out
                : RenderCommand.RUNS.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        dir = dir.toAbsolutePath().normalize();
        // MALLOC_CONF separates options with commas: such a prefix would be cut short.
        if (dir.toString().contains(",")) throw new BadInputException(dir, "--out may not contain a comma (jemalloc's MALLOC_CONF cannot carry it)");
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".jjf-write-test", "");
            Files.delete(probe);
        } catch (IOException e) {
            throw new BadInputException(dir, "cannot write to --out directory: " + e.getMessage());
        }
        return dir;
    }

    private Path pickJemalloc() throws IOException {
        Path lib = JemallocLocator.locate(jemalloc, System.getenv()).orElseThrow(() -> new BadInputException(null,
                "no jemalloc found: install libjemalloc2 (apt-get install libjemalloc2) or run 'jjf setup'"));
        JemallocLibrary info = JemallocLibrary.inspect(lib);
        if (!info.profiling()) {
            throw new BadInputException(lib, "this jemalloc was built without heap profiling (--enable-prof); run 'jjf setup' to build one that has it");
        }
        if (!info.wholeJavaStacks(perfMap == PerfMapMode.agent)) {
            String why = info.backtraceHook() ? " and --perf-map jdk leaves out jjf's agent, which unwinds Java frames through"
                    + " jemalloc's backtrace hook" : "";
            say("warning: " + lib + " unwinds with " + info.unwinder().name().toLowerCase() + why
                    + ": stacks will stop at the first Java frame. For whole Java stacks use jemalloc 5.3 or newer, or run"
                    + " 'jjf setup' once (builds jemalloc with libunwind; jjf uses it automatically afterwards).");
        }
        return lib;
    }

    /** The perf-map flags, and JEP 451's opt-in when the JVM knows it, so that a later jjf snapshot is silent. */
    private List<String> jvmFlags(Path outDir) {
        List<String> flags = new ArrayList<>(perfMapFlags(outDir));
        if (DynamicAgentLoading.knownBy(DynamicAgentLoading.javaOf(command, System.getenv()), System.getenv())) {
            flags.add(DynamicAgentLoading.FLAG);
        }
        return flags;
    }

    /**
     * Puts jjf's load-time auditor into every process: it records build ids and keeps copies of libraries
     * loaded from temp dirs, at load time and as the user. False when it cannot be used (then LibraryKeeper's
     * polling is all there is, which needs root for deleted files).
     */
    private boolean audit(java.util.Map<String, String> env, Path outDir) {
        try {
            env.putAll(LoadAuditor.extract(System.getenv(), outDir).variables(outDir, TEMP_DIRS, System.getenv()));
            return true;
        } catch (IOException e) {
            say("warning: the load-time auditor cannot be used (" + e.getMessage() + "): libraries deleted while mapped"
                    + " may stay unnamed, and builds are checked by layout only");
            return false;
        }
    }

    /** A run still works with the JDK's map when the agent cannot be used, only without inlined frames. */
    private List<String> perfMapFlags(Path outDir) {
        if (perfMap == PerfMapMode.jdk) return ProfilingEnvironment.JDK_PERF_MAP_FLAGS;
        try {
            return PerfMapAgent.extract(System.getenv(), outDir).jvmFlags(outDir);
        } catch (IOException e) {
            say("warning: the perf-map agent cannot be used (" + e.getMessage() + "); using --perf-map jdk instead (no inlined frames)");
            return ProfilingEnvironment.JDK_PERF_MAP_FLAGS;
        }
    }

    private OptionalLong intervalBytes() {
        if (interval == null) return OptionalLong.empty();
        String s = interval.strip().toLowerCase();
        long unit = 1;
        if (s.endsWith("k")) unit = 1L << 10;
        else if (s.endsWith("m")) unit = 1L << 20;
        else if (s.endsWith("g")) unit = 1L << 30;
        if (unit > 1) s = s.substring(0, s.length() - 1);
        try {
            long v = Math.multiplyExact(Long.parseLong(s), unit);
            if (v <= 0) throw new NumberFormatException();
            return OptionalLong.of(v);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new BadInputException(null, "--interval: '" + interval + "' is not a positive number of bytes (e.g. 1073741824 or 1g)");
        }
    }

    /**
     * SIGTERM to jjf reaches the program, and jjf waits for it so jemalloc's final dump is written.
     * Ctrl-C needs nothing: the terminal sends SIGINT to the program too.
     */
    private Thread forwardTermination(Process child, Path outDir) {
        Thread hook = new Thread(() -> {
            if (!child.isAlive()) return;
            child.destroy();
            try {
                child.waitFor(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            err.println("jjf: stopped; the profiles are kept in " + outDir + "; render them with: jjf render --latest --dir " + outDir);
            err.flush();
        }, "jjf-forward-termination");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** False when the JVM is already shutting down, and so running the hook. */
    private static boolean removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            return true;
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }

    /**
     * Moves each profiled JVM's /tmp/perf-PID.map next to its profiles: only files that are ours, and
     * with the auditor's record of each process, only maps written by that process (not a stale map
     * of an earlier process with the same pid).
     */
    private void collectPerfMaps(Path outDir, boolean audited) throws IOException {
        for (ProfileFiles.DumpFile d : ProfileFiles.dumps(outDir, this::say)) {
            Path target = outDir.resolve("perf-" + d.pid() + ".map");
            if (Files.exists(target)) continue;
            Optional<Path> map = ProfileFiles.perfMap(d.pid(), TEMP_DIRS, this::say);
            if (map.isEmpty()) continue;
            Optional<ProcessRecord> record = ProcessRecord.in(outDir, d.pid());
            if (audited && record.isEmpty()) continue; // not a process of this run
            if (record.isPresent() && record.get().identity().isPresent()) {
                Optional<String> stale = PerfMapOrigin.whyStale(map.get(), d.pid(), record.get().identity(), List.of(), 0, true);
                if (stale.isPresent()) {
                    say("left " + map.get() + " where it is: " + stale.get());
                    continue;
                }
            }
            try {
                Files.move(map.get(), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.copy(map.get(), target);
                Files.delete(map.get());
            }
        }
    }

    private void renderAll(Path outDir, long rootPid, List<Long> startOrder) throws IOException {
        List<ProfileFiles.ProcessDumps> processes = ProfileFiles.byProcess(
                ProfileFiles.dumps(outDir, this::say), List.of(outDir), this::say);
        if (processes.isEmpty()) {
            throw new BadInputException(outDir, "no heap profile was written (did the command start any process under jemalloc?)");
        }
        Comparator<ProfileFiles.ProcessDumps> started = Comparator.comparingLong(p -> {
            int i = startOrder.indexOf(p.pid());
            return i < 0 ? Long.MAX_VALUE / 2 + p.pid() : i;
        });
        List<ProfileFiles.ProcessDumps> jvms = processes.stream().filter(ProfileFiles.ProcessDumps::isJvm).sorted(started).toList();
        List<ProfileFiles.ProcessDumps> chosen = new ArrayList<>(jvms);
        if (jvms.isEmpty()) {
            ProfileFiles.ProcessDumps main = processes.stream().filter(p -> p.pid() == rootPid).findFirst()
                    .orElse(processes.stream().sorted(started).findFirst().orElseThrow());
            say("no perf map was written: no JVM ran (or it was killed before exit); rendering pid " + main.pid()
                    + " without Java names");
            chosen.add(main);
        }
        if (renderAll) processes.stream().filter(p -> !chosen.contains(p)).sorted(started).forEach(chosen::add);
        for (int i = 0; i < chosen.size(); i++) {
            ProfileFiles.ProcessDumps p = chosen.get(i);
            ProfileFiles.DumpFile best = p.best();
            if (!best.isFinal()) say("no final dump for pid " + p.pid() + " (killed?); using " + best.path().getFileName());
            Path output = outDir.resolve(i == 0 ? format.defaultFileName() : "flames-" + p.pid() + "." + format.extension());
            RenderJob job = new RenderJob(List.of(new RenderJob.Input(best.path(), p.perfMap())), List.of(), Metric.INUSE_SPACE, format,
                    output, "Native memory in use — " + String.join(" ", command), null, null,
                    RenderJob.DEFAULT_MIN_WIDTH_PERCENT, false, byLine,
                    new SymbolizerOptions(null, List.of(outDir.resolve(LibraryKeeper.LIBS_DIR)),
                            List.of(SymbolizerOptions.SYSTEM_DEBUG_ROOT), RenderOptions.symbolCache(System.getenv())));
            RenderJob.Result r = job.run(err, err);
            say("wrote " + output + " (pid " + p.pid() + ", " + Units.format(r.tree().total(), r.tree().unit()) + " in use)");
            // An answer without opening the file: where the Java code holds native memory.
            for (String line : TextWriter.describeTopJavaFrames(r.tree(), SUMMARY_JAVA_FRAMES)) say(line);
        }
        int skipped = processes.size() - chosen.size();
        if (skipped > 0) say(skipped + " other process profile(s) kept in " + outDir + " (not JVMs; --render-all renders them)");
    }

    private void say(String message) {
        err.println("jjf: " + message);
        err.flush();
    }
}
