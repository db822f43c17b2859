package dev.jjf.launch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the jemalloc library to preload: explicit choices first, then jjf's own build, then the system's. */
public final class JemallocLocator {
    /** Environment variable naming the library to use. */
    public static final String ENV_VAR = "JJF_JEMALLOC";
    static final String LIBRARY = "libjemalloc.so.2";
    /** Written by scripts/build-jemalloc.sh once a build is complete and verified. */
    static final String BUILD_STAMP = ".jjf-build-complete";
    private static final Pattern BUILD_DIR = Pattern.compile("jemalloc-(.+)-libunwind");
    private static final Duration LDCONFIG_TIMEOUT = Duration.ofSeconds(10);
    // "	libjemalloc.so.2 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
    private static final Pattern LDCONFIG_LINE = Pattern.compile("^\\s*" + Pattern.quote(LIBRARY) + " \\(([^)]*)\\) => (\\S+)\\s*$");

    /** One place that was looked at, and why it was on the list. */
    public record Candidate(Path path, String reason, boolean present) {
        /** "found"/"missing", path, and reason on one line, for a doctor report. */
        public String describe() {
            return (present ? "found    " : "missing  ") + path + "  (" + reason + ")";
        }
    }

    private JemallocLocator() {
    }

    /**
     * The library to preload. An explicit choice ({@code explicit}, else {@code $JJF_JEMALLOC}) is
     * returned even when the file is missing, so the caller reports the mistake instead of quietly
     * profiling with another library.
     *
     * @param explicit the --jemalloc argument, or null
     * @param env the environment to read JJF_JEMALLOC, XDG_CACHE_HOME and HOME from
     */
    public static Optional<Path> locate(Path explicit, Map<String, String> env) {
        Path chosen = explicitChoice(explicit, env);
        if (chosen != null) return Optional.of(chosen);
        for (Candidate c : searched(env, true)) {
            if (c.present()) return Optional.of(c.path());
        }
        return Optional.empty();
    }

    /** Every place in search order, including the missing ones; the first present one is what locate picks. */
    public static List<Candidate> candidates(Path explicit, Map<String, String> env) {
        List<Candidate> all = new ArrayList<>();
        if (explicit != null) all.add(candidate(explicit, "--jemalloc argument"));
        String fromEnv = env.get(ENV_VAR);
        if (fromEnv != null && !fromEnv.isBlank()) all.add(candidate(Path.of(fromEnv), "$" + ENV_VAR));
        all.addAll(searched(env, false));
        return all;
    }

