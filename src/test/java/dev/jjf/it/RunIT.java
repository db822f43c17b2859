package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jjf run} end to end: real JVMs under the libunwind jemalloc that jjf setup builds. */
class RunIT {
    private static final Pattern LEAKED = Pattern.compile("leaked (\\d+) bytes");
    private static final Pattern THREAD_START = Pattern.compile("__clone3?|clone3?|start_thread|_start|__libc_start_main.*");

    @TempDir
    Path work;

    /** One root-to-leaf path of the JSON tree and the bytes allocated exactly there. */
    record Path2(List<JsonNode> frames, long selfBytes) {
        String describe() {
            return frames.stream().map(f -> f.path("name").asText() + "[" + f.path("kind").asText() + "]")
                    .reduce((a, b) -> a + " -> " + b).orElse("");
        }
    }

    static void paths(JsonNode node, List<JsonNode> prefix, List<Path2> out) {
        long children = 0;
        for (JsonNode c : node.path("children")) children += c.path("value").asLong();
        long self = node.path("value").asLong() - children;
        if (self > 0 && !prefix.isEmpty()) out.add(new Path2(List.copyOf(prefix), self));
        for (JsonNode c : node.path("children")) {
            prefix.add(c);
            paths(c, prefix, out);
            prefix.remove(prefix.size() - 1);
        }
    }

    static List<Path2> paths(Path json) throws Exception {
        List<Path2> out = new ArrayList<>();
        paths(new ObjectMapper().readTree(json.toFile()), new ArrayList<>(), out);
        return out;
    }

    static String name(JsonNode n) {
        return n.path("name").asText();
    }

    static String kind(JsonNode n) {
        return n.path("kind").asText();
    }

    /** thread start -> GenerateUnsafeLeak.* (java) ... -> Unsafe.allocateMemory0 (java) -> Unsafe_AllocateMemory0 (jvm) -> os::malloc (jvm) [-> malloc] */
    static boolean isWholeLeakPath(Path2 p) {
        List<JsonNode> f = p.frames();
        if (f.stream().anyMatch(n -> kind(n).equals("unknown"))) return false;
        if (!THREAD_START.matcher(name(f.get(0))).matches()) return false;
        int end = f.size() - 1;
        if (name(f.get(end)).equals("malloc")) end--;
        if (end < 3) return false;
        boolean tail = name(f.get(end)).startsWith("os::malloc(") && kind(f.get(end)).equals("jvm")
                && name(f.get(end - 1)).equals("Unsafe_AllocateMemory0") && kind(f.get(end - 1)).equals("jvm")
                && name(f.get(end - 2)).equals("jdk.internal.misc.Unsafe.allocateMemory0(long)") && kind(f.get(end - 2)).equals("java");
        boolean example = f.subList(0, end - 2).stream()
                .anyMatch(n -> name(n).startsWith("GenerateUnsafeLeak.") && kind(n).equals("java"));
        return tail && example;
    }

