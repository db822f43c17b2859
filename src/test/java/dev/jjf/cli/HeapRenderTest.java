package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.heap.HprofSamples;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jjf render} and {@code jjf diff} on heap dumps, told apart from jemalloc profiles by content. */
class HeapRenderTest {
    @TempDir
    Path dir;

    record Result(int exit, String err) {
    }

    Result jjf(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(exit, err.toString());
    }

    @Test
    void rendersAHeapDumpByContentWhateverItsName() throws Exception {
        Path dump = Files.write(dir.resolve("no-extension"), HprofSamples.hotspot(false));
        Path folded = dir.resolve("out.folded");
        Result r = jjf("render", dump.toString(), "--format", "folded", "-o", folded.toString());
        assertEquals(0, r.exit(), r.err());
        String text = Files.readString(folded);
        assertTrue(text.contains("thread \"main\" in com.example.Holder.run(Holder.java:7);com.example.Holder;java.nio.DirectByteBuffer 32"), text);
        assertTrue(r.err().contains("biggest dominator paths") && r.err().contains("biggest native memory owners (estimated)"), r.err());

        Result nat = jjf("render", dump.toString(), "--metric", "native", "--format", "folded", "-o", folded.toString());
        assertEquals(0, nat.exit(), nat.err());
        assertTrue(Files.readString(folded).trim().endsWith("direct ByteBuffer memory (JDK-managed, capacity) 4096"), Files.readString(folded));
    }

    @Test
    void diffsTwoDumpsAndRendersGzip() throws Exception {
        Path base = Files.write(dir.resolve("base.hprof"), HprofSamples.hotspot(false));
        Path newer = Files.write(dir.resolve("new.hprof.gz"), HprofSamples.gzip(HprofSamples.hotspot(true), 300));
        Path svg = dir.resolve("diff.svg");
        Result r = jjf("diff", base.toString(), newer.toString(), "-o", svg.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("change +0 B"), r.err());
        assertTrue(Files.readString(svg).contains("Grew"));
    }

    @Test
    void badAndCutDumpsAreOneLineAndMixingIsRefused() throws Exception {
        byte[] good = HprofSamples.hotspot(false);
        Path cut = Files.write(dir.resolve("cut.hprof"), Arrays.copyOf(good, good.length * 2 / 3));
        Result partial = jjf("render", cut.toString(), "-o", dir.resolve("cut.svg").toString());
        assertEquals(0, partial.exit(), partial.err());
        assertTrue(partial.err().contains("jjf: warning: " + cut + ": the dump ends inside a record at offset"), partial.err());

        byte[] bad = good.clone();
        bad[22] = 3; // identifier size (u4 at offset 19) 3
        Path broken = Files.write(dir.resolve("broken.hprof"), bad);
        Result r = jjf("render", broken.toString(), "-o", dir.resolve("b.svg").toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(broken + ": offset 19: identifier size 3"), r.err());
        assertFalse(Files.exists(dir.resolve("b.svg")));

        Path jemalloc = Files.writeString(dir.resolve("x.heap"), "heap_v2/524288\n");
        Result mixed = jjf("diff", jemalloc.toString(), broken.toString());
        assertEquals(1, mixed.exit());
        assertTrue(mixed.err().contains("cannot be rendered together"), mixed.err());

        Result metric = jjf("render", cut.toString(), "--metric", "inuse-space", "-o", dir.resolve("m.svg").toString());
        assertTrue(metric.err().contains("unknown --metric 'inuse-space' for heap dumps (use retained, shallow, count or native)"), metric.err());
    }
}
