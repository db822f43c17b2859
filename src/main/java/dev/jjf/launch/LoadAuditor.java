package dev.jjf.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * jjf's LD_AUDIT library (native/audit/jjfaudit.c), shipped inside jjf.jar. In every process of a
 * profiled run, as the loader maps each ELF file, it records the file's GNU build id in
 * {@code DIR/build-ids.PID} and copies files loaded from temporary directories into {@code DIR/libs/}:
 * as the user, before the program can delete them.
 */
public final class LoadAuditor {
    static final String LIBRARY = "libjjfaudit.so";
    static final String RESOURCE = "native/linux-x86_64/" + LIBRARY;

    /**
     * An audit library takes the loader's spare static TLS (512 bytes by default) for its own libc,
     * and the preloaded jemalloc's initial-exec TLS then no longer fits ("cannot allocate memory in
     * static TLS block"; measured: 1536 bytes suffice for Debian's jemalloc and jjf's build). Each
     * thread's TLS block grows by the difference.
     */
    static final String STATIC_TLS_TUNABLE = "glibc.rtld.optional_static_tls";
    static final int STATIC_TLS_BYTES = 4096;

    private final Path library;

    LoadAuditor(Path library) {
        this.library = library;
    }

    /** Extracts the library next to the perf-map agent (see {@link PerfMapAgent#extract}). */
    public static LoadAuditor extract(Map<String, String> env, Path fallbackDir) throws IOException {
        return new LoadAuditor(PerfMapAgent.extractLibrary(RESOURCE, LIBRARY, env, fallbackDir));
    }

    /** The extracted shared library. */
    public Path library() {
        return library;
    }

    /**
     * The variables that switch it on for every process started with them; an LD_AUDIT the user had
     * is kept after ours.
     *
     * @param tempDirs files loaded from under these are copied
     */
    public Map<String, String> variables(Path outDir, List<Path> tempDirs, Map<String, String> inherited) throws IOException {
        String lib = library.toAbsolutePath().toString();
        // ld.so splits LD_AUDIT at colons (and, like LD_PRELOAD, cannot take blanks).
        if (lib.contains(":") || lib.chars().anyMatch(Character::isWhitespace)) {
            throw new IOException("LD_AUDIT cannot name a path with colons or blanks: " + lib);
        }
        Map<String, String> env = new LinkedHashMap<>();
        String theirs = inherited.get("LD_AUDIT");
        env.put("LD_AUDIT", theirs == null || theirs.isBlank() ? lib : lib + ":" + theirs);
        String tunables = inherited.get("GLIBC_TUNABLES");
        if (tunables == null || tunables.isBlank()) env.put("GLIBC_TUNABLES", STATIC_TLS_TUNABLE + "=" + STATIC_TLS_BYTES);
        else if (!tunables.contains(STATIC_TLS_TUNABLE + "=")) env.put("GLIBC_TUNABLES", tunables + ":" + STATIC_TLS_TUNABLE + "=" + STATIC_TLS_BYTES);
        env.put("JJF_AUDIT_DIR", outDir.toAbsolutePath().toString());
        env.put("JJF_AUDIT_TEMP_DIRS", tempDirs.stream().map(p -> p.toAbsolutePath().normalize().toString())
                .distinct().collect(Collectors.joining(":")));
        return env;
    }
}
