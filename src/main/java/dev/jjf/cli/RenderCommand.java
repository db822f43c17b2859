package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.render.Units;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code jjf render}: heap profiles plus perf maps to a flamegraph. */
final class RenderCommand implements Command {
    List<Path> heaps = new ArrayList<>();
    boolean latest;
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    Long pid;
    Path base;
    final RenderOptions options = new RenderOptions();

    @Override
    public CommandSpec spec() {
        CommandSpec.Builder b = CommandSpec.builder("render", "Render jemalloc heap profiles as a flamegraph (SVG, folded stacks or JSON).")
                .parameter("HEAP", 0, Parameter.UNBOUNDED, "jemalloc heap profiles; several are summed")
                .flag("--latest", "Render the newest profile in --dir (a JVM's, if any process wrote a perf map)")
                .option("--dir", "DIR", "Where --latest looks for profiles and perf maps (default: ${DEFAULT-VALUE})", dir)
                .option("--pid", "PID", "With --latest: only this process's profiles")
                .option("--base", "OLD", "Differential graph against OLD (a heap file or a jjf run directory)");
        options.declare(b);
        return b.build();
    }

    @Override
    public void set(String key, String value) {
        switch (key) {
            case "HEAP" -> heaps.add(Values.toPath(value));
            case "--latest" -> latest = Values.toBoolean(value);
            case "--dir" -> dir = Values.toPath(value);
            case "--pid" -> pid = Values.toLong(value);
            case "--base" -> base = Values.toPath(value);
            default -> options.set(key, value);
        }
    }

    @Override
    public int call(PrintWriter out, PrintWriter err) throws IOException {
        Inputs resolve = new Inputs(options.perfMap, Inputs.perfMapDirs(dir), s -> err.println("jjf: " + s));
        List<RenderJob.Input> inputs = new ArrayList<>();
        if (!heaps.isEmpty()) {
            if (latest) throw new BadInputException(null, "give HEAP files or --latest, not both");
            for (Path h : heaps) inputs.add(resolve.file(h));
        } else if (latest || pid != null) {
            inputs.add(resolve.latest(dir, pid));
        } else {
            throw new BadInputException(null, "no profile given: pass HEAP files, or --latest to take the newest in " + dir);
        }
        List<RenderJob.Input> baseline = base == null ? List.of() : List.of(resolve.fileOrDirectory(base));
        if (HeapRender.isHeapDump(inputs, baseline)) return HeapRender.write(options, inputs, baseline, err);
        return write(options.job(inputs, baseline), err);
    }

    /** Runs a job and tells the user what went in and what came out. */
    static int write(RenderJob job, PrintWriter err) throws IOException {
        RenderJob.Result result = job.run(err);
        for (RenderJob.Input in : job.baseline()) err.println("jjf: baseline " + describe(in));
        for (RenderJob.Input in : job.inputs()) err.println("jjf: profile " + describe(in));
        String change = result.tree().isDifferential()
                ? ", change " + (result.tree().root().delta() >= 0 ? "+" : "-") + Units.format(Math.abs(result.tree().root().delta()), result.tree().unit())
                : "";
        err.println("jjf: wrote " + job.output() + " (" + Units.format(result.tree().total(), result.tree().unit()) + change
                + " in " + result.stacks() + " stacks)");
        err.flush();
        return 0;
    }

    private static String describe(RenderJob.Input in) {
        return in.heap() + in.perfMap().map(p -> ", perf map " + p).orElse(" (no perf map: Java frames stay unnamed)");
    }
}
