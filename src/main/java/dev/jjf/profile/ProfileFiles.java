package dev.jjf.profile;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds jemalloc dumps and perf maps on disk. Dumps are named
 * {@code <prefix>.<pid>.<seq>.<kind><iseq>.heap} (one more number after the prefix in a pid
 * namespace); kind {@code f} is the final dump (it has no iseq: {@code jeprof.42.0.f.heap}), {@code i} interval, {@code m} manual,
 * {@code u} growth.
 */
public final class ProfileFiles {
    private static final Pattern NAME = Pattern.compile("(.+)\\.(\\d+)\\.(\\d+)\\.([fimu])(\\d*)\\.heap");

    private ProfileFiles() {
    }

    /** A dump file and what its name says. */
    public record DumpFile(Path path, String prefix, long pid, long seq, char kind, long kindSeq, FileTime modified) {
        /** True for the dump jemalloc writes at exit. */
        public boolean isFinal() {
            return kind == 'f';
        }
    }

    /** Reads a dump's name; empty when the name is not jemalloc's pattern. */
    public static Optional<DumpFile> parseName(Path path, FileTime modified) {
        Matcher m = NAME.matcher(path.getFileName().toString());
        if (!m.matches()) return Optional.empty();
        try {
            return Optional.of(new DumpFile(path, m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    m.group(4).charAt(0), m.group(5).isEmpty() ? 0 : Long.parseLong(m.group(5)), modified));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The dumps in a directory that are safe to read: regular files owned by the current user.
     * Others (symlinks, files planted by another user in a shared /tmp) are reported and skipped.
     */
    public static List<DumpFile> dumps(Path dir, Consumer<String> skipped) throws IOException {
        List<DumpFile> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.heap")) {
            for (Path p : files) {
                Optional<DumpFile> d = parseName(p, FileTime.fromMillis(0));
                if (d.isEmpty()) continue;
                String why = unsafeReason(p);
                if (why != null) {
                    skipped.accept("skipped " + p + ": " + why);
                    continue;
                }
                FileTime mtime = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
                out.add(parseName(p, mtime).orElseThrow());
            }
        }
        return out;
    }

    /** Why a file in a possibly shared directory must not be read, or null when it may be. */
    public static String unsafeReason(Path p) throws IOException {
        return unsafeReason(p, null);
    }

    /**
     * Like {@link #unsafeReason(Path)}, also trusting {@code processUser} (when not null): the user
     * the profiled process ran as, who wrote its profile and perf map.
     */
    public static String unsafeReason(Path p, UserPrincipal processUser) throws IOException {
        if (Files.isSymbolicLink(p)) return "it is a symbolic link";
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return "not a regular file";
        UserPrincipal owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS);
        String me = System.getProperty("user.name");
        if (owner.getName().equals(me) || owner.equals(processUser)) return null;
        boolean other = processUser != null && !processUser.getName().equals(me);
        return "owned by " + owner.getName() + ", not by " + me
                + (other ? " or " + processUser.getName() + " (who owns the profile)" : "");
    }

    /** The perf map of a process: {@code perf-<pid>.map} in the first directory that has a safe one. */
    public static Optional<Path> perfMap(long pid, List<Path> dirs, Consumer<String> skipped) throws IOException {
        return perfMap(pid, dirs, null, skipped);
    }

    /** Like {@link #perfMap(long, List, Consumer)}, also taking maps owned by {@code processUser}. */
    public static Optional<Path> perfMap(long pid, List<Path> dirs, UserPrincipal processUser, Consumer<String> skipped)
            throws IOException {
        for (Path dir : dirs) {
            // jjf's agent writes jjf-perf-PID.map by default (the JDK rewrites perf-PID.map); it has the inlining.
            for (String name : List.of("jjf-perf-" + pid + ".map", "perf-" + pid + ".map")) {
                Path p = dir.resolve(name);
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
                String why = unsafeReason(p, processUser);
                if (why == null) return Optional.of(p);
                skipped.accept("skipped " + p + ": " + why);
            }
        }
        return Optional.empty();
    }

    /** One process's dumps, with its perf map when one exists. */
    public record ProcessDumps(String prefix, long pid, List<DumpFile> dumps, Optional<Path> perfMap) {
        /** The final dump when there is one, else the newest. */
        public DumpFile best() {
            Comparator<DumpFile> order = Comparator.comparing(DumpFile::isFinal)
                    .thenComparingLong(DumpFile::seq)
                    .thenComparing(DumpFile::modified);
            return dumps.stream().max(order).orElseThrow();
        }

        FileTime newest() {
            return dumps.stream().map(DumpFile::modified).max(Comparator.naturalOrder()).orElseThrow();
        }

        /** True when the process wrote a perf map, which only JVMs do. */
        public boolean isJvm() {
            return perfMap.isPresent();
        }
    }

    /** Groups dumps by process, each with its perf map looked up in {@code perfMapDirs}. */
    public static List<ProcessDumps> byProcess(List<DumpFile> dumps, List<Path> perfMapDirs, Consumer<String> skipped)
            throws IOException {
        Map<String, List<DumpFile>> groups = new LinkedHashMap<>();
        for (DumpFile d : dumps) groups.computeIfAbsent(d.prefix() + "\0" + d.pid(), k -> new ArrayList<>()).add(d);
        List<ProcessDumps> out = new ArrayList<>();
        for (List<DumpFile> g : groups.values()) {
            DumpFile first = g.get(0);
            out.add(new ProcessDumps(first.prefix(), first.pid(), List.copyOf(g), perfMap(first.pid(), perfMapDirs, skipped)));
        }
        return out;
    }

    /**
     * The process {@code --latest} means: the newest one that wrote a perf map (a JVM), so a
     * shell or {@code uname} started by the same command does not win; else the newest.
     */
    public static Optional<ProcessDumps> latest(List<ProcessDumps> processes) {
        Comparator<ProcessDumps> newest = Comparator.comparing(ProcessDumps::newest);
        Optional<ProcessDumps> jvm = processes.stream().filter(ProcessDumps::isJvm).max(newest);
        return jvm.isPresent() ? jvm : processes.stream().max(newest);
    }
}
