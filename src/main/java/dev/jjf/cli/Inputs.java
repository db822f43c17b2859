package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.profile.ProfileFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Turns what the user named (heap files, directories of a run, --latest) into profiles paired
 * with their perf maps. Perf maps are looked for beside the profile, then in the given dirs.
 */
final class Inputs {
    private final Path explicitPerfMap;
    private final List<Path> perfMapDirs;
    private final Consumer<String> log;

    Inputs(Path explicitPerfMap, List<Path> perfMapDirs, Consumer<String> log) {
        this.explicitPerfMap = explicitPerfMap;
        this.perfMapDirs = perfMapDirs;
        this.log = log;
    }

    /** --dir first, then the system temp dir, where JVMs write /tmp/perf-PID.map. */
    static List<Path> perfMapDirs(Path dir) {
        List<Path> dirs = new ArrayList<>();
        if (dir != null) dirs.add(dir);
        dirs.add(Path.of(System.getProperty("java.io.tmpdir")));
        dirs.add(Path.of("/tmp"));
        return distinct(dirs);
    }

    static List<Path> distinct(List<Path> paths) {
        LinkedHashSet<Path> set = new LinkedHashSet<>();
        for (Path p : paths) set.add(p.toAbsolutePath().normalize());
        return List.copyOf(set);
    }

    /** A heap file, or a directory (from jjf run) whose newest JVM's best dump is taken. */
    RenderJob.Input fileOrDirectory(Path path) throws IOException {
        if (Files.isDirectory(path)) return latest(path, null);
        return file(path);
    }

    RenderJob.Input file(Path heap) throws IOException {
        if (!Files.isRegularFile(heap)) throw new BadInputException(heap, Files.exists(heap) ? "not a regular file" : "no such file");
        if (explicitPerfMap != null) return new RenderJob.Input(heap, Optional.of(explicitPerfMap));
        Optional<ProfileFiles.DumpFile> name = ProfileFiles.parseName(heap, null);
        if (name.isEmpty()) return new RenderJob.Input(heap, Optional.empty());
        List<Path> dirs = new ArrayList<>();
        Path parent = heap.toAbsolutePath().getParent();
        if (parent != null) dirs.add(parent);
        dirs.addAll(perfMapDirs);
        // The profile was named explicitly, so its owner (the profiled process's user) is trusted for its perf map.
        return new RenderJob.Input(heap, ProfileFiles.perfMap(name.get().pid(), distinct(dirs), Files.getOwner(heap), log));
    }

    /** What --latest means in {@code dir}: see {@link ProfileFiles#latest}. */
    RenderJob.Input latest(Path dir, Long pid) throws IOException {
        Optional<Path> heapDump = pid == null ? HeapDumps.newest(dir, log) : Optional.empty();
        ProfileFiles.ProcessDumps chosen;
        try {
            chosen = process(dir, pid);
        } catch (BadInputException e) {
            if (heapDump.isPresent()) return new RenderJob.Input(heapDump.get(), Optional.empty());
            throw e;
        }
        return best(chosen, heapDump);
    }

    /**
     * --latest without --dir: the newest profile in the temp dir (jemalloc's default) and in every
     * run directory under {@code runs} (jjf run's default output, ./jjf-out/TIMESTAMP).
     */
    RenderJob.Input latestAnywhere(Path tempDir, Path runs, Long pid) throws IOException {
        List<Path> places = new ArrayList<>();
        places.add(tempDir);
        places.addAll(runDirectories(runs));
        List<ProfileFiles.ProcessDumps> processes = new ArrayList<>();
        Optional<Path> heapDump = Optional.empty();
        for (Path dir : places) {
            processes.addAll(processes(dir, pid));
            // A heap dump has no pid in its name: it competes only when no pid was asked for.
            if (pid == null) heapDump = newer(heapDump, HeapDumps.newest(dir, log));
        }
        String where = tempDir + " and " + runs + "/*" + " (" + (places.size() - 1) + " run director"
                + (places.size() == 2 ? "y" : "ies") + ")";
        Optional<ProfileFiles.ProcessDumps> chosen = ProfileFiles.latest(processes);
        if (chosen.isEmpty() && heapDump.isPresent()) return new RenderJob.Input(heapDump.get(), Optional.empty());
        return best(chosen.orElseThrow(() -> new BadInputException(null,
                "no jemalloc heap profile (*.heap) or heap dump (*.hprof)" + (pid != null ? " of pid " + pid : "") + " in " + where
                        + "; pass --dir DIR or the files")), heapDump);
    }

