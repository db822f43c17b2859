package dev.jjf.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * JEP 451: from JDK 21 a JVM warns when an agent is loaded into it while it runs (jjf snapshot does
 * that), and a later JDK refuses unless it was started with {@link #FLAG}. The flag is only given to
 * JVMs that know it: an older one refuses to start on an unknown -XX option.
 */
public final class DynamicAgentLoading {
    /** Lets agents be loaded into the running JVM without a warning. */
    public static final String FLAG = "-XX:+EnableDynamicAgentLoading";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    private DynamicAgentLoading() {
    }

    /**
     * {@link #knownBy(String)}, remembered in {@code ${XDG_CACHE_HOME:-~/.cache}/jjf/jvm-flags/} per java
     * binary (real path, size and modification time): the probe costs a JVM start, 0.3-0.4 s here.
     */
    public static boolean knownBy(String java, Map<String, String> env) {
        Path binary;
        try {
            binary = resolve(java, env).toRealPath();
        } catch (IOException e) {
            return knownBy(java);
        }
        Path cache;
        try {
            String key = binary + "\0" + Files.size(binary) + "\0" + Files.getLastModifiedTime(binary).toMillis();
            cache = JemallocLocator.buildCache(env).resolve("jvm-flags")
                    .resolve(PerfMapAgent.sha256(key.getBytes(StandardCharsets.UTF_8)).substring(0, 16));
            if (Files.isRegularFile(cache)) return Files.readString(cache, StandardCharsets.US_ASCII).strip().equals("true");
        } catch (IOException e) {
            return knownBy(java);
        }
        boolean known = knownBy(binary.toString());
        try {
            PerfMapAgent.install(Boolean.toString(known).getBytes(StandardCharsets.US_ASCII), cache);
        } catch (IOException e) {
            // an unwritable cache only means probing again next time
        }
        return known;
    }

    /** A command name as the shell would find it on $PATH; a path as it is. */
    private static Path resolve(String java, Map<String, String> env) throws IOException {
        if (java.contains("/")) return Path.of(java);
        for (String dir : env.getOrDefault("PATH", "").split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, java);
            if (Files.isExecutable(candidate)) return candidate;
        }
        throw new IOException(java + " is not on the PATH");
    }

    /** Whether {@code java} starts with the flag (JDK 21+, and the updates of older JDKs that have it). */
    public static boolean knownBy(String java) {
        try {
            Map<String, String> clean = new HashMap<>(); // the user's own options must not decide this
            clean.put("JAVA_TOOL_OPTIONS", null);
            clean.put("JDK_JAVA_OPTIONS", null);
            return ProbeProcess.run(List.of(java, FLAG, "-version"), clean, PROBE_TIMEOUT).exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The java a command most likely runs: the command itself when it is a java launcher, else
     * $JAVA_HOME/bin/java (what build tools and start scripts use), else java on the PATH.
     */
    public static String javaOf(List<String> command, Map<String, String> env) {
        String first = command.isEmpty() ? "" : command.get(0);
        if (Path.of(first).getFileName() != null && Path.of(first).getFileName().toString().equals("java")) return first;
        String home = env.get("JAVA_HOME");
        if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", "java"))) return Path.of(home, "bin", "java").toString();
        return "java";
    }
}
