package dev.jjf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jjf diff BASE NEW}: what grew and what shrank between two profiles. */
@Command(name = "diff", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Differential flamegraph: widths follow NEW, red frames grew since BASE, blue ones shrank.",
                "BASE and NEW are heap files or directories from jjf run; with one directory, its first and",
                "last dumps (interval dumps from jjf run --interval) are compared."})
final class DiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BASE", description = "The older profile, or a directory")
    Path base;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NEW", description = "The newer profile, or a directory")
    Path newer;

    @Mixin
    RenderOptions options;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        Path dir = newer == null ? base : null;
        Inputs resolve = new Inputs(options.perfMap, Inputs.perfMapDirs(dir), s -> err.println("jjf: " + s));
        RenderJob.Input before;
        RenderJob.Input after;
        if (newer == null) {
            List<RenderJob.Input> pair = resolve.firstAndLast(base, null);
            before = pair.get(0);
            after = pair.get(1);
        } else {
            before = resolve.fileOrDirectory(base);
            after = resolve.fileOrDirectory(newer);
        }
        return RenderCommand.write(options.job(List.of(after), List.of(before)), err);
    }
}
