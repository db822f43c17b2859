package dev.jjf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code jjf diff BASE NEW}: what grew and what shrank between two profiles. */
final class DiffCommand implements Command {
    Path base;
    Path newer;
    final RenderOptions options = new RenderOptions();

    @Override
    public CommandSpec spec() {
        CommandSpec.Builder b = CommandSpec.builder("diff",
                        "Differential flamegraph: widths follow NEW, red frames grew since BASE, blue ones shrank.",
                        "BASE and NEW are heap files or directories from jjf run; with one directory, its first and",
                        "last dumps (interval dumps from jjf run --interval) are compared.")
                .parameter("BASE", 1, 1, "The older profile, or a directory")
                .parameter("NEW", 0, 1, "The newer profile, or a directory");
        options.declare(b);
        return b.build();
    }

    @Override
    public void set(String key, String value) {
        switch (key) {
            case "BASE" -> base = Values.toPath(value);
            case "NEW" -> newer = Values.toPath(value);
            default -> options.set(key, value);
        }
    }

    @Override
    public int call(PrintWriter out, PrintWriter err) throws IOException {
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
        if (HeapRender.isHeapDump(List.of(after), List.of(before))) return HeapRender.write(options, List.of(after), List.of(before), err);
        return RenderCommand.write(options.job(List.of(after), List.of(before)), err);
    }
}
