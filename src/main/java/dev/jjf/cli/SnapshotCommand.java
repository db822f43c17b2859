package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.attach.AttachClient;
import dev.jjf.attach.AttachTarget;
import dev.jjf.attach.HeapDumper;
import dev.jjf.attach.SnapshotAgent;
import dev.jjf.attach.SnapshotReport;
import dev.jjf.launch.PerfMapAgent;
import dev.jjf.render.Units;
import dev.jjf.symbols.ProcessIdentity;
import dev.jjf.symbols.ProcessRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code jjf snapshot PID}: the native memory of a running JVM now, or what grew over a window. */
final class SnapshotCommand implements Command {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)");
    private static final double MILLIS_PER_SECOND = 1000.0;
    private static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

    long pid;
    Path out;
    String window;
    boolean start;
    boolean stop;
    boolean heap;
    double timeoutSeconds = DEFAULT_TIMEOUT_MILLIS / MILLIS_PER_SECOND;
    final RenderOptions options = new RenderOptions();

    private PrintWriter err;

    private PrintWriter stdout;
    private HeapDumper heapDumper;
    private boolean createdOut;

    @Override
    public CommandSpec spec() {
        CommandSpec.Builder b = CommandSpec.builder("snapshot",
                        "Flamegraph of a running JVM's native memory: loads jjf's agent into it, which has jemalloc write a heap"
                                + " profile and writes the perf map at the same moment. The JVM must run under a profiling jemalloc (jjf run,"
                                + " or LD_PRELOAD=…libjemalloc.so.2 MALLOC_CONF=prof:true).",
                        "--window takes two snapshots that far apart and draws what grew in between. --start / --stop switch"
                                + " jemalloc's sampling (for a JVM started with jjf run --prof-active=false).")
                .parameter("PID", 1, 1, "The JVM's process id (as seen from here)")
                .option("--out", "DIR", "Where the profiles, perf map and flamegraph go (default: ./jjf-out/snapshot-PID-<timestamp>)")
                .option("--window", "DURATION", "Take two snapshots DURATION apart (500ms, 30s, 5m, 1h) and draw the difference")
                .flag("--start", "Switch jemalloc's sampling on in the JVM; takes no snapshot")
                .flag("--stop", "Switch jemalloc's sampling off in the JVM; takes no snapshot")
                .flag("--heap", "Also dump the Java heap (HPROF) right after each native snapshot, into the same directory")
                .option("--timeout", "SECONDS", "How long the JVM may take to answer each attach, dump included (default: 30)");
        options.declare(b);
        return b.build();
    }

    @Override
    public void set(String key, String value) {
        switch (key) {
            case "PID" -> pid = Values.toLong(value);
            case "--out" -> out = Values.toPath(value);
            case "--window" -> window = value;
            case "--start" -> start = Values.toBoolean(value);
            case "--stop" -> stop = Values.toBoolean(value);
            case "--heap" -> heap = Values.toBoolean(value);
            case "--timeout" -> timeoutSeconds = Values.toDouble(value);
            default -> options.set(key, value);
        }
    }

    @Override
    public int call(PrintWriter stdout, PrintWriter err) throws IOException, InterruptedException {
        this.err = err;
        this.stdout = stdout;
        // Everything the user typed is checked before the JVM is touched.
        Long windowMillis = window == null ? null : parseDuration(window);
        if (start && stop) throw new BadInputException(null, "--start and --stop: give one of them");
        if ((start || stop) && window != null) throw new BadInputException(null, "--start and --stop take no snapshot: --window does not go with them");
        if ((start || stop) && heap) throw new BadInputException(null, "--start and --stop take no snapshot: --heap does not go with them");
        if (!(timeoutSeconds > 0) || Double.isInfinite(timeoutSeconds)) {
            throw new BadInputException(null, "--timeout must be a positive number of seconds, not " + timeoutSeconds);
        }
        long timeoutMillis = Math.max(1, Math.round(timeoutSeconds * MILLIS_PER_SECOND));
        options.metric(); // an unknown --metric fails now, not after the window

        AttachClient client = new AttachClient(timeoutMillis);
        heapDumper = new HeapDumper(timeoutMillis);
        AttachTarget target = client.target(pid);
        Path outDir = start || stop ? null : prepareOutDir();
        Path agentFallback = outDir != null ? outDir : Path.of("jjf-out").toAbsolutePath();
        PerfMapAgent agent;
        try {
            agent = PerfMapAgent.extract(System.getenv(), agentFallback);
        } catch (IOException e) {
            throw new BadInputException(null, "snapshots need jjf's agent, which cannot be used here: " + e.getMessage());
        }
        try (SnapshotAgent snapshots = new SnapshotAgent(client, target, agent.library(), timeoutMillis)) {
            Thread cleanup = new Thread(snapshots::close, "jjf-snapshot-cleanup"); // Ctrl-C during --window
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                if (start || stop) return switchSampling(snapshots, start);
                return snapshot(snapshots, outDir, windowMillis);
            } catch (RuntimeException | IOException e) {
                if (createdOut) removeIfEmpty(outDir); // a failed snapshot leaves no empty directory behind
                throw e;
            } finally {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
        }
    }

    private int switchSampling(SnapshotAgent snapshots, boolean on) {
        SnapshotReport r = snapshots.sampling(on);
        Optional<Boolean> before = r.samplingBefore();
        String was = before.isEmpty() ? "" : before.get() == on ? " (it already was " + onOff(on) + ")" : " (it was " + onOff(!on) + ")";
        String rate = r.lgSample().map(n -> ", one sample per " + Units.bytes(Math.pow(2, n)) + " allocated").orElse("");
        say("pid " + pid + ": heap sampling is " + onOff(on) + was + rate);
        say(on ? "take snapshots with: jjf snapshot " + pid + " [--window 60s]; stop sampling with: jjf snapshot " + pid + " --stop"
                : "allocations from now on are not sampled; what was sampled and is still in use stays in snapshots");
        return 0;
    }

    private int snapshot(SnapshotAgent snapshots, Path outDir, Long windowMillis) throws IOException, InterruptedException {
        SnapshotAgent.Dump first = snapshots.dump(outDir);
        recordProcess(outDir);
        dumpHeapAfter(first);
        warnIfNotSampling(first.report());
        noteHook(first.report());
        List<RenderJob.Input> baseline = List.of();
        SnapshotAgent.Dump last = first;
        if (windowMillis != null) {
            say("snapshot " + first.heap().getFileName() + " taken; the next one in " + describe(windowMillis));
            long before = System.nanoTime();
            Thread.sleep(windowMillis); // the window itself: what the user asked to wait for
            last = snapshots.dump(outDir);
            dumpHeapAfter(last);
            say(String.format(Locale.ROOT, "snapshot %s taken, %.1f s after the first", last.heap().getFileName(),
                    (System.nanoTime() - before) / 1e9));
            baseline = List.of(input(first));
        }
        if (options.output == null && options.format != OutputFormat.text) options.output = outDir.resolve(options.format.defaultFileName());
        return RenderCommand.write(options.job(List.of(input(last)), baseline), stdout, err);
    }

    /** Keeps which process this was beside the snapshot, so a later render can still tell its map from a stale one. */
    private void recordProcess(Path outDir) {
        try {
            Optional<ProcessIdentity> live = ProcessIdentity.live(pid);
            if (live.isPresent()) ProcessRecord.writeIdentity(outDir, live.get());
        } catch (IOException e) {
            say("note: cannot record pid " + pid + "'s start time in " + outDir + " (" + e.getMessage() + ")");
        }
    }

    /**
     * With --heap, the Java heap of the moment just after the native snapshot {@code d}: the JVM
     * stops for the dump, so the two halves of its memory are as close in time as two dumps can be.
     * Named like the native profile it goes with: jeprof.PID.SEQ.mSEQ.heap, java-heap.PID.SEQ.mSEQ.hprof.
     */
    private void dumpHeapAfter(SnapshotAgent.Dump d) {
        if (!heap) return;
        String name = d.heap().getFileName().toString();
        name = "java-heap" + name.substring(name.indexOf('.')).replaceFirst("\\.heap$", "") + ".hprof";
        HeapDumper.Result r = heapDumper.dump(pid, new HeapDumper.Request(0, 0, false), d.heap().resolveSibling(name));
        for (String note : r.notes()) say("note: " + note);
        say("heap dump " + r.file().getFileName() + " taken (" + r.runtime() + ", " + HeapDumper.size(r.bytes()) + "); draw it with: jjf render "
                + r.file());
    }

    private RenderJob.Input input(SnapshotAgent.Dump d) {
        // The JVM is alive: its start time tells its own map from a stale one with the same pid.
        return new RenderJob.Input(d.heap(), Optional.of(options.perfMap != null ? options.perfMap : d.perfMap()),
                ProcessIdentity.live(pid));
    }

    /** Says once, when this snapshot changed it, whether stacks are whole and named from now on. */
    private void noteHook(SnapshotReport r) {
        String hook = r.hook().orElse("running");
        if (hook.equals("started")) {
            say("note: pid " + pid + ": jjf's agent records whole Java stacks with named frames (jemalloc's backtrace hook) for"
                    + " allocations sampled from now on, and writes their names to /tmp/jjf-perf-<pid>.map in the JVM's /tmp while it"
                    + " runs; allocations sampled before keep the stacks jemalloc recorded");
        } else if (hook.startsWith("off ")) {
            say("note: pid " + pid + ": Java stacks stay as jemalloc's own unwinder records them: " + hook.substring("off ".length()));
        }
    }

    private void warnIfNotSampling(SnapshotReport r) {
        if (r.sampling().orElse(true)) return;
        say("note: heap sampling is off in pid " + pid + ": the snapshot only has what was sampled while it was on;"
                + " switch it on with: jjf snapshot " + pid + " --start");
    }

    private Path prepareOutDir() {
        Path dir = out != null ? out : Path.of("jjf-out",
                "snapshot-" + pid + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        dir = dir.toAbsolutePath().normalize();
        try {
            createdOut = !Files.isDirectory(dir);
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".jjf-write-test", ""));
        } catch (IOException e) {
            throw new BadInputException(dir, "cannot write to --out directory: " + e.getMessage());
        }
        return dir;
    }

    private static void removeIfEmpty(Path dir) {
        if (dir == null) return;
        try {
            Files.delete(dir);
        } catch (IOException e) {
            // not empty (something was written, or it held files before), or already gone: keep it
        }
    }

    /** "500ms", "30s", "5m", "1h" in milliseconds; anything else is refused with one line. */
    static long parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new BadInputException(null, "--window: '" + text + "' is not a duration (use e.g. 500ms, 30s, 5m or 1h)");
        }
        long unit = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        long millis = Long.parseLong(m.group(1)) * unit; // at most 12 digits: no overflow
        if (millis == 0) throw new BadInputException(null, "--window: '" + text + "' is not a duration to wait for: it is zero");
        return millis;
    }

    private static String describe(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / MILLIS_PER_SECOND).replace(".0 s", " s");
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }

    private void say(String message) {
        err.println("jjf: " + message);
        err.flush();
    }
}
