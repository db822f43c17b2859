package dev.jjf.launch;

import java.io.IOException;
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
