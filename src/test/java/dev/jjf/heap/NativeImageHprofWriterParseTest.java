package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GraalVM Native Image dumps as {@link NativeImageHprofWriter} writes them (raw-address ids, class ids
 * = hub + 1, hubs dumped as java.lang.Class instances, every image-heap object a JNI global root,
 * FRAME/TRACE for thread stacks), read by the parser and checked against the model.
 */
class NativeImageHprofWriterParseTest {
    private static final int CACHE_ARRAYS = 20;
    private static final int CACHE_ARRAY_BYTES = 4096;
    private static final int CONFIG_ARRAYS = 3;
    private static final int LOCAL_LONGS = 1000;
    private static final int LINE = 42;

    @TempDir
    static Path dir;

    private static SyntheticHeap heap;
    private static Path file;
    private static int imageObjects;

    @BeforeAll
    static void writeFile() throws IOException {
        heap = new SyntheticHeap().withBasics(SyntheticHeap.IMAGE);
        heap.defineClass(NativeImageHprofWriter.CLASS_CLASS, heap.objectClass, List.of(new SyntheticHeap.Field("name", SyntheticHeap.OBJECT)),
                List.of(), SyntheticHeap.IMAGE);
        // Built at image build time: in the image heap.
        heap.staticListOfArrays("com.example.Config", CONFIG_ARRAYS, 1000, SyntheticHeap.IMAGE);
        // Allocated at run time: in the collected heap.
        heap.staticListOfArrays("com.example.Cache", CACHE_ARRAYS, CACHE_ARRAY_BYTES, SyntheticHeap.APP);
        heap.localOnly("main", "com.example.LocalOnly", "hold", LINE, LOCAL_LONGS, SyntheticHeap.APP);
        heap.forest(4, 40, 11, SyntheticHeap.APP);
        for (SyntheticHeap.Obj o : heap.objects) {
            if (o.kind() == SyntheticHeap.Kind.CLASS || o.heap() == SyntheticHeap.IMAGE) imageObjects++;
        }
        file = Files.write(dir.resolve("svm-heapdump-4242-20261206T040000Z.hprof"), NativeImageHprofWriter.write(heap));
    }

    private static HeapGraph read() throws IOException {
        List<String> warnings = new ArrayList<>();
        HeapGraph g = HeapDump.read(file, new HeapDumpOptions(false, 1, warnings::add));
        assertEquals(List.of(), warnings, "a well-formed file reads without warnings");
        return g;
    }

    @Test
    void theWriterProducesWhatNativeImageWrites() throws IOException {
        byte[] b = Files.readAllBytes(file);
        assertEquals("JAVA PROFILE 1.0.2", new String(b, 0, 18, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(8, b[22], "8-byte ids: raw addresses");
        assertEquals(1, NativeImageHprofWriter.classId(heap, heap.objectClass) & 1, "class ids are hub + 1: odd");
    }

    @Test
    void instancesArraysAndReferencesAreTheModels() throws IOException {
        HeapGraph g = read();
        Map<String, Integer> expected = HeapModelChecks.histogram(heap);
        Map<String, Integer> actual = HeapModelChecks.histogram(g);
        // Every hub is also dumped as an instance of java.lang.Class, beside its CLASS DUMP.
        expected.merge(NativeImageHprofWriter.CLASS_CLASS, heap.classes.size(), Integer::sum);
        assertEquals(expected, actual);
        Map<String, Integer> edges = HeapModelChecks.edges(heap);
        assertEquals(edges, HeapModelChecks.edges(g));
    }

    @Test
    void imageHeapObjectsAreOneRootKindNotThousandsOfJniGlobals() throws IOException {
        HeapGraph g = read();
        Map<RootKind, Integer> kinds = HeapModelChecks.rootKinds(g);
        assertFalse(kinds.containsKey(RootKind.JNI_GLOBAL), "the image heap's JNI globals are not shown as such: " + kinds);
        assertTrue(kinds.getOrDefault(RootKind.IMAGE_HEAP, 0) > 0, kinds.toString());
        // Each image-heap object is a root of some kind; the best kind names it (a class's statics, say).
        int imageRooted = 0;
        for (int r = 0; r < g.rootCount(); r++) {
            String c = g.className(g.rootObject(r));
            if (g.rootLabel(r).kind() == RootKind.IMAGE_HEAP) {
                imageRooted++;
                assertFalse(c.startsWith("bench.Node") || c.equals("com.example.LocalOnly"), "collected-heap object under image heap: " + c);
            }
        }
        assertTrue(imageRooted >= CONFIG_ARRAYS + 1, imageRooted + " objects under the image heap");
        assertTrue(g.rootCount() >= imageObjects, g.rootCount() + " roots, " + imageObjects + " image-heap objects");
    }

    @Test
    void aFrameRootNamesItsMethodAndLine() throws IOException {
        HeapGraph g = read();
        int local = HeapModelChecks.first(g, "com.example.LocalOnly");
        String label = null;
        for (int r = 0; r < g.rootCount(); r++) if (g.rootObject(r) == local) label = g.rootLabel(r).name();
        assertTrue(label != null && label.contains("hold") && label.contains(":" + LINE), "frame root label: " + label);
    }

    @Test
    void retainedSizesAgreeWithTheSlowComputation() throws IOException {
        HeapGraph g = read();
        Dominators d = Dominators.compute(g);
        HeapModelChecks.assertRetainedSizesAgree(g, d);

        int list = g.references(HeapModelChecks.first(g, "com.example.Cache.class"))[0];
        long expected = g.shallowBytes(list);
        for (int a : g.references(list)) expected += g.shallowBytes(a);
        assertEquals(CACHE_ARRAYS, g.references(list).length);
        assertEquals(expected, d.retainedBytes(list), "the static list retains itself and its arrays");
        assertTrue(expected >= (long) CACHE_ARRAYS * CACHE_ARRAY_BYTES);
    }
}
