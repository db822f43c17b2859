package dev.jjf.launch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The environment that makes every process a command starts profile itself: jemalloc preloaded
 * with heap profiling on, and every JVM told (through JAVA_TOOL_OPTIONS, which all launchers
 * honour) to keep frame pointers and write a perf map.
 */
public record ProfilingEnvironment(Path jemalloc, Path outDir, int lgSample, OptionalLong intervalBytes,
                                   List<String> jvmFlags, boolean profActive) {
    /** jemalloc's default: one sample per 512 KiB allocated on average. */
    public static final int DEFAULT_LG_SAMPLE = 19;
    /** Dump file prefix inside the output directory. */
    public static final String PROFILE_PREFIX = "jeprof";
    /** Frame pointers let libunwind walk JIT frames; DebugNonSafepoints gives precise inline info. */
    public static final List<String> JDK_PERF_MAP_FLAGS = List.of(
            "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints", "-XX:+PreserveFramePointer",
            "-XX:+DumpPerfMapAtExit");

    public ProfilingEnvironment {
        jvmFlags = List.copyOf(jvmFlags);
    }

    /** The variables to set on top of {@code inherited}; values the user had are kept, ours added. */
    public Map<String, String> variables(Map<String, String> inherited) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LD_PRELOAD", join(jemalloc.toString(), inherited.get("LD_PRELOAD"), " "));
        env.put("MALLOC_CONF", join(inherited.get("MALLOC_CONF"), mallocConf(), ","));
        env.put("JAVA_TOOL_OPTIONS", join(inherited.get("JAVA_TOOL_OPTIONS"), String.join(" ", jvmFlags), " "));
        return env;
    }

    /** jemalloc options; an interval of N bytes becomes lg_prof_interval = floor(log2 N). */
    public String mallocConf() {
        StringBuilder sb = new StringBuilder("prof:true,prof_final:true,prof_leak:true");
        if (!profActive) sb.append(",prof_active:false");
        sb.append(",lg_prof_sample:").append(lgSample);
        if (intervalBytes.isPresent()) sb.append(",lg_prof_interval:").append(63 - Long.numberOfLeadingZeros(intervalBytes.getAsLong()));
        sb.append(",prof_prefix:").append(outDir.toAbsolutePath().resolve(PROFILE_PREFIX));
        return sb.toString();
    }

    private static String join(String first, String second, String separator) {
        if (first == null || first.isBlank()) return second == null ? "" : second;
        if (second == null || second.isBlank()) return first;
        return first + separator + second;
    }
}
