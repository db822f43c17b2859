package dev.jjf.launch;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A jemalloc shared library and what it was built with, checked by running it. */
public record JemallocLibrary(Path path, String version, boolean profiling, Unwinder unwinder) {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);
    private static final String STATS_BEGIN = "___ Begin jemalloc statistics ___";
    private static final Pattern VERSION = Pattern.compile("(?m)^Version: \"?([^\"\\s]+)\"?\\s*$");
    private static final Pattern CONFIG = Pattern.compile("(?m)^\\s*config\\.(\\w+): (.*?)\\s*$");
    /** A release's git description, "5.3.0-0-g54eaed1d...", names the release alone. */
    private static final Pattern RELEASE = Pattern.compile("(\\d+\\.\\d+\\.\\d+)-0-g\\p{XDigit}+");
    /** ld.so's complaint names the path again; only its reason in parentheses is new. */
    private static final Pattern LD_SO_ERROR = Pattern.compile("cannot be preloaded \\((.*)\\): ignored");

    /** How jemalloc's heap profiler walks the stack of each sampled allocation. */
    public enum Unwinder {
        /** libunwind: DWARF where there is unwind info, frame pointers where there is none (JIT code). */
        LIBUNWIND,
        /** libgcc's _Unwind_Backtrace: DWARF only, so it stops at the first JIT or interpreter frame. */
        LIBGCC,
        /** gcc's __builtin_return_address: frame pointers only, so it stops in code built without them. */
        GCC,
        /** No profiling support, so no stacks at all. */
        NONE
    }

    /**
     * Loads {@code path} into a tiny process ({@code LD_PRELOAD=path MALLOC_CONF=stats_print:true
     * /bin/true}) and reads the build-time settings from the statistics jemalloc prints at exit.
     *
     * @throws BadInputException when the file is missing, cannot be preloaded, or is not jemalloc
     *     (a jemalloc built with a symbol prefix counts as not jemalloc: it does not replace malloc)
     * @throws IOException when the probe process cannot be run at all
     */
    public static JemallocLibrary inspect(Path path) throws IOException {
        Path file = path.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) throw new BadInputException(path, "no such file");
        String text = file.toString();
        // ld.so splits LD_PRELOAD at spaces and colons; such a path cannot be preloaded as one library.
        if (text.indexOf(' ') >= 0 || text.indexOf(':') >= 0 || text.indexOf('\t') >= 0) {
            throw new BadInputException(path, "cannot be preloaded: LD_PRELOAD cannot express a path with spaces or colons");
        }
        Map<String, String> env = new HashMap<>();
        env.put("LD_PRELOAD", text);
        env.put("MALLOC_CONF", "stats_print:true");
        ProbeProcess.Result probe = ProbeProcess.run(List.of(trueCommand()), env, PROBE_TIMEOUT);
        return parse(path, probe.output());
    }

    /** The library as described by the statistics it printed; {@code path} is only for naming it. */
    static JemallocLibrary parse(Path path, String stats) {
        int begin = stats.indexOf(STATS_BEGIN);
        if (begin < 0) {
            Matcher ldError = LD_SO_ERROR.matcher(stats);
            String why = ldError.find() ? "ld.so cannot preload it: " + ldError.group(1)
                    : "preloading it printed no jemalloc statistics";
            throw new BadInputException(path, "not a jemalloc library (" + why + ")");
        }
        String report = stats.substring(begin);
        Matcher v = VERSION.matcher(report);
        if (!v.find()) throw new BadInputException(path, "jemalloc statistics without a Version line");
        Matcher release = RELEASE.matcher(v.group(1));
        String version = release.matches() ? release.group(1) : v.group(1);

        Map<String, String> config = new HashMap<>();
        for (Matcher m = CONFIG.matcher(report); m.find(); ) config.putIfAbsent(m.group(1), m.group(2));
        if (!config.containsKey("prof")) throw new BadInputException(path, "jemalloc statistics without build-time settings");
        boolean profiling = "true".equals(config.get("prof"));
        return new JemallocLibrary(path.toAbsolutePath().normalize(), version, profiling, unwinder(profiling, config));
    }

    private static Unwinder unwinder(boolean profiling, Map<String, String> config) {
        if (!profiling) return Unwinder.NONE;
        if ("true".equals(config.get("prof_libunwind"))) return Unwinder.LIBUNWIND;
        if ("true".equals(config.get("prof_libgcc"))) return Unwinder.LIBGCC;
        // configure turns profiling off when it finds no backtrace method, so the rest is gcc's.
        return Unwinder.GCC;
    }

    /** The first jemalloc release with {@code experimental.hooks.prof_backtrace}. */
    static final String FIRST_WITH_BACKTRACE_HOOK = "5.3.0";

    /**
     * True when this library can record whole Java stacks, given a JVM run with
     * -XX:+PreserveFramePointer; false means stacks stop at the first Java frame.
     *
     * @param agent whether jjf's perf-map agent runs in the JVM: it installs its own Java-aware
     *     unwinder through jemalloc's backtrace hook
     */
    public boolean wholeJavaStacks(boolean agent) {
        return profiling && (unwinder == Unwinder.LIBUNWIND || (agent && backtraceHook()));
    }

    /**
     * Whether this jemalloc lets a program replace its unwinder ({@code experimental.hooks.prof_backtrace},
     * since 5.3.0); jjf's agent then walks Java frames itself and names interpreted ones.
     */
    public boolean backtraceHook() {
        return profiling && version.matches("\\d+\\.\\d+\\.\\d+.*")
                && JemallocLocator.compareVersions(version.replaceFirst("^(\\d+\\.\\d+\\.\\d+).*", "$1"), FIRST_WITH_BACKTRACE_HOOK) >= 0;
    }

    private static String trueCommand() {
        for (String candidate : List.of("/bin/true", "/usr/bin/true")) {
            if (Files.isExecutable(Path.of(candidate))) return candidate;
        }
        return "true";
    }
}