    private static Optional<Path> newer(Optional<Path> a, Optional<Path> b) throws IOException {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        return Files.getLastModifiedTime(b.get()).compareTo(Files.getLastModifiedTime(a.get())) > 0 ? b : a;
    }

    /** The directories right under {@code runs}, oldest name first; none when it does not exist. */
    static List<Path> runDirectories(Path runs) throws IOException {
        if (!Files.isDirectory(runs, LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> list = Files.list(runs)) {
            return list.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    private RenderJob.Input best(ProfileFiles.ProcessDumps chosen, Optional<Path> heapDump) throws IOException {
        ProfileFiles.DumpFile best = chosen.best();
        if (heapDump.isPresent() && Files.getLastModifiedTime(heapDump.get()).compareTo(Files.getLastModifiedTime(best.path())) > 0) {
            return new RenderJob.Input(heapDump.get(), Optional.empty());
        }
        if (!best.isFinal()) {
            log.accept("no final dump for pid " + chosen.pid() + "; using the newest one, " + best.path().getFileName());
        }
        return new RenderJob.Input(best.path(), perfMapOf(chosen));
    }

    /** The first and the last dump of the chosen process, for diffing interval dumps. */
    List<RenderJob.Input> firstAndLast(Path dir, Long pid) throws IOException {
        ProfileFiles.ProcessDumps chosen = process(dir, pid);
        List<ProfileFiles.DumpFile> dumps = new ArrayList<>(chosen.dumps());
        // Interval dumps come before the final one; within a kind, by sequence number.
        dumps.sort(Comparator.comparing(ProfileFiles.DumpFile::isFinal).thenComparingLong(ProfileFiles.DumpFile::seq));
        if (dumps.size() < 2) {
            throw new BadInputException(dir, "pid " + chosen.pid() + " has only one dump here; diffing needs two"
                    + " (run with --interval, or give BASE and NEW)");
        }
        Optional<Path> map = perfMapOf(chosen);
        return List.of(new RenderJob.Input(dumps.get(0).path(), map), new RenderJob.Input(dumps.get(dumps.size() - 1).path(), map));
    }

    private ProfileFiles.ProcessDumps process(Path dir, Long pid) throws IOException {
        if (!Files.isDirectory(dir)) throw new BadInputException(dir, "not a directory");
        return ProfileFiles.latest(processes(dir, pid)).orElseThrow(() -> new BadInputException(dir,
                "no jemalloc heap profile (*.heap)" + (pid != null ? " of pid " + pid : "") + " here"));
    }

    /** The processes that left dumps in {@code dir}, each with its perf map (beside the dumps, or in the usual places). */
    private List<ProfileFiles.ProcessDumps> processes(Path dir, Long pid) throws IOException {
        List<ProfileFiles.DumpFile> dumps = ProfileFiles.dumps(dir, log);
        if (pid != null) dumps = dumps.stream().filter(d -> d.pid() == pid).toList();
        List<Path> dirs = new ArrayList<>();
        dirs.add(dir);
        dirs.addAll(perfMapDirs);
        return ProfileFiles.byProcess(dumps, distinct(dirs), log);
    }

    private Optional<Path> perfMapOf(ProfileFiles.ProcessDumps p) {
        return explicitPerfMap != null ? Optional.of(explicitPerfMap) : p.perfMap();
    }
}
