package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.model.Profile;
import dev.jjf.model.ProfileSymbolizer;
import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.HeapProfileParser;
import dev.jjf.profile.Mapping;
import dev.jjf.profile.Metric;
import dev.jjf.profile.ProfileFiles;
import dev.jjf.profile.ProfileStream;
import dev.jjf.render.FoldedWriter;
import dev.jjf.render.JsonWriter;
import dev.jjf.render.OutputFile;
import dev.jjf.render.PprofWriter;
import dev.jjf.render.TextWriter;
import dev.jjf.render.SvgOptions;
import dev.jjf.render.SvgRenderer;
import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.StackFolder;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.PerfMapOrigin;
import dev.jjf.symbols.ProcessIdentity;
import dev.jjf.symbols.ProcessRecord;
import dev.jjf.symbols.Symbolizer;
import dev.jjf.symbols.SymbolizerOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One rendering: profiles (each with its process's perf map) in, one output file out. Calls the
 * stages in order: parse, symbolize (into a {@link Profile}), fold, render. With a baseline, the graph is differential:
 * widths follow the inputs, colours the change since the baseline.
 */
record RenderJob(List<Input> inputs, List<Input> baseline, Metric metric, OutputFormat format, Path output, String title,
                 Pattern include, Pattern exclude, double minWidthPercent, boolean annotate, boolean byLine,
                 SymbolizerOptions symbols) {

    /** Frames narrower than this percentage of the total are not drawn. */
    static final double DEFAULT_MIN_WIDTH_PERCENT = SvgOptions.DEFAULT_MIN_WIDTH_PERCENT;

    /** The output "-": standard output. */
    static final Path STDOUT = Path.of("-");
    /** Rows of --format text. */
    static final int TEXT_ROWS = 40;

    /**
     * A heap profile and the perf map of the process that wrote it.
     *
     * @param process the process that wrote it, when the caller knows it (a snapshot's live JVM)
     */
    record Input(Path heap, Optional<Path> perfMap, Optional<ProcessIdentity> process) {
        Input(Path heap, Optional<Path> perfMap) {
            this(heap, perfMap, Optional.empty());
        }
    }

    /** What was rendered, for the summary line. */
    record Result(CallTree tree, int stacks) {
    }

    Result run(PrintWriter out, PrintWriter err) throws IOException {
        if (format == OutputFormat.pprof && isStdout()) throw new BadInputException(null, "pprof output is binary: give a file with -o");
        Symbolizer symbolizer = new Symbolizer(symbols, w -> err.println("jjf: warning: " + w));
        ProfileSymbolizer named = new ProfileSymbolizer(metrics());
        int stacks = 0;
        for (Input in : inputs) {
            // Stacks are parsed on a second thread while this one merges and names them; a file
            // whose end holds no memory map takes the plain path, which says what is wrong.
            Optional<ProfileStream> stream = ProfileStream.open(in.heap());
            if (stream.isPresent()) {
                try (ProfileStream s = stream.get()) {
                    Known known = known(in);
                    PerfMap perfMap = perfMap(in, known, s.mappings(), err);
                    stacks += (int) named.add(s, symbolizer.forProcess(s.mappings(), perfMap, known.record().buildIds()), false);
                }
            } else {
                HeapProfile profile = HeapProfileParser.parse(in.heap());
                Known known = known(in);
                named.add(profile, symbolizer.forProcess(profile.mappings(), perfMap(in, known, profile.mappings(), err),
                        known.record().buildIds()), false);
                stacks += profile.samples().size();
            }
        }
        for (Input in : baseline) {
            HeapProfile profile = HeapProfileParser.parse(in.heap());
            Known known = known(in);
            named.add(profile, symbolizer.forProcess(profile.mappings(), perfMap(in, known, profile.mappings(), err),
                    known.record().buildIds()), true);
        }
        Profile profile = named.profile();
        describeSources(profile);
        StackFolder folder = new StackFolder(metric, include, exclude, byLine);
        folder.add(profile);
        CallTree tree = folder.tree();
        refuseMissingTotals(tree, stacks);
        if (format == OutputFormat.pprof) {
            OutputFile.writeBinary(output, stream -> new PprofWriter().write(profile, stream));
        } else if (isStdout()) {
            write(tree, out);
            out.flush();
        } else {
            OutputFile.write(output, w -> write(tree, w));
        }
        return new Result(tree, stacks);
    }

    /** True when the output goes to standard output. */
    boolean isStdout() {
        return STDOUT.equals(output);
    }

    private void write(CallTree tree, Writer out) throws IOException {
        switch (format) {
            case svg -> new SvgRenderer(new SvgOptions(title, minWidthPercent, SvgOptions.DEFAULT_WIDTH_PX)).write(tree, out);
            case folded -> new FoldedWriter(annotate).write(tree, out);
            case json -> new JsonWriter().write(tree, out);
            case text -> new TextWriter(TEXT_ROWS).write(tree, out);
            case pprof -> throw new IllegalStateException("pprof is written from the profile");
        }
    }

    /** The sample types kept: the one drawn, or for pprof all four (the writer leaves out alloc_* when the profiles have none). */
    private List<Metric> metrics() {
        if (format != OutputFormat.pprof) return List.of(metric);
        List<Metric> all = new ArrayList<>(List.of(metric));
        for (Metric m : PPROF_METRICS) {
            if (m != metric) all.add(m);
        }
        return all;
    }

    private static final List<Metric> PPROF_METRICS = List.of(Metric.INUSE_SPACE, Metric.INUSE_OBJECTS, Metric.ALLOC_SPACE, Metric.ALLOC_OBJECTS);

    /** pprof shows comments with -comments: which files the profile was made from. */
    private void describeSources(Profile profile) {
        for (Input in : inputs) profile.addComment("jjf: heap profile " + in.heap() + in.perfMap().map(p -> ", perf map " + p).orElse(""));
        for (Input in : baseline) profile.addComment("jjf: baseline " + in.heap() + in.perfMap().map(p -> ", perf map " + p).orElse(""));
    }

    /**
     * jemalloc writes allocation totals only with prof_accum:true; without them every stack's total is
     * 0 and the graph would be silently empty.
     */
    private void refuseMissingTotals(CallTree tree, int stacks) {
        boolean totals = metric == Metric.ALLOC_SPACE || metric == Metric.ALLOC_OBJECTS;
        if (!totals || stacks == 0 || tree.total() > 0) return;
        throw new BadInputException(inputs.get(0).heap(), "no allocation totals in this profile (jemalloc's prof_accum was off),"
                + " so --metric " + metric.id() + " has nothing to draw; record them with MALLOC_CONF=prof_accum:true jjf run ..."
                + " (see docs/runtime.md), or use --metric inuse-space");
    }

    /** What is known about the process behind a profile: its pid and kind of dump from the name, jjf run's record. */
    private record Known(long pid, boolean finalDump, ProcessRecord record, Optional<ProcessIdentity> process) {
    }

    private static Known known(Input in) throws IOException {
        Optional<ProfileFiles.DumpFile> name = ProfileFiles.parseName(in.heap(), FileTime.fromMillis(0));
        long pid = name.map(ProfileFiles.DumpFile::pid).orElse(-1L);
        Path dir = in.heap().toAbsolutePath().getParent();
        ProcessRecord record = pid < 0 || dir == null ? ProcessRecord.none() : ProcessRecord.in(dir, pid).orElse(ProcessRecord.none());
        Optional<ProcessIdentity> process = in.process().isPresent() ? in.process() : record.identity();
        return new Known(pid, name.map(ProfileFiles.DumpFile::isFinal).orElse(true), record, process);
    }

    private static PerfMap perfMap(Input in, Known known, List<Mapping> mappings, PrintWriter err) throws IOException {
        if (in.perfMap().isEmpty()) return PerfMap.empty();
        Path map = in.perfMap().get();
        // Reading a directory fails with a message that names no file.
        if (!Files.isRegularFile(map)) throw new BadInputException(map, Files.exists(map) ? "not a regular file" : "no such file");
        Optional<String> stale = PerfMapOrigin.whyStale(map, known.pid(), known.process(), mappings,
                Files.getLastModifiedTime(in.heap()).toMillis(), known.finalDump());
        if (stale.isPresent()) {
            err.println("jjf: warning: ignored " + map + ": " + stale.get() + "; Java frames stay unnamed");
            return PerfMap.empty();
        }
        return PerfMap.read(map, w -> err.println("jjf: warning: " + w));
    }
}
