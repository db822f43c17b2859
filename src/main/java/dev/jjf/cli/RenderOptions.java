package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.launch.JemallocLocator;
import dev.jjf.profile.Metric;
import dev.jjf.symbols.SymbolizerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The options shared by every command that writes a flamegraph (render, diff, snapshot). */
final class RenderOptions {
    Path perfMap;
    Path symfs;
    /** Null: inuse-space for jemalloc profiles, retained for heap dumps. */
    String metric;
    String heaps = "app";
    OutputFormat format = OutputFormat.svg;
    Path output;
    String title;
    String include;
    String exclude;
    double minWidthPercent = RenderJob.DEFAULT_MIN_WIDTH_PERCENT;
    boolean annotate;
    boolean byLine;
    boolean verbose;
    boolean noSymbolCache;

    /** Adds these options to a command, after its own; help shows the fields' values now as the defaults. */
    void declare(CommandSpec.Builder command) {
        command.option("--perf-map", "FILE", "Perf map to use (default: perf-<pid>.map beside the profile, in --dir, then the temp dir)")
                .option("--symfs", "DIR", "Look libraries up under DIR first (profiles from another host)")
                .option("--metric", "M", "inuse-space (default), inuse-objects, alloc-space or alloc-objects; for heap dumps"
                        + " retained (default), shallow, count or native")
                .option("--heaps", "H", "Android heap dumps: app (default) or all (also the image and zygote heaps)")
                .option("--format", "F", "svg, folded, json, pprof (gzipped profile.proto) or text (a pprof -top table)"
                        + " (default: ${DEFAULT-VALUE})", format)
                .option(List.of("-o", "--output"), "FILE", "Output file, - for standard output (default: flames.svg, flames.folded,"
                        + " flames.json, flames.pb.gz; text goes to standard output)")
                .option("--title", "T", "Title of the SVG")
                .option("--include", "RE", "Keep only stacks with a frame matching RE")
                .option("--exclude", "RE", "Drop stacks with a frame matching RE")
                .option("--min-width", "PCT", "SVG: hide frames narrower than PCT percent of the total (default: ${DEFAULT-VALUE})", minWidthPercent)
                .flag("--lines", "One frame per source line where it is known (Java methods: name:LINE)")
                .flag("--annotate", "Folded: add flamegraph.pl's kind suffixes (_[j] _[i] _[k])")
                .flag("--verbose", "Print Java stack traces of errors")
                .flag("--no-symbol-cache", "Read every symbol table from its library (default: reuse the tables kept in"
                        + " ~/.cache/jjf/symbols by earlier renders)");
    }

    /** Command.set for these options. */
    void set(String key, String value) {
        switch (key) {
            case "--perf-map" -> perfMap = Values.toPath(value);
            case "--symfs" -> symfs = Values.toPath(value);
            case "--metric" -> metric = value;
            case "--heaps" -> heaps = value;
            case "--format" -> format = Values.oneOf(OutputFormat.values(), value);
            case "--output" -> output = Values.toPath(value);
            case "--title" -> title = value;
            case "--include" -> include = value;
            case "--exclude" -> exclude = value;
            case "--min-width" -> minWidthPercent = Values.toDouble(value);
            case "--lines" -> byLine = Values.toBoolean(value);
            case "--annotate" -> annotate = Values.toBoolean(value);
            case "--verbose" -> verbose = Values.toBoolean(value);
            case "--no-symbol-cache" -> noSymbolCache = Values.toBoolean(value);
            default -> throw Command.unknownKey(key);
        }
    }

    /** Setting this to 0 turns the symbol cache off for every command, like --no-symbol-cache. */
    static final String SYMBOL_CACHE_ENV = "JJF_SYMBOL_CACHE";

    Metric metric() {
        Metric m = Metric.fromId(metric == null ? Metric.INUSE_SPACE.id() : metric);
        if (m == null) {
            throw new BadInputException(null, "unknown --metric '" + metric + "' (use inuse-space, inuse-objects, alloc-space or alloc-objects)");
        }
        return m;
    }

    Path output() {
        if (output != null) return output;
        return format == OutputFormat.text ? RenderJob.STDOUT : Path.of(format.defaultFileName());
    }

    /** The job for these options; the title defaults to what is measured and from which file. */
    RenderJob job(List<RenderJob.Input> inputs, List<RenderJob.Input> baseline) {
        Metric m = metric();
        return new RenderJob(inputs, baseline, m, format, output(), title != null ? title : defaultTitle(inputs, baseline, m),
                regex("--include", include), regex("--exclude", exclude), minWidthPercent, annotate, byLine, symbolizerOptions(inputs, baseline));
    }

    /** Kept copies of deleted libraries live in libs/ beside the profiles (see jjf run). */
    private SymbolizerOptions symbolizerOptions(List<RenderJob.Input> inputs, List<RenderJob.Input> baseline) {
        List<Path> libraryDirs = new ArrayList<>();
        List<RenderJob.Input> all = new ArrayList<>(inputs);
        all.addAll(baseline);
        for (RenderJob.Input in : all) {
            Path parent = in.heap().toAbsolutePath().getParent();
            if (parent != null) libraryDirs.add(parent.resolve("libs"));
        }
        return new SymbolizerOptions(symfs, Inputs.distinct(libraryDirs), List.of(SymbolizerOptions.SYSTEM_DEBUG_ROOT),
                noSymbolCache ? null : symbolCache(System.getenv()));
    }

    /** Where symbol tables are kept between runs, ${XDG_CACHE_HOME:-~/.cache}/jjf/symbols; null when $JJF_SYMBOL_CACHE is 0. */
    static Path symbolCache(Map<String, String> env) {
        if ("0".equals(env.get(SYMBOL_CACHE_ENV))) return null;
        return JemallocLocator.buildCache(env).resolve("symbols");
    }

    private static Pattern regex(String option, String re) {
        if (re == null) return null;
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new BadInputException(null, option + ": invalid regular expression '" + re + "': " + e.getDescription());
        }
    }

    private static String defaultTitle(List<RenderJob.Input> inputs, List<RenderJob.Input> baseline, Metric m) {
        String what = switch (m) {
            case INUSE_SPACE -> "Native memory in use";
            case INUSE_OBJECTS -> "Native allocations in use";
            case ALLOC_SPACE -> "Native memory allocated";
            case ALLOC_OBJECTS -> "Native allocations";
        };
        String files = names(inputs);
        return baseline.isEmpty() ? what + " — " + files : what + ", change from " + names(baseline) + " to " + files;
    }

    private static String names(List<RenderJob.Input> inputs) {
        return inputs.get(0).heap().getFileName() + (inputs.size() > 1 ? " (+" + (inputs.size() - 1) + " more)" : "");
    }
}
