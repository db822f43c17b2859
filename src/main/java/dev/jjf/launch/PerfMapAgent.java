package dev.jjf.launch;

import dev.jjf.io.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** jjf's perf-map JVMTI agent, shipped inside jjf.jar: extracted to disk and loaded with -agentpath. */
public final class PerfMapAgent {
    static final String LIBRARY = "libjjfperfmap.so";
    /** Where the Maven build puts the agent, next to this class. */
    static final String RESOURCE = "native/linux-x86_64/" + LIBRARY;
    /** The agent replaces %p with the JVM's pid: the file name render looks for. */
    public static final String MAP_PATTERN = "perf-%p.map";
    /** What the agent prints before each of its messages on stderr. */
    static final String MESSAGE_PREFIX = "jjf-perfmap: ";
    private static final String DUMP_AT_EXIT = "-XX:+DumpPerfMapAtExit";
    private static final long PROBE_TIMEOUT_SECONDS = 60;

    private final Path library;

    PerfMapAgent(Path library) {
        this.library = library;
    }

    /** The extracted shared library. */
    public Path library() {
        return library;
    }

    /**
     * Extracts the agent into the per-user cache (${XDG_CACHE_HOME:-~/.cache}/jjf/agent), else
     * into {@code fallbackDir}; a copy with the same content is reused.
     *
     * @throws IOException with the reason when the agent cannot be used on this machine
     */
    public static PerfMapAgent extract(Map<String, String> env, Path fallbackDir) throws IOException {
        return new PerfMapAgent(extractLibrary(RESOURCE, LIBRARY, env, fallbackDir));
    }

    /** Extracts one of jjf's native libraries (a resource next to this class) as {@link #extract} does. */
    static Path extractLibrary(String resource, String library, Map<String, String> env, Path fallbackDir) throws IOException {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!supported(os, arch)) throw new IOException(library + " is built for Linux x86-64 only, not " + os + " " + arch);
        byte[] bytes;
        try (InputStream in = PerfMapAgent.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("this jjf.jar has no " + resource + " (built without a C compiler?)");
            bytes = in.readAllBytes();
        }
        String version = sha256(bytes).substring(0, 16);
        IOException first = null;
        for (Path dir : List.of(JemallocLocator.buildCache(env).resolve("agent").resolve(version), fallbackDir.resolve(".jjf-agent"))) {
            try {
                return install(bytes, dir.resolve(library));
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        throw new IOException("cannot extract " + library + ": " + first.getMessage(), first);
    }

    static boolean supported(String os, String arch) {
        return os.equals("Linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    /**
     * Puts {@code bytes} at {@code target} through a temp file and a move, so a JVM never maps a
     * half-written library; a file that already holds these bytes is reused as it is.
     */
    public static Path install(byte[] bytes, Path target) throws IOException {
        // The same bytes are already there: another run extracted them.
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length && Arrays.equals(Files.readAllBytes(target), bytes)) {
            return target;
        }
        AtomicFile.write(target, AtomicFile.EXECUTABLE, bytes);
        return target;
    }

    /** Hex SHA-256 of the bytes; names folders after a library's content. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The JVM flags for a profiled run: the JDK's perf-map flags without its own map at exit,
     * plus the agent writing {@code perf-<pid>.map} into {@code outDir}.
     */
    public List<String> jvmFlags(Path outDir) throws IOException {
        List<String> flags = new ArrayList<>(ProfilingEnvironment.JDK_PERF_MAP_FLAGS);
        flags.remove(DUMP_AT_EXIT);
        flags.add(agentFlag(outDir, MAP_PATTERN));
        return List.copyOf(flags);
    }

    /**
     * {@code -agentpath:LIB=file=DIR/NAME}, quoted for JAVA_TOOL_OPTIONS (which splits at blanks).
     *
     * @param namePattern the map's file name, where %p stands for the pid
     */
    String agentFlag(Path mapDir, String namePattern) throws IOException {
        String lib = library.toAbsolutePath().toString();
        // The JVM splits -agentpath at the first '=', the agent splits its options at ','.
        if (lib.contains("=")) throw new IOException("the agent's path may not contain '=': " + lib);
        String map = mapDir.toAbsolutePath().toString().replace("%", "%%") + "/" + namePattern;
        if (map.contains(",")) throw new IOException("the perf map's path may not contain ',': " + map);
        String flag = "-agentpath:" + lib + "=file=" + map;
        if (flag.contains("\"") || flag.contains("'")) throw new IOException("paths with quote characters cannot be passed to the JVM: " + flag);
        return flag.chars().anyMatch(Character::isWhitespace) ? "\"" + flag + "\"" : flag;
    }

    /** Whether the agent loads into a JVM: the result of running it once. */
    public record Probe(boolean loads, String detail) {
    }

    /** Runs {@code java -agentpath:… -version} and checks that it wrote a map and no complaint. */
    public Probe probe(String java, Path tmpDir) {
        String name = "jjf-probe-" + MAP_PATTERN;
        ProbeProcess.Result p;
        try {
            String flag = agentFlag(tmpDir, name);
            // Unquoted: a ProcessBuilder argument is not split at blanks.
            if (flag.startsWith("\"")) flag = flag.substring(1, flag.length() - 1);
            p = ProbeProcess.run(List.of(java, flag, "-version"), Map.of(), Duration.ofSeconds(PROBE_TIMEOUT_SECONDS));
        } catch (IOException e) {
            return new Probe(false, e.getMessage());
        }
        String output = p.output();
        Path map = tmpDir.toAbsolutePath().resolve(name.replace("%p", Long.toString(p.pid())));
        long lines = 0;
        try {
            if (Files.isRegularFile(map)) {
                try (var l = Files.lines(map, StandardCharsets.ISO_8859_1)) {
                    lines = l.count();
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            lines = 0;
        } finally {
            try {
                Files.deleteIfExists(map);
            } catch (IOException ignored) {
                // a probe's map left in the temp dir is harmless
            }
        }
        String complaint = output.lines().filter(l -> l.startsWith(MESSAGE_PREFIX) || l.startsWith("Error"))
                .findFirst().orElse(null);
        if (p.exitCode() != 0 || complaint != null || lines == 0) {
            String why = complaint != null ? complaint
                    : p.exitCode() != 0 ? "exit code " + p.exitCode() + ": " + output.strip().lines().findFirst().orElse("")
                    : "no perf map was written";
            return new Probe(false, why);
        }
        return new Probe(true, lines + " perf-map lines written by " + library);
    }
}