    /** Where scripts/build-jemalloc.sh installs its builds: ${XDG_CACHE_HOME:-$HOME/.cache}/jjf. */
    public static Path buildCache(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "jjf");
        String home = env.get("HOME");
        if (home == null || home.isBlank()) home = System.getProperty("user.home");
        return Path.of(home, ".cache", "jjf");
    }

    private static Path explicitChoice(Path explicit, Map<String, String> env) {
        if (explicit != null) return explicit;
        String fromEnv = env.get(ENV_VAR);
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    private static Candidate candidate(Path path, String reason) {
        return new Candidate(path, reason, Files.isRegularFile(path));
    }

    /** The non-explicit places; with {@code stopAtFirst}, ldconfig only runs when nothing else was found. */
    private static List<Candidate> searched(Map<String, String> env, boolean stopAtFirst) {
        List<Candidate> found = new ArrayList<>(projectBuilds(env));
        Set<Path> seen = new LinkedHashSet<>();
        for (Candidate c : found) seen.add(identity(c.path()));
        for (Path p : systemPaths()) {
            if (seen.add(identity(p))) found.add(candidate(p, "system library"));
        }
        if (stopAtFirst && found.stream().anyMatch(Candidate::present)) return found;
        for (Path p : ldconfigPaths()) {
            if (seen.add(identity(p))) found.add(candidate(p, "ldconfig cache"));
        }
        return found;
    }

    /** With merged /usr, ldconfig's /lib/... is the /usr/lib/... already listed. */
    private static Path identity(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    /** Completed builds of any version, newest first; a directory without the stamp was interrupted. */
    private static List<Candidate> projectBuilds(Map<String, String> env) {
        Path cache = buildCache(env);
        List<Path> dirs = new ArrayList<>();
        if (Files.isDirectory(cache)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(cache, "jemalloc-*-libunwind")) {
                for (Path d : ds) {
                    if (Files.isDirectory(d)) dirs.add(d);
                }
            } catch (IOException e) {
                // An unreadable cache is the same as an empty one: the other candidates still apply.
            }
        }
        List<Candidate> builds = new ArrayList<>();
        if (dirs.isEmpty()) {
            builds.add(new Candidate(cache.resolve("jemalloc-<version>-libunwind/lib/" + LIBRARY),
                    "jjf's libunwind build; make it with scripts/build-jemalloc.sh", false));
            return builds;
        }
        dirs.sort(Comparator.comparing((Path d) -> versionOf(d), JemallocLocator::compareVersions).reversed());
        for (Path d : dirs) {
            Path lib = d.resolve("lib").resolve(LIBRARY);
            boolean complete = Files.isRegularFile(d.resolve(BUILD_STAMP)) && Files.isRegularFile(lib);
            builds.add(new Candidate(lib, complete ? "jjf's libunwind build"
                    : "jjf's libunwind build, incomplete (no " + BUILD_STAMP + "); rerun scripts/build-jemalloc.sh", complete));
        }
        return builds;
    }

    private static String versionOf(Path buildDir) {
        Matcher m = BUILD_DIR.matcher(buildDir.getFileName().toString());
        return m.matches() ? m.group(1) : "";
    }

    /** Numeric where both parts are numbers, so 5.10.0 sorts after 5.3.0. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].matches("\\d{1,9}") && y[i].matches("\\d{1,9}")
                    ? Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]))
                    : x[i].compareTo(y[i]);
            if (c != 0) return c;
        }
        return Integer.compare(x.length, y.length);
    }

    /** Where distributions install it: Debian/Ubuntu multiarch, Fedora/RHEL lib64, Arch/Alpine, source installs. */
    private static List<Path> systemPaths() {
        List<Path> paths = new ArrayList<>();
        String multiarch = multiarchTriplet();
        if (multiarch != null) paths.add(Path.of("/usr/lib", multiarch, LIBRARY));
        paths.add(Path.of("/usr/lib64", LIBRARY));
        paths.add(Path.of("/usr/lib", LIBRARY));
        paths.add(Path.of("/usr/local/lib", LIBRARY));
        return paths;
    }

    private static String multiarchTriplet() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            case "ppc64le" -> "powerpc64le-linux-gnu";
            case "s390x" -> "s390x-linux-gnu";
            case "riscv64" -> "riscv64-linux-gnu";
            default -> null;
        };
    }

    /** Libraries the dynamic linker's cache knows, for this JVM's architecture only. */
    private static List<Path> ldconfigPaths() {
        String ldconfig = null;
        for (String p : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (Files.isExecutable(Path.of(p))) {
                ldconfig = p;
                break;
            }
        }
        if (ldconfig == null) return List.of();
        String output;
        try {
            output = ProbeProcess.run(List.of(ldconfig, "-p"), Map.of(), LDCONFIG_TIMEOUT).output();
        } catch (IOException e) {
            return List.of();
        }
        return parseLdconfig(output, System.getProperty("os.arch"));
    }

    static List<Path> parseLdconfig(String output, String osArch) {
        String archTag = switch (osArch) {
            case "amd64", "x86_64" -> "x86-64";
            case "aarch64", "arm64" -> "AArch64";
            default -> null;
        };
        List<Path> paths = new ArrayList<>();
        for (String line : output.split("\n")) {
            Matcher m = LDCONFIG_LINE.matcher(line);
            if (!m.matches()) continue;
            // The tag names the ABI ("libc6,x86-64"); a 32-bit library cannot be preloaded into a 64-bit JVM.
            if (archTag != null && !m.group(1).contains(archTag)) continue;
            paths.add(Path.of(m.group(2)));
        }
        return paths;
    }
}
