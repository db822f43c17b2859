package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole render pipeline on real inputs: leak examples run in a real JVM under Debian's
 * profiling jemalloc, rendered by the packaged jar, checked against jeprof on the same files.
 */
class RenderIT {
    @TempDir
    static Path work;
    static Path unsafeHeap;
    static Path deflaterHeap;

    @BeforeAll
    static void profileExamples() throws Exception {
        assertTrue(Files.exists(Proc.DEBIAN_JEMALLOC), "install libjemalloc2 (scripts/test.sh does)");
        unsafeHeap = profile("GenerateUnsafeLeak");
        deflaterHeap = profile("DeflaterLeak");
    }

    /** Runs examples/NAME.java under jemalloc with a perf map at exit; returns its final dump. */
    static Path profile(String example) throws Exception {
        Path dir = Files.createDirectories(work.resolve(example));
        Map<String, String> env = Map.of(
                "LD_PRELOAD", Proc.DEBIAN_JEMALLOC.toString(),
                "MALLOC_CONF", "prof:true,prof_final:true,lg_prof_sample:17,prof_prefix:" + dir.resolve("jeprof"));
        Proc.run(dir, env, List.of(Proc.JAVA.toString(), "-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit",
                Proc.ROOT.resolve("examples/" + example + ".java").toString())).assertOk();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("jeprof\\.\\d+\\.\\d+\\.f\\.heap"))
                    .findFirst().orElseThrow(() -> new AssertionError("no final dump in " + dir));
        }
    }

    static long pid(Path heap) {
        return Long.parseLong(heap.getFileName().toString().split("\\.")[1]);
    }

    static JsonNode renderJson(Path heap) throws Exception {
        Path out = heap.resolveSibling("flames.json");
        Proc p = Proc.jjf(heap.getParent(), "render", "--latest", "--dir", heap.getParent().toString(),
                "--format", "json", "-o", out.toString()).assertOk();
        assertTrue(p.stderr().contains("perf-" + pid(heap) + ".map"), "perf map used: " + p.stderr());
        return new ObjectMapper().readTree(out.toFile());
    }

    /** Sum of jeprof --collapsed on the same file, the reference total. */
    static double jeprofTotal(Path heap) throws Exception {
        Proc p = Proc.run(heap.getParent(), Map.of(), List.of("jeprof", "--collapsed", Proc.JAVA.toString(), heap.toString())).assertOk();
        double sum = 0;
        for (String line : p.stdout().split("\n")) {
            if (line.isBlank()) continue;
            sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return sum;
    }

    /** Every (name, kind) on any path of the tree. */
    static void collect(JsonNode node, List<JsonNode> out) {
        out.add(node);
        for (JsonNode c : node.path("children")) collect(c, out);
    }

    static JsonNode find(List<JsonNode> nodes, String name) {
        return nodes.stream().filter(n -> n.path("name").asText().equals(name)).findFirst().orElse(null);
    }

    /** The symbol cache changes nothing but where tables come from: cold, cached and disabled renders are identical. */
    @Test
    void symbolCacheGivesTheSameGraph() throws Exception {
        Path dir = unsafeHeap.getParent();
        Path cacheHome = Files.createDirectories(work.resolve("cache-home"));
        Path symbols = cacheHome.resolve("jjf/symbols");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cacheHome.toString());
        List<String> outputs = new ArrayList<>();
        for (String run : List.of("cold", "cached", "disabled")) {
            Path out = work.resolve(run + ".folded");
            Map<String, String> e = run.equals("disabled") ? Map.of("XDG_CACHE_HOME", cacheHome.toString(), "JJF_SYMBOL_CACHE", "0") : env;
            Proc.jjf(dir, e, "render", unsafeHeap.toString(), "--dir", dir.toString(), "--format", "folded", "-o", out.toString()).assertOk();
            outputs.add(Files.readString(out));
            if (run.equals("cold")) {
                String libjvmBuildId = Proc.run(dir, Map.of(), List.of("sh", "-c", "readelf -n " + Proc.JAVA.getParent().getParent()
                        + "/lib/server/libjvm.so | sed -n 's/.*Build ID: //p'")).assertOk().stdout().trim();
                try (Stream<Path> files = Files.list(symbols)) {
                    assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith(libjvmBuildId + "-")),
                            "libjvm.so's table (build-id " + libjvmBuildId + ") is cached in " + symbols);
                }
            }
        }
        assertTrue(outputs.get(0).contains("JavaThread::"), "JVM frames are named");
        assertEquals(outputs.get(0), outputs.get(1), "cached render");
        assertEquals(outputs.get(0), outputs.get(2), "render without the cache");
    }

    @Test
    void totalMatchesJeprofWithinOneThousandth() throws Exception {
        for (Path heap : List.of(unsafeHeap, deflaterHeap)) {
            double expected = jeprofTotal(heap);
            long total = renderJson(heap).path("value").asLong();
            assertTrue(expected > 1 << 20, "the example leaked something: " + expected);
            assertEquals(expected, total, expected * 0.001, heap.toString());
        }
    }

    @Test
    void leakFramesAreNamedWithTheirKinds() throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        collect(renderJson(unsafeHeap), nodes);
        assertKind(nodes, "Unsafe_AllocateMemory0", "jvm");
        assertKind(nodes, "os::malloc(unsigned long, MEMFLAGS)", "jvm");
        assertKind(nodes, "jdk.internal.misc.Unsafe.allocateMemory0(long)", "java");

        List<JsonNode> zlib = new ArrayList<>();
        collect(renderJson(deflaterHeap), zlib);
        assertKind(zlib, "deflateInit2_", "native");
    }

    @Test
    void noJemallocFrameIsLeft() throws Exception {
        for (Path heap : List.of(unsafeHeap, deflaterHeap)) {
            List<JsonNode> nodes = new ArrayList<>();
            collect(renderJson(heap), nodes);
            for (JsonNode n : nodes) {
                String name = n.path("name").asText();
                assertFalse(name.contains("libjemalloc") || name.startsWith("je_") || name.contains("prof_backtrace"),
                        "jemalloc-internal frame left: " + name);
            }
        }
    }

    static void assertKind(List<JsonNode> nodes, String name, String kind) {
        JsonNode n = find(nodes, name);
        assertNotNull(n, name + " not in the flamegraph");
        assertEquals(kind, n.path("kind").asText(), name);
    }
}
