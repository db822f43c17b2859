package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.profile.Metric;
import dev.jjf.profile.ProfileFiles;
import dev.jjf.render.Units;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
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

    @Option(names = "--perf-map", paramLabel = "FILE", description = "Perf map to use (default: perf-<pid>.map in --dir, then the temp dir)")
    Path perfMap;

    @Option(names = "--symfs", paramLabel = "DIR", description = "Look libraries up under DIR first (profiles from another host)")
    Path symfs;

    @Option(names = "--metric", paramLabel = "M", defaultValue = "inuse-space",
            description = "inuse-space, inuse-objects, alloc-space or alloc-objects (default: ${DEFAULT-VALUE})")
    String metric;

    @Option(names = "--format", paramLabel = "F", defaultValue = "svg", description = "svg, folded or json (default: ${DEFAULT-VALUE})")
    OutputFormat format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Output file (default: flames.svg, flames.folded or flames.json)")
    Path output;

    @Option(names = "--title", paramLabel = "T", description = "Title of the SVG")
    String title;

    @Option(names = "--include", paramLabel = "RE", description = "Keep only stacks with a frame matching RE")
    String include;

    @Option(names = "--exclude", paramLabel = "RE", description = "Drop stacks with a frame matching RE")
    String exclude;

    @Option(names = "--min-width", paramLabel = "PCT", defaultValue = "0.1",
            description = "SVG: hide frames narrower than PCT percent of the total (default: ${DEFAULT-VALUE})")
    double minWidthPercent;

    @Option(names = "--annotate", description = "Folded: add flamegraph.pl's kind suffixes (_[j] _[i] _[k])")
    boolean annotate;

    @Option(names = "--verbose", description = "Print Java stack traces of errors")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        Metric m = Metric.fromId(metric);
        if (m == null) throw new BadInputException(null, "unknown --metric '" + metric + "' (use inuse-space, inuse-objects, alloc-space or alloc-objects)");
        List<RenderJob.Input> inputs = inputs(err);
        Path out = output != null ? output : Path.of(format.defaultFileName());
        RenderJob job = new RenderJob(inputs, m, format, out, title != null ? title : defaultTitle(inputs, m),
                regex("--include", include), regex("--exclude", exclude), minWidthPercent, annotate, symbolizerOptions(inputs));
        RenderJob.Result result = job.run(err);
        for (RenderJob.Input in : inputs) {
            err.println("jjf: profile " + in.heap() + in.perfMap().map(p -> ", perf map " + p)
                    .orElse(" (no perf map: Java frames stay unnamed)"));
        }
        err.println("jjf: wrote " + out + " (" + Units.format(result.tree().total(), result.tree().unit()) + " in "
                + result.stacks() + " stacks)");
        err.flush();
        return 0;
    }

    private List<RenderJob.Input> inputs(PrintWriter err) throws IOException {
        List<Path> perfMapDirs = perfMapDirs();
        if (!heaps.isEmpty()) {
            if (latest) throw new BadInputException(null, "give HEAP files or --latest, not both");
            List<RenderJob.Input> list = new ArrayList<>();
            for (Path h : heaps) {
                if (!Files.isRegularFile(h)) throw new BadInputException(h, "no such file");
                Optional<Path> map = Optional.ofNullable(perfMap);
                if (map.isEmpty()) {
                    Optional<ProfileFiles.DumpFile> name = ProfileFiles.parseName(h, null);
                    List<Path> dirs = new ArrayList<>();
                    if (h.toAbsolutePath().getParent() != null) dirs.add(h.toAbsolutePath().getParent());
                    dirs.addAll(perfMapDirs);
                    if (name.isPresent()) map = ProfileFiles.perfMap(name.get().pid(), distinct(dirs), s -> err.println("jjf: " + s));
                }
                list.add(new RenderJob.Input(h, map));
            }
            return list;
        }
        if (!latest && pid == null) {
            throw new BadInputException(null, "no profile given: pass HEAP files, or --latest to take the newest in " + dir);
        }
        List<ProfileFiles.DumpFile> dumps = ProfileFiles.dumps(dir, s -> err.println("jjf: " + s));
        if (pid != null) dumps = dumps.stream().filter(d -> d.pid() == pid).toList();
        List<ProfileFiles.ProcessDumps> processes = ProfileFiles.byProcess(dumps, perfMapDirs, s -> err.println("jjf: " + s));
        ProfileFiles.ProcessDumps chosen = ProfileFiles.latest(processes).orElseThrow(() -> new BadInputException(dir,
                "no jemalloc heap profile (*.heap)" + (pid != null ? " of pid " + pid : "") + " here"));
        ProfileFiles.DumpFile best = chosen.best();
        if (!best.isFinal()) {
            err.println("jjf: no final dump for pid " + chosen.pid() + "; using the newest one, " + best.path().getFileName());
        }
        Optional<Path> map = perfMap != null ? Optional.of(perfMap) : chosen.perfMap();
        return List.of(new RenderJob.Input(best.path(), map));
    }

    /** --dir first, then the system temp dir, where the JVM writes /tmp/perf-PID.map. */
    private List<Path> perfMapDirs() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(dir);
        dirs.add(Path.of(System.getProperty("java.io.tmpdir")));
        dirs.add(Path.of("/tmp"));
        return distinct(dirs);
    }

    private static List<Path> distinct(List<Path> paths) {
        LinkedHashSet<Path> set = new LinkedHashSet<>();
        for (Path p : paths) set.add(p.toAbsolutePath().normalize());
        return List.copyOf(set);
    }

    /** Kept copies of deleted libraries live in libs/ beside the profiles (see jjf run). */
    private SymbolizerOptions symbolizerOptions(List<RenderJob.Input> inputs) {
        List<Path> libraryDirs = new ArrayList<>();
        for (RenderJob.Input in : inputs) {
            Path parent = in.heap().toAbsolutePath().getParent();
            if (parent != null) libraryDirs.add(parent.resolve("libs"));
        }
        return new SymbolizerOptions(symfs, distinct(libraryDirs), List.of(SymbolizerOptions.SYSTEM_DEBUG_ROOT));
    }

    private static Pattern regex(String option, String re) {
        if (re == null) return null;
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new BadInputException(null, option + ": invalid regular expression '" + re + "': " + e.getDescription());
        }
    }

    private static String defaultTitle(List<RenderJob.Input> inputs, Metric m) {
        String what = switch (m) {
            case INUSE_SPACE -> "Native memory in use";
            case INUSE_OBJECTS -> "Native allocations in use";
            case ALLOC_SPACE -> "Native memory allocated";
            case ALLOC_OBJECTS -> "Native allocations";
        };
        return what + " — " + inputs.get(0).heap().getFileName() + (inputs.size() > 1 ? " (+" + (inputs.size() - 1) + " more)" : "");
    }
}