    @Test
    void unsafeLeakHasOneUnbrokenPathFromThreadStartToMalloc() throws Exception {
        Path out = work.resolve("out");
        // -Xbatch: a method is compiled before it runs on once it is hot, so a loaded machine's JIT
        // queue cannot leave the leak running interpreted (named only "Interpreter").
        Proc p = Proc.jjf(work, "run", "--out", out.toString(), "--lg-sample", "12", "--format", "json", "--",
                Proc.JAVA.toString(), "-Xbatch", Proc.ROOT.resolve("examples/GenerateUnsafeLeak.java").toString()).assertOk();
        assertFalse(p.stderr().contains("stacks will stop at the first Java frame"),
                "the libunwind jemalloc was not found (scripts/build-jemalloc.sh builds it): " + p.stderr());
        Matcher m = LEAKED.matcher(p.stdout());
        assertTrue(m.find(), "the example reports what it leaked: " + p.stdout());
        long leaked = Long.parseLong(m.group(1));

        List<Path2> paths = paths(out.resolve("flames.json"));
        long onPath = paths.stream().filter(RunIT::isWholeLeakPath).mapToLong(Path2::selfBytes).sum();
        String biggest = paths.stream().filter(x -> x.frames().stream().anyMatch(n -> name(n).equals("Unsafe_AllocateMemory0")))
                .max((a, b) -> Long.compare(a.selfBytes(), b.selfBytes())).map(Path2::describe).orElse("none");
        assertTrue(onPath >= 0.9 * leaked, onPath + " of " + leaked + " leaked bytes on whole paths; biggest Unsafe path: " + biggest);

        // The summary after the graph: the example's own frame holds the leak, not the JDK's Unsafe.
        int summary = p.stderr().indexOf("Java frames that hold the most");
        assertTrue(summary >= 0, p.stderr());
        String first = p.stderr().substring(summary).split("\n")[1];
        assertTrue(first.matches("jjf: +\\d[\\d.]* [KMG]iB +\\d+\\.\\d\\d%  GenerateUnsafeLeak\\..*"), first);

        try (Stream<Path> files = Files.list(out)) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.matches("jeprof\\.\\d+\\.\\d+\\.f\\.heap")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.matches("perf-\\d+\\.map")), "perf map moved into --out: " + names);
        }
    }

    @Test
    void deletedJniLibraryIsStillSymbolized() throws Exception {
        Path lib = work.resolve("build");
        Proc.run(work, Map.of(), List.of("bash", Proc.ROOT.resolve("native/jnileak/build.sh").toString(), lib.toString())).assertOk();
        Path so = lib.resolve("libjnileak.so");
        assertTrue(Files.isRegularFile(so), "native/jnileak/build.sh builds " + so);
        Path out = work.resolve("out");
        Proc.jjf(work, "run", "--out", out.toString(), "--lg-sample", "12", "--format", "json", "--",
                Proc.JAVA.toString(), "-Djnileak.lib=" + so, Proc.ROOT.resolve("examples/JniLeak.java").toString()).assertOk();

        Path heap;
        try (Stream<Path> files = Files.list(out)) {
            heap = files.filter(f -> f.getFileName().toString().endsWith(".f.heap")).findFirst().orElseThrow();
        }
        String text = Files.readString(heap);
        assertTrue(Pattern.compile("libjnileak\\S*\\.so \\(deleted\\)").matcher(text).find(),
                "the example deletes its extracted library before it exits");
        List<Path2> paths = paths(out.resolve("flames.json"));
        assertTrue(paths.stream().anyMatch(p -> p.frames().stream().anyMatch(n -> name(n).startsWith("jnileak_") && kind(n).equals("native"))),
                "a jnileak_ C function is named in the flamegraph");
    }

    @Test
    void commandThatDoesNotExistFailsClearly() throws Exception {
        Proc p = Proc.jjf(work, "run", "--out", work.resolve("o").toString(), "--", "/no/such/command");
        assertEquals(127, p.exitCode());
        assertTrue(p.stderr().contains("cannot run '/no/such/command'"), p.stderr());
        assertFalse(p.stderr().contains("\tat "), "no stack trace: " + p.stderr());
    }

    @Test
    void commandThatIsNotJavaIsRenderedWithoutJavaNames() throws Exception {
        Path out = work.resolve("o");
        Proc p = Proc.jjf(work, "run", "--out", out.toString(), "--", "sh", "-c", "ls / > /dev/null").assertOk();
        assertTrue(p.stderr().contains("no perf map was written"), p.stderr());
        assertTrue(Files.isRegularFile(out.resolve("flames.svg")), p.stderr());
    }

    @Test
    void jemallocThatIsNotJemallocIsRefused() throws Exception {
        Path fake = Files.writeString(work.resolve("libjemalloc.so.2"), "not a library");
        Path out = work.resolve("o");
        Proc p = Proc.jjf(work, "run", "--jemalloc", fake.toString(), "--out", out.toString(), "--", "true");
        assertEquals(1, p.exitCode(), p.stderr());
        assertTrue(p.stderr().startsWith("jjf: " + fake), p.stderr());
        assertEquals(1, p.stderr().strip().lines().count(), "one line: " + p.stderr());
    }

    @Test
    void unwritableOutIsRefusedBeforeRunning() throws Exception {
        Path marker = work.resolve("ran");
        Proc p = Proc.jjf(work, "run", "--out", "/proc/jjf-cannot-write-here", "--", "touch", marker.toString());
        assertEquals(1, p.exitCode(), p.stderr());
        assertTrue(p.stderr().contains("cannot write to --out"), p.stderr());
        assertFalse(Files.exists(marker), "the command must not run");
    }
}
