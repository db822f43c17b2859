package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The perf-map agent in real JVMs: loaded by jjf run, at launch with bad input, under -Xcomp,
 * attached later, killed. The test programs are src/test/resources/agent/*.java.
 */
class AgentIT {
    private static final String AGENT_ENTRY = "dev/jjf/launch/native/linux-x86_64/libjjfperfmap.so";
    private static final Pattern LINE = Pattern.compile("([0-9a-f]{1,16}) ([0-9a-f]{1,16}) (\\S.*)");
    /** A Java method of a name and the source position the agent may append: " (pkg/File.java:LINE)". */
    private static final Pattern POSITION = Pattern.compile("(.*?\\))(?: \\(([^()\\s]+):([1-9]\\d*)\\))?");
    private static final String CHURN = "InlinedLeak.churn(long[], int, int)";
    private static final String GRAB = "InlinedLeak.grab(int)";
    /** churn() must stay a compiled method of its own; it would otherwise be inlined into main(). */
    private static final String KEEP_CHURN = "-XX:CompileCommand=dontinline,InlinedLeak::churn";

    @TempDir
    static Path work;
    static Path classes;
    static Path agent;

    @BeforeAll
    static void compileProgramsAndExtractAgent() throws IOException {
        classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-encoding", "UTF-8", "-nowarn", "-d", classes.toString()));
        try (Stream<Path> sources = Files.list(Proc.ROOT.resolve("src/test/resources/agent"))) {
            sources.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, messages, messages, args.toArray(new String[0]));
        assertEquals(0, rc, () -> "javac " + args + "\n" + messages);
        agent = work.resolve("agent/libjjfperfmap.so");
        Files.createDirectories(agent.getParent());
        try (ZipFile jar = new ZipFile(Proc.JAR.toFile())) {
            assertNotNull(jar.getEntry(AGENT_ENTRY), "jjf.jar carries the agent");
            try (InputStream in = jar.getInputStream(jar.getEntry(AGENT_ENTRY))) {
                Files.copy(in, agent, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static Proc java(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Proc.JAVA.toString()));
        cmd.addAll(List.of(args));
        return Proc.run(dir, Map.of(), cmd);
    }

    private static String agentFlag(String options) {
        return "-agentpath:" + agent + "=" + options;
    }

    private static List<Path> maps(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".map")).toList();
        }
    }

    // ---- jjf run: the inlined method shows up as its own frame ----

    static JsonNode runInlinedLeak(Path out, String perfMapMode) throws Exception {
        Proc.jjf(work, "run", "--perf-map", perfMapMode, "--format", "json", "--lg-sample", "12", "--out", out.toString(),
                "--", Proc.JAVA.toString(), KEEP_CHURN, "-cp", classes.toString(), "InlinedLeak").assertOk();
        return new ObjectMapper().readTree(out.resolve("flames.json").toFile());
    }

    /** Every root-to-node path of the tree whose last node is named {@code name}. */
    static void pathsTo(JsonNode node, String name, List<JsonNode> path, List<List<JsonNode>> found) {
        path.add(node);
        if (name.equals(node.path("name").asText())) found.add(List.copyOf(path));
        for (JsonNode c : node.path("children")) pathsTo(c, name, path, found);
        path.remove(path.size() - 1);
    }

    static boolean reachesNativeAllocation(JsonNode node) {
        String kind = node.path("kind").asText();
        if ((kind.equals("jvm") || kind.equals("native")) && node.path("name").asText().contains("malloc")) return true;
        for (JsonNode c : node.path("children")) {
            if (reachesNativeAllocation(c)) return true;
        }
        return false;
    }

    @Test
    void inlinedMethodIsItsOwnFrameBetweenCompiledCallerAndNativeAllocation() throws Exception {
        Path out = work.resolve("run-agent");
        JsonNode root = runInlinedLeak(out, "agent");
        List<List<JsonNode>> paths = new ArrayList<>();
        pathsTo(root, GRAB, new ArrayList<>(), paths);
        long bytes = 0;
        for (List<JsonNode> p : paths) {
            JsonNode grab = p.get(p.size() - 1);
            JsonNode caller = p.get(p.size() - 2);
            if (grab.path("kind").asText().equals("inlined") && caller.path("name").asText().equals(CHURN)
                    && caller.path("kind").asText().equals("java") && reachesNativeAllocation(grab)) {
                bytes += grab.path("value").asLong();
            }
        }
        // The ring keeps 32768 blocks of 128 bytes (4 MiB) allocated by the compiled loop.
        long kept = bytes;
        assertTrue(kept > 2L << 20, diagnostics(out, "inlined grab() under compiled churn() holds " + kept + " bytes"));
    }

    @Test
    void theJdksOwnMapLosesTheInlinedMethod() throws Exception {
        JsonNode root = runInlinedLeak(work.resolve("run-jdk"), "jdk");
        List<List<JsonNode>> paths = new ArrayList<>();
        pathsTo(root, GRAB, new ArrayList<>(), paths);
        for (List<JsonNode> p : paths) {
            assertFalse(p.get(p.size() - 1).path("kind").asText().equals("inlined"), "no inline information without the agent");
        }
        List<List<JsonNode>> churn = new ArrayList<>();
        pathsTo(root, CHURN, new ArrayList<>(), churn);
        assertFalse(churn.isEmpty(), "the compiled caller is still named");
    }

    /** What the JIT did with the program and what the agent wrote about it: only read on failure. */
    private static Supplier<String> diagnostics(Path out, String what) {
        return () -> {
            StringBuilder sb = new StringBuilder(what).append("\n--- perf map lines for InlinedLeak:\n");
            try {
                for (Path m : maps(out)) {
                    Files.readAllLines(m).stream().filter(l -> l.contains("InlinedLeak")).limit(60).forEach(l -> sb.append(l).append('\n'));
                }
                Proc jit = java(work, "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintCompilation", "-XX:+PrintInlining",
                        KEEP_CHURN, "-cp", classes.toString(), "InlinedLeak");
                sb.append("--- -XX:+PrintCompilation -XX:+PrintInlining:\n");
                jit.stdout().lines().filter(l -> l.contains("InlinedLeak") || l.startsWith("    ")).limit(200)
                        .forEach(l -> sb.append(l).append('\n'));
            } catch (IOException | InterruptedException e) {
                sb.append("(diagnostics failed: ").append(e).append(")\n");
            }
            return sb.toString();
        };
    }

    // ---- the map itself ----

    @Test
    void underXcompTheJvmFinishesAndTheMapIsWellFormed() throws Exception {
        Path dir = Files.createDirectories(work.resolve("xcomp"));
        Proc p = java(dir, "-Xcomp", "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints",
                agentFlag("file=" + dir + "/perf-%p.map"), "-cp", classes.toString(), "Names").assertOk();
        assertTrue(p.stdout().contains("Names: "), p.stdout());
        assertFalse(p.stderr().contains("jjf-perfmap"), p.stderr());
        List<Path> maps = maps(dir);
        assertEquals(1, maps.size(), maps.toString());
        List<String> lines = Files.readAllLines(maps.get(0), StandardCharsets.UTF_8);
        assertTrue(lines.size() > 1000, "-Xcomp compiles thousands of methods: " + lines.size());
        assertWellFormed(lines);
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" Interpreter")), "generated code is there");
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" Names.𝑥é(int)")), "a supplementary character survives modified UTF-8");
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* Names\\.<init>\\(int\\)( \\(Names\\.java:\\d+\\))?->java\\.lang\\.Object\\.<init>\\(\\).*")), "constructors inline");
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* Names\\$\\$Lambda\\$\\d+/0x[0-9a-f]+\\.applyAsInt\\(int\\)")),
                "hidden classes are named as the JDK names them");
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* Names\\.main\\(java\\.lang\\.String\\[\\]\\) \\(Names\\.java:[1-9]\\d*\\)(->.*)?")),
                "compiled code names its source lines");
    }

    /**
     * Every line parses; each inline range follows its own method's line (events are written whole)
     * and lies inside that method's code.
     */
    static void assertWellFormed(List<String> lines) {
        long methodStart = -1;
        long methodEnd = -1;
        String method = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("# jjf-perfmap pid=")) continue; // the header naming the process
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "line " + (i + 1) + ": " + line);
            long start = Long.parseUnsignedLong(m.group(1), 16);
            long size = Long.parseUnsignedLong(m.group(2), 16);
            String name = m.group(3);
            assertTrue(size > 0, "line " + (i + 1) + ": " + line);
            String[] parts = name.split("->", -1);
            String[] chain = new String[parts.length];
            boolean positions = false;
            for (int k = 0; k < parts.length; k++) {
                Matcher pm = POSITION.matcher(parts[k]);
                chain[k] = pm.matches() ? pm.group(1) : parts[k];
                positions |= pm.matches() && pm.group(2) != null;
            }
            if (parts.length == 1 && !positions) {
                methodStart = start;
                methodEnd = start + size;
                method = name;
                continue;
            }
            // An inline range, or a range of the method's own code on one source line.
            for (String part : chain) assertTrue(part.endsWith(")") && !part.contains(" ("), "line " + (i + 1) + ": " + line);
            assertEquals(method, chain[0], "line " + (i + 1) + " follows its method's line: " + line);
            assertTrue(start >= methodStart && start + size <= methodEnd, "line " + (i + 1) + " lies inside its method: " + line);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "unfold=maybe", "colour=blue", "flush_ms=-5", ",", "file=%s/perf-%%p.map,file=%s/again.map",
            "file=%s/perf-%%p.map,"})
    void malformedOptionsLeaveTheJvmRunningWithoutTheAgent(String options) throws Exception {
        Path dir = Files.createTempDirectory(work, "badopt");
        String opts = options.replace("%s", dir.toString()).replace("%%", "%");
        Proc p = java(dir, agentFlag(opts), "-cp", classes.toString(), "Names").assertOk();
        assertTrue(p.stdout().contains("Names: "), "the program ran: " + p.stdout());
        assertTrue(p.stderr().contains("jjf-perfmap: bad options \"" + opts + "\""), p.stderr());
        assertTrue(p.stderr().contains("the JVM continues without a perf map"), p.stderr());
        assertEquals(List.of(), maps(dir));
    }

    @Test
    void anUnwritableMapPathLeavesTheJvmRunningWithoutTheAgent() throws Exception {
        Path dir = Files.createDirectories(work.resolve("unwritable"));
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        Proc p = java(dir, agentFlag("file=" + file + "/perf-%p.map"), "-cp", classes.toString(), "Names").assertOk();
        assertTrue(p.stdout().contains("Names: "), p.stdout());
        assertTrue(p.stderr().contains("jjf-perfmap: cannot write " + file + "/perf-"), p.stderr());
        assertTrue(p.stderr().contains("Not a directory"), p.stderr());
    }

    // ---- a live JVM: attached later, killed ----

    /** A JVM running Names that waits for a line on stdin once it has printed "ready". */
    record Waiting(Process process, OutputStream stdin) implements AutoCloseable {
        static Waiting start(Path dir, String... jvmArgs) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Proc.JAVA.toString()));
            cmd.addAll(List.of(jvmArgs));
            cmd.addAll(List.of("-cp", classes.toString(), "Names", "wait"));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals("ready")) return new Waiting(p, p.getOutputStream());
            }
            throw new AssertionError("Names never got ready: " + Files.readString(dir.resolve("stderr.txt")));
        }

        int finish() throws IOException, InterruptedException {
            stdin.write('\n');
            stdin.flush();
            assertTrue(process.waitFor(Proc.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static List<String> waitForMapLines(Path map, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(map)) lines = Files.readAllLines(map, StandardCharsets.UTF_8);
            if (lines.size() >= atLeast) return lines;
            Thread.sleep(100);
        }
        throw new AssertionError(map + " has " + lines.size() + " lines, expected " + atLeast);
    }

    @Test
    void attachedToARunningJvmTheAgentWritesTheCodeThatAlreadyExists() throws Exception {
        Path dir = Files.createDirectories(work.resolve("attach"));
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try (Waiting w = Waiting.start(dir)) {
            long pid = w.process().pid();
            // jcmd reads KEY=VALUE as its own argument unless the agent's options are quoted.
            Proc bad = Proc.run(dir, Map.of(), List.of(jcmd.toString(), Long.toString(pid), "JVMTI.agent_load", agent.toString(), "\"unfold=maybe\""));
            assertTrue(bad.stdout().contains("return code: -1"), "a failed attach is reported: " + bad.stdout());
            Proc ok = Proc.run(dir, Map.of(), List.of(jcmd.toString(), Long.toString(pid), "JVMTI.agent_load", agent.toString(),
                    "\"file=" + dir + "/perf-%p.map\"")).assertOk();
            assertTrue(ok.stdout().contains("return code: 0"), ok.stdout());
            List<String> lines = waitForMapLines(dir.resolve("perf-" + pid + ".map"), 100);
            assertWellFormed(lines);
            assertTrue(lines.stream().anyMatch(l -> l.endsWith(" Interpreter")), "generated code replayed");
            assertTrue(lines.stream().anyMatch(l -> l.contains(" Names.main(java.lang.String[])")), "compiled code replayed");
            assertEquals(0, w.finish());
        }
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        assertTrue(stderr.contains("jjf-perfmap: bad options \"unfold=maybe\""), stderr);
    }

    @Test
    void aKilledJvmLeavesTheLinesOfItsLastFlush() throws Exception {
        Path dir = Files.createDirectories(work.resolve("killed"));
        try (Waiting w = Waiting.start(dir, agentFlag("file=" + dir + "/perf-%p.map,flush_ms=100"))) {
            Path map = dir.resolve("perf-" + w.process().pid() + ".map");
            List<String> before = waitForMapLines(map, 500);
            w.process().destroyForcibly().waitFor();
            assertTrue(Files.readAllLines(map, StandardCharsets.UTF_8).size() >= before.size());
            assertWellFormed(before);
            assertTrue(before.stream().anyMatch(l -> l.contains("->")), "inline ranges were flushed too");
        }
    }

    @Test
    void doctorSaysTheAgentLoads() throws Exception {
        Proc p = Proc.jjf(work, "doctor", "--out", work.resolve("doctor").toString());
        assertTrue(p.stdout().contains("OK    perf-map agent: loads in 'java'"), p.stdout());
    }
}
