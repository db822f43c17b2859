package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.render.Units;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jjf render}: heap profiles plus perf maps to a flamegraph. */
@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Render jemalloc heap profiles as a flamegraph (SVG, folded stacks or JSON).")
final class RenderCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "HEAP", arity = "0..*", description = "jemalloc heap profiles; several are summed")
    List<Path> heaps = new ArrayList<>();

    @Option(names = "--latest", description = "Render the newest profile in --dir (a JVM's, if any process wrote a perf map)")
    boolean latest;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where --latest looks for profiles and perf maps (default: ${DEFAULT-VALUE})")
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));

    @Option(names = "--pid", paramLabel = "PID", description = "With --latest: only this process's profiles")
    Long pid;

    @Option(names = "--base", paramLabel = "OLD", description = "Differential graph against OLD (a heap file or a jjf run directory)")
    Path base;

    @Mixin
    RenderOptions options;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
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
