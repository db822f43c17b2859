package dev.jjf.launch;

import dev.jjf.io.AtomicFile;
import dev.jjf.io.MapsLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps copies of the shared libraries a profiled process tree maps from temporary places.
 * JNI libraries are often extracted to a temp file, loaded and deleted; after the process exits
 * nothing could symbolize them. While the processes run, /proc/PID/map_files still reaches the
 * mapped file even when it is deleted, so we copy it into {@code libs/} next to the profiles,
 * where render looks for deleted libraries.
 */
public final class LibraryKeeper implements AutoCloseable {
    /** Folder inside the output directory that holds the copies. */
    public static final String LIBS_DIR = "libs";
    private static final long POLL_MILLIS = 100;
    private static final String DELETED = " (deleted)";

    private final long rootPid;
    private final Path libsDir;
    private final List<String> tempDirs;
    private final Consumer<String> log;
    private final Set<String> kept = new HashSet<>();
    private final Set<Long> seenPids = new LinkedHashSet<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jjf-library-keeper");
        t.setDaemon(true);
        return t;
    });

    public LibraryKeeper(long rootPid, Path outDir, List<Path> tempDirs, Consumer<String> log) {
        this.rootPid = rootPid;
        this.libsDir = outDir.resolve(LIBS_DIR);
        this.tempDirs = tempDirs.stream().map(p -> p.toAbsolutePath().normalize() + "/").toList();
        this.log = log;
    }

    /** Starts polling the process tree in the background. */
    public void start() {
        timer.scheduleWithFixedDelay(this::pollQuietly, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Processes of the tree seen so far, in the order they were first seen. */
    public synchronized List<Long> seenPids() {
        return new ArrayList<>(seenPids);
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (IOException | RuntimeException e) {
            // A process may exit between listing and reading; the next poll sees the new state.
        }
    }

    synchronized void poll() throws IOException {
        for (long pid : processTree()) {
            seenPids.add(pid);
            Path maps = Path.of("/proc", Long.toString(pid), "maps");
            List<String> lines;
            try {
                lines = Files.readAllLines(maps, StandardCharsets.UTF_8);
            } catch (IOException e) {
                continue;
            }
            for (String line : lines) keepIfTemporary(pid, line);
        }
    }

    private void keepIfTemporary(long pid, String mapsLine) {
        MapsLine m = MapsLine.parse(mapsLine);
        if (m == null || !m.executable()) return;
        String path = m.path();
        if (!path.startsWith("/")) return;
        boolean deleted = path.endsWith(DELETED);
        String file = deleted ? path.substring(0, path.length() - DELETED.length()) : path;
        if (!deleted && tempDirs.stream().noneMatch(file::startsWith)) return;
        String name = file.substring(file.lastIndexOf('/') + 1);
        if (kept.contains(name)) return;
        Path source = Path.of("/proc", Long.toString(pid), "map_files", Long.toHexString(m.start()) + "-" + Long.toHexString(m.end()));
        Path target = libsDir.resolve(name);
        kept.add(name);
        // The load-time auditor (LoadAuditor) copied it as it was loaded: nothing left to do.
        if (Files.exists(target)) return;
        try {
            AtomicFile.copy(source, target, AtomicFile.READABLE);
            log.accept("kept a copy of " + file + " (mapped by pid " + pid + ") as " + target);
        } catch (IOException e) {
            log.accept("could not keep a copy of " + file + ": " + e.getMessage());
        }
    }

    /** The root process and all its descendants, from the parent pids in /proc/PID/stat. */
    private List<Long> processTree() throws IOException {
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                long ppid = parentPid(p);
                if (ppid > 0) children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(Long.parseLong(p.getFileName().toString()));
            }
        }
        List<Long> tree = new ArrayList<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(rootPid));
        while (!todo.isEmpty()) {
            long pid = todo.poll();
            tree.add(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return tree;
    }

    /** Field 4 of /proc/PID/stat; the command name before it may contain spaces and parentheses. */
    private static long parentPid(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return Long.parseLong(rest[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Stops polling. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
