package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import dev.jjf.stacks.CallTree;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeapDumpTest {
    private static final long NODE = 0x100;
    private static final List<HprofWriter.Field> ONE_REF = List.of(new HprofWriter.Field("next", HprofParser.TYPE_OBJECT));

    private static HeapGraph read(byte[] dump, boolean allHeaps, List<String> warnings) throws IOException {
        return HeapDump.read(() -> new ByteArrayInputStream(dump), Path.of("test.hprof"), new HeapDumpOptions(allHeaps, 1, warnings::add));
    }

    private static HeapGraph read(byte[] dump) throws IOException {
        return read(dump, false, new ArrayList<>());
    }

    /** Root -> a -> b, a -> byte[100]; classes first or last. */
    private static byte[] small(boolean classesLast) {
        HprofWriter w = HprofWriter.hotspot();
        w.loadClass(NODE, "dev/example/Node");
        if (!classesLast) w.classDump(NODE, 0, ONE_REF);
        w.instance(0x2000, NODE, 0x2010);
        w.instance(0x2010, NODE, 0);
        w.byteArray(0x1000, 100, true);
        w.flushHeap();
        if (classesLast) w.classDump(NODE, 0, ONE_REF);
        w.root(HprofParser.ROOT_UNKNOWN, 0x2000);
        return w.bytes();
    }

    private static String shape(HeapGraph g) {
        StringBuilder sb = new StringBuilder();
        List<String> lines = new ArrayList<>();
        for (int o = 0; o < g.objectCount(); o++) {
            StringBuilder l = new StringBuilder(g.className(o) + " " + g.shallowBytes(o) + " ->");
            for (int t : g.references(o)) l.append(' ').append(g.className(t));
            lines.add(l.toString());
        }
        lines.sort(null);
        for (String l : lines) sb.append(l).append('\n');
        return sb.toString();
    }

    @Test
    void readsObjectsReferencesAndEstimatedSizes() throws IOException {
        HeapGraph g = read(small(false));
        assertEquals("dev.example.Node 16 ->\ndev.example.Node 16 -> dev.example.Node\ndev.example.Node.class 96 ->\n", shape(g).replace("byte[] 120 ->\n", ""));
        assertTrue(shape(g).contains("byte[] 120 ->"), "16-byte header + 100 bytes, aligned to 8");
        Dominators d = Dominators.compute(g);
        assertFalse(d.isReachable(DominatorsTest.objectsOf(g, "byte[]").get(0)));
        assertEquals(32, d.retainedBytes(DominatorsTest.objectsOf(g, "dev.example.Node").get(0)));
    }

    @Test
    void instancesBeforeTheirClassGiveTheSameGraph() throws IOException {
        assertEquals(shape(read(small(false))), shape(read(small(true))));
    }

    @Test
    void objectsInAnyAddressOrderAreFound() throws IOException {
        HprofWriter w = HprofWriter.hotspot();
        w.loadClass(NODE, "dev/example/Node");
        w.classDump(NODE, 0, ONE_REF);
        // Segments of two "threads", each in address order, interleaved.
        for (int i = 0; i < 50; i++) {
            w.instance(0x9000 + 16L * i, NODE, 0x1000 + 16L * i);
            w.flushHeap();
            w.instance(0x1000 + 16L * i, NODE, i + 1 < 50 ? 0x9000 + 16L * (i + 1) : 0);
            w.flushHeap();
        }
        w.root(HprofParser.ROOT_UNKNOWN, 0x9000);
        HeapGraph g = read(w.bytes());
        Dominators d = Dominators.compute(g);
        assertEquals(100 + 1, d.reachableCount()); // and the class
        assertEquals(0, g.stats().droppedReferences());
    }

    @Test
    void gzipOfSeveralMembersAsJcmdWritesIt(@TempDir Path dir) throws IOException {
        byte[] dump = DominatorsTest.randomDump(7, 400);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        for (int at = 0; at < dump.length; at += 1000) {
            try (GZIPOutputStream member = new GZIPOutputStream(gz) {
                @Override
                public void close() throws IOException {
                    finish(); // ends this member, leaves gz open for the next
                }
            }) {
                member.write(dump, at, Math.min(1000, dump.length - at));
            }
        }
        Path plain = Files.write(dir.resolve("a.hprof"), dump);
        Path zipped = Files.write(dir.resolve("a.hprof.gz"), gz.toByteArray());
        assertEquals(HeapDumpFormat.HPROF, HeapDumpFormat.detect(plain).orElseThrow());
        assertEquals(HeapDumpFormat.HPROF_GZIP, HeapDumpFormat.detect(zipped).orElseThrow());
        assertTrue(HeapDumpFormat.detect(Files.writeString(dir.resolve("x.heap"), "heap_v2/524288\n")).isEmpty());
        for (int threads : new int[] {1, 2}) {
            HeapDumpOptions o = new HeapDumpOptions(false, threads, w -> { });
            HeapGraph a = HeapDump.read(plain, o);
            HeapGraph b = HeapDump.read(zipped, o);
            assertEquals(shape(a), shape(b));
            assertEquals(Dominators.compute(a).reachableBytes(), Dominators.compute(b).reachableBytes());
        }
    }

    @Test
    void aTruncatedDumpGivesWhatWasReadAndSaysWhatIsMissing() throws IOException {
        byte[] dump = DominatorsTest.randomDump(3, 300);
        int full = read(dump).objectCount();
        for (int cut : new int[] {dump.length - 1, dump.length / 2, dump.length / 3, 40}) {
            byte[] part = java.util.Arrays.copyOf(dump, cut);
            List<String> warnings = new ArrayList<>();
            HeapGraph g = read(part, false, warnings);
            assertTrue(g.objectCount() <= full);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("ends inside a record at offset"), warnings.get(0));
            if (cut == dump.length / 2) assertTrue(warnings.get(0).contains("bytes are missing"), warnings.get(0));
            Dominators.compute(g);
        }
    }

    @Test
    void badInputIsOneLineNamingTheOffset() {
        byte[] dump = small(false);
        // The first heap sub-record's tag, made unknown.
        byte[] bad = dump.clone();
        int at = indexOfSegment(bad) + 9;
        bad[at] = 0x55;
        BadInputException e = assertThrows(BadInputException.class, () -> read(bad));
        assertTrue(e.getMessage().startsWith("offset " + at + ": unknown heap sub-record tag 0x55"), e.getMessage());
        assertFalse(e.userMessage().contains("\n"));
        BadInputException notHprof = assertThrows(BadInputException.class, () -> read("JAVA PROFILE 9\0".getBytes()));
        assertTrue(notHprof.getMessage().contains("not an HPROF file"), notHprof.getMessage());
    }

    private static int indexOfSegment(byte[] dump) {
        int p = "JAVA PROFILE 1.0.2".length() + 1 + 12;
        while ((dump[p] & 0xff) != HprofParser.HEAP_DUMP_SEGMENT) {
            int len = java.nio.ByteBuffer.wrap(dump, p + 5, 4).getInt();
            p += 9 + len;
        }
        return p;
    }

    @Test
    void androidHeapsAppByDefaultAllOnRequest() throws IOException {
        HprofWriter w = new HprofWriter("JAVA PROFILE 1.0.3", 4, 1 << 20);
        w.loadClass(NODE, "dev.example.Node");
        w.heapInfo(1, "image");
        w.classDump(NODE, 0, ONE_REF);
        w.instance(0x3000, NODE, 0x4000);
        w.heapInfo(2, "zygote");
        w.byteArray(0x3800, 1000, false);
        w.heapInfo(3, "app");
        w.instance(0x4000, NODE, 0x3800);
        w.byteArray(0x4100, 50, false);
        w.root(HprofParser.ROOT_VM_INTERNAL, 0x3000);
        w.root(HprofParser.ROOT_INTERNED_STRING, 0x4100);
        HeapGraph app = read(w.bytes());
        assertTrue(app.format().startsWith("Android JAVA PROFILE 1.0.3, 4-byte ids"), app.format());
        Dominators d = Dominators.compute(app);
        int image = DominatorsTest.objectsOf(app, "dev.example.Node").get(0);
        // Only the app heap counts: the app Node (8 + 4 -> 16) and the 50-byte array (12 + 50 -> 64).
        assertEquals(16 + 64, d.reachableBytes());
        assertEquals(16, d.retainedBytes(image));
        HeapGraph all = read(w.bytes(), true, new ArrayList<>());
        Dominators da = Dominators.compute(all);
        assertEquals(16 + 16 + 1016 + 64 + 96, da.reachableBytes());
        CallTree tree = HeapFolder.fold(all, da, HeapMetric.RETAINED);
        List<String> roots = tree.root().children().stream().map(CallTree.Node::name).toList();
        assertTrue(roots.contains("VM internal") && roots.contains("interned string"), roots.toString());
    }

    @Test
    void nativeImageJniGlobalsAreOneImageHeapRoot() throws IOException {
        HprofWriter w = HprofWriter.hotspot();
        long hub = 0x5000;
        w.loadClass(hub + 1, "com/example/Cached");
        w.classDump(hub + 1, 0, ONE_REF);
        for (int i = 0; i < 20; i++) {
            w.instance(0x8000 + 16L * i, hub + 1, 0);
            w.jniGlobal(0x8000 + 16L * i);
        }
        HeapGraph g = read(w.bytes());
        assertTrue(g.format().startsWith("GraalVM Native Image"), g.format());
        CallTree tree = HeapFolder.fold(g, Dominators.compute(g), HeapMetric.COUNT);
        CallTree.Node image = tree.root().children().stream().filter(c -> c.name().equals("image heap")).findFirst().orElseThrow();
        assertEquals(20, image.total(), 0.0);
        assertEquals(1, image.childCount());
    }

    @Test
    void sortedRunsMergeWithTheirPayload() {
        long[] keys = {5, 9, 12, 1, 2, 30, 3, 4};
        int[] payload = {0, 1, 2, 3, 4, 5, 6, 7};
        IdIndex.mergeSort(keys, payload);
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 9, 12, 30}, keys);
        assertArrayEquals(new int[] {3, 4, 6, 7, 0, 1, 2, 5}, payload);
        IdIndex index = new IdIndex(new long[] {0x50, 0x10, 0x30, 0x1_0000_0000L});
        assertEquals(0, index.find(0x50));
        assertEquals(1, index.find(0x10));
        assertEquals(3, index.find(0x1_0000_0000L));
        assertEquals(-1, index.find(0x20));
        assertEquals(-1, index.find(-5));
    }
}
