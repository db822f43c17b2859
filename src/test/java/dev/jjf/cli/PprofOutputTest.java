package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jjf.model.FrameKind;
import dev.jjf.model.Profile;
import dev.jjf.model.SampleType;
import dev.jjf.render.GoPprof;
import dev.jjf.render.OutputFile;
import dev.jjf.render.PprofWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pprof output as Google's pprof reads it: every file goes through the real {@code go tool pprof}
 * (Debian's golang-go, installed by scripts/setup.sh --test), whose {@code -raw} dump is compared
 * with jjf's own JSON.
 */
class PprofOutputTest {
    private static final Pattern SAMPLE = Pattern.compile("^\\s*(-?\\d+(?:\\s+-?\\d+)*):(.*)$");

    @TempDir
    Path dir;

    @Test
    void everySampleTypesTotalIsJjfsJsonTotal() throws Exception {
        Path heap = copy("golden.heap");
        Path map = copy("golden.map");
        Path pb = dir.resolve("profile.pb.gz");
        assertEquals(0, jjf("render", heap.toString(), "--perf-map", map.toString(), "--format", "pprof", "-o", pb.toString()));
        Raw raw = raw(pb);
        // golden.heap has accumulated counts, so all four types are there, the --metric first.
        assertEquals(List.of("inuse_space/bytes[dflt]", "inuse_objects/count", "alloc_space/bytes", "alloc_objects/count"), raw.types);
        String[] metrics = {"inuse-space", "inuse-objects", "alloc-space", "alloc-objects"};
        for (int i = 0; i < metrics.length; i++) {
            assertEquals(jsonRoot(heap, map, metrics[i], null).get("value").asLong(), raw.total(i), metrics[i]);
        }
        assertTrue(raw.text.contains("Comment: jjf: heap profile " + heap), raw.text.substring(0, 300));
    }

    @Test
    void theDefaultSampleTypeIsTheMetricAndAllocTypesGoWhenThereAreNone() throws Exception {
        Path heap = Files.writeString(dir.resolve("jeprof.77.0.f.heap"), RenderCommandTest.PROFILE);
        Path pb = dir.resolve("p.pb.gz");
        assertEquals(0, jjf("render", heap.toString(), "--metric", "inuse-objects", "--format", "pprof", "-o", pb.toString()));
        Raw raw = raw(pb);
        assertEquals(List.of("inuse_objects/count[dflt]", "inuse_space/bytes"), raw.types);
        assertEquals(3, raw.total(0));
        assertEquals(3072, raw.total(1));
    }

    @Test
    void pprofIsNotWrittenToATerminal() throws Exception {
        Path heap = Files.writeString(dir.resolve("jeprof.77.0.f.heap"), RenderCommandTest.PROFILE);
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "render", heap.toString(), "--format", "pprof", "-o", "-");
        assertEquals(1, exit);
        assertEquals("jjf: pprof output is binary: give a file with -o\n", err.toString());
    }

    @Test
    void aDiffIsWhatPprofDiffBaseMakes() throws Exception {
        Path base = Files.writeString(dir.resolve("jeprof.77.0.f.heap"), """
                heap_v2/1
                  t*: 1: 1024 [0: 0]
                @ 0x1000 0x2000
                  t*: 1: 1024 [0: 0]
                MAPPED_LIBRARIES:
                """);
        Path now = Files.writeString(dir.resolve("jeprof.77.1.f.heap"), RenderCommandTest.PROFILE);
        Path pb = dir.resolve("diff.pb.gz");
        assertEquals(0, jjf("diff", base.toString(), now.toString(), "--format", "pprof", "-o", pb.toString()));
        Raw raw = raw(pb);
        JsonNode json = jsonRoot(now, null, "inuse-space", base);
        assertEquals(json.get("delta").asLong(), raw.total(0));
        // The baseline's sample: negative, marked as pprof marks a -diff_base profile's samples.
        assertTrue(raw.samples.stream().anyMatch(s -> s.values[0] == -1024 && s.labels.contains("pprof::base:[true]")), raw.text);
        assertTrue(raw.samples.stream().filter(s -> s.values[0] > 0).noneMatch(s -> s.labels.contains("pprof::base")), raw.text);
    }

    @Test
    void inlinedFramesAreLinesOfOneLocationInnermostFirst() throws Exception {
        Path pb = dir.resolve("profile.pb.gz");
        assertEquals(0, jjf("render", copy("golden.heap").toString(), "--perf-map", copy("golden.map").toString(), "--format", "pprof", "-o", pb.toString()));
        String locations = raw(pb).section("Locations");
        // golden.map: com.example.Svc4.run->com.example.Helper2.help->java.util.HashMap.put at one address.
        assertTrue(Pattern.compile("\\d+: 0x[0-9a-f]+ M=\\d+ java\\.util\\.HashMap\\.put :0 s=0\\n\\s+com\\.example\\.Helper2\\.help :0 s=0\\n"
                + "\\s+com\\.example\\.Svc4\\.run :0 s=0\\n").matcher(locations).find(), locations);
    }

    @Test
    void javaFunctionsCarryTheirFileAndLineAndEveryStackItsKinds() throws Exception {
        // A profile as the symbolizer makes it when the perf map names source lines: a compiled
        // method with an inlined callee, both with file and line, over a native frame.
        Profile p = new Profile(List.of(SampleType.INUSE_SPACE, SampleType.INUSE_OBJECTS));
        int code = p.addMapping(0x7f0000000000L, 0x7f0000100000L, 0, "", "");
        int zip = p.addMapping(0x7f1000000000L, 0x7f1000010000L, 0x1000, "/usr/lib/libz.so.1", "");
        int inflate = p.addLocation(0x7f1000001234L, zip);
        p.addLine(p.function("inflateInit2_", "", "", 0), 0, FrameKind.NATIVE);
        int jit = p.addLocation(0x7f0000004321L, code);
        p.addLine(p.function("java.util.zip.Inflater.init(boolean)", "", "java/util/zip/Inflater.java", 0), 708, FrameKind.INLINED);
        p.addLine(p.function("app.Reader.open(java.lang.String)", "", "app/Reader.java", 0), 31, FrameKind.JAVA);
        p.addStacks(false).add(new int[] {inflate, jit}, 2, new double[] {4096.4, 2});
        p.addStacks(false).add(new int[] {jit}, 1, new double[] {100.3, 1});
        Path pb = dir.resolve("lines.pb.gz");
        OutputFile.writeBinary(pb, out -> new PprofWriter().write(p, out));
        Raw raw = raw(pb);
        assertTrue(raw.section("Locations").contains("java.util.zip.Inflater.init(boolean) java/util/zip/Inflater.java:708 s=0\n"
                + "             app.Reader.open(java.lang.String) app/Reader.java:31 s=0"), raw.section("Locations"));
        assertEquals(4197, raw.total(0)); // 4196.7 rounded, not 4096 + 100
        assertEquals(List.of("kind:[native java inlined]", "kind:[java inlined]"), raw.samples.stream().map(s -> s.labels.strip()).toList());
        // A pprof user keeps the stacks that run native code with -tagfocus.
        String focused = pprof("-raw", "-tagfocus=kind=native", pb.toString());
        assertEquals(4096, parse(focused).total(0));
    }

    // --- helpers ----------------------------------------------------------------------------

    private int jjf(String... args) {
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), args);
        if (exit != 0) throw new AssertionError("jjf " + String.join(" ", args) + ": " + err);
        return exit;
    }

    private JsonNode jsonRoot(Path heap, Path map, String metric, Path base) throws IOException {
        Path json = dir.resolve("out-" + metric + ".json");
        List<String> args = new ArrayList<>(List.of("render", heap.toString(), "--metric", metric, "--format", "json", "-o", json.toString()));
        if (map != null) args.addAll(List.of("--perf-map", map.toString()));
        if (base != null) args.addAll(List.of("--base", base.toString()));
        jjf(args.toArray(new String[0]));
        return new ObjectMapper().readTree(json.toFile());
    }

    private static final class RawSample {
        final long[] values;
        String labels = "";

        RawSample(long[] values) {
            this.values = values;
        }
    }

    private record Raw(String text, List<String> types, List<RawSample> samples) {
        long total(int type) {
            long sum = 0;
            for (RawSample s : samples) sum += s.values[type];
            return sum;
        }

        String section(String name) {
            int from = text.indexOf("\n" + name + "\n");
            assertTrue(from >= 0, name + " in " + text);
            Matcher next = Pattern.compile("\\n[A-Z][a-z]+\\n").matcher(text);
            return next.find(from + name.length() + 1) ? text.substring(from, next.start() + 1) : text.substring(from);
        }
    }

    private Raw raw(Path pb) throws Exception {
        return parse(pprof("-raw", pb.toString()));
    }

    /** pprof -raw: a header, "Samples:", the sample types' line, then one line per sample and its labels. */
    private static Raw parse(String text) {
        List<String> types = null;
        List<RawSample> samples = new ArrayList<>();
        boolean inSamples = false;
        for (String line : text.split("\n")) {
            if (line.equals("Samples:")) {
                inSamples = true;
                continue;
            }
            if (!inSamples) continue;
            if (types == null) {
                types = List.of(line.strip().split("\\s+"));
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (m.matches()) {
                String[] v = m.group(1).strip().split("\\s+");
                long[] values = new long[v.length];
                for (int i = 0; i < v.length; i++) values[i] = Long.parseLong(v[i]);
                samples.add(new RawSample(values));
            } else if (line.startsWith(" ") && !samples.isEmpty()) {
                samples.get(samples.size() - 1).labels += line.strip() + " ";
            } else {
                break;
            }
        }
        assertTrue(types != null, text);
        for (RawSample s : samples) s.labels = s.labels.strip();
        return new Raw(text, types, samples);
    }

    private static String pprof(String... args) throws Exception {
        return GoPprof.run(args);
    }

    private Path copy(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = PprofOutputTest.class.getResourceAsStream("/dev/jjf/stacks/" + name)) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }
}
