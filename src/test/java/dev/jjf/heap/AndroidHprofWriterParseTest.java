package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * Android dumps as devices write them ({@link AndroidHprofWriter}: 1.0.3, 4-byte ids, three heaps,
 * ART's roots, arrays without data) and as {@code hprof-conv} leaves them ({@link HprofConvPort}),
 * read by the parser and checked against the model they were written from.
 */
class AndroidHprofWriterParseTest {
    private static final int CACHE_ARRAYS = 20;
    private static final int CACHE_ARRAY_BYTES = 4096;
    private static final int LOCAL_LONGS = 1000;
    private static final int NO_DATA_CHARS = 300;
    /** The one array only ART's "unreachable" record (0x90) names. */
    private static final int UNREACHABLE_BYTES = 300;

    @TempDir
    static Path dir;

    private static SyntheticHeap heap;
    private static int noDataArray;
    private static Path device;
    private static Path converted;

    /**
     * System classes in the image heap, a preloaded cache in the zygote heap, the app's own objects
     * in the app heap, with references across heaps both ways, and one root of every ART kind.
     */
    @BeforeAll
    static void writeFiles() throws IOException {
        heap = new SyntheticHeap().withBasics(SyntheticHeap.IMAGE);
        int imageStrings = heap.defineClass("java.lang.DexCache", heap.objectClass,
                List.of(new SyntheticHeap.Field("strings", SyntheticHeap.OBJECT)), List.of(), SyntheticHeap.IMAGE);
        noDataArray = heap.primitiveArrayNoData(SyntheticHeap.CHAR, NO_DATA_CHARS, SyntheticHeap.IMAGE);
        int dexCache = heap.instance(imageStrings, SyntheticHeap.IMAGE, noDataArray);
        int zygoteList = heap.staticListOfArrays("android.graphics.Preloaded", 5, 512, SyntheticHeap.ZYGOTE);
        heap.staticListOfArrays("com.example.Cache", CACHE_ARRAYS, CACHE_ARRAY_BYTES, SyntheticHeap.APP);
        int local = heap.localOnly("worker", "com.example.LocalOnly", "hold", 42, LOCAL_LONGS, SyntheticHeap.APP);
        heap.forest(4, 40, 7, SyntheticHeap.APP);
        // An app object referenced only from the zygote heap's list: the path crosses heaps.
        int appHeld = heap.primitiveArray(SyntheticHeap.INT, 64, SyntheticHeap.APP);
        int mixed = heap.objectArray(heap.objectArrayClass, SyntheticHeap.ZYGOTE, appHeld, dexCache);

        heap.root(SyntheticHeap.Root.INTERNED_STRING, noDataArray);
        heap.root(SyntheticHeap.Root.VM_INTERNAL, dexCache);
        heap.root(SyntheticHeap.Root.DEBUGGER, mixed);
        heap.root(SyntheticHeap.Root.FINALIZING, heap.primitiveArray(SyntheticHeap.BYTE, 100, SyntheticHeap.APP));
        heap.root(SyntheticHeap.Root.REFERENCE_CLEANUP, heap.primitiveArray(SyntheticHeap.BYTE, 200, SyntheticHeap.APP));
        heap.root(SyntheticHeap.Root.UNREACHABLE, heap.primitiveArray(SyntheticHeap.BYTE, UNREACHABLE_BYTES, SyntheticHeap.APP));
        heap.threadRoot(SyntheticHeap.Root.JNI_MONITOR, heap.primitiveArray(SyntheticHeap.BYTE, 400, SyntheticHeap.APP), 1, 0);
        heap.root(SyntheticHeap.Root.JNI_GLOBAL, zygoteList);
        for (SyntheticHeap.ClassDef c : heap.classes) heap.root(SyntheticHeap.Root.STICKY_CLASS, c.object());
        assertTrue(local > 0);

        byte[] bytes = AndroidHprofWriter.write(heap);
        device = Files.write(dir.resolve("device.hprof"), bytes);
        converted = Files.write(dir.resolve("converted.hprof"), HprofConvPort.convert(bytes));
    }

    private static HeapGraph read(Path file, boolean allHeaps) throws IOException {
        List<String> warnings = new ArrayList<>();
        HeapGraph g = HeapDump.read(file, new HeapDumpOptions(allHeaps, 1, warnings::add));
        assertEquals(List.of(), warnings, "a well-formed file reads without warnings");
        return g;
    }

    @Test
    void theWriterProducesWhatArtWrites() throws IOException {
        byte[] b = Files.readAllBytes(device);
        assertEquals("JAVA PROFILE 1.0.3", new String(b, 0, 18, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(4, b[22], "4-byte ids");
        // ART's small segments: more than one, none over 4096 bytes plus one sub-record.
        int segments = 0;
        int p = 31;
        while (p < b.length) {
            int tag = b[p] & 0xFF;
            int len = java.nio.ByteBuffer.wrap(b, p + 5, 4).getInt();
            if (tag == HprofTestOutput.TAG_HEAP_DUMP_SEGMENT) {
                segments++;
                assertTrue(len < AndroidHprofWriter.MAX_BYTES_PER_SEGMENT + CACHE_ARRAY_BYTES + 64, "segment of " + len + " bytes");
            }
            p += 9 + len;
        }
        assertEquals(b.length, p, "records tile the file");
        assertTrue(segments > 5, segments + " segments");
        byte[] c = Files.readAllBytes(converted);
        assertEquals("JAVA PROFILE 1.0.2", new String(c, 0, 18, java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(c.length < b.length, "conversion drops HEAP DUMP INFO, ART roots' extra bytes and no-data elements");
    }

    @Test
    void theDeviceFileReadsAsTheModel() throws IOException {
        HeapGraph g = read(device, false);
        assertEquals(heap.objects.size(), g.objectCount());
        assertEquals(HeapModelChecks.histogram(heap), HeapModelChecks.histogram(g));
        assertEquals(HeapModelChecks.edges(heap), HeapModelChecks.edges(g));
        assertEquals(List.of("app", "image", "zygote"), g.heapNames().stream().sorted().toList());

        Map<RootKind, Integer> kinds = HeapModelChecks.rootKinds(g);
        for (RootKind k : List.of(RootKind.INTERNED_STRING, RootKind.VM_INTERNAL, RootKind.DEBUGGER, RootKind.FINALIZING,
                RootKind.REFERENCE_CLEANUP, RootKind.JNI_MONITOR, RootKind.JNI_GLOBAL, RootKind.JAVA_FRAME, RootKind.THREAD_OBJECT)) {
            assertTrue(kinds.containsKey(k), k + " among the roots: " + kinds);
        }
        assertFalse(kinds.containsKey(RootKind.UNKNOWN), "no ART root kind is left unknown: " + kinds);
    }

    @Test
    void onlyTheAppHeapIsCountedByDefault() throws IOException {
        HeapGraph app = read(device, false);
        HeapGraph all = read(device, true);
        int image = 0;
        int zygote = 0;
        for (SyntheticHeap.Obj o : heap.objects) {
            if (o.heap() == SyntheticHeap.IMAGE) image++;
            if (o.heap() == SyntheticHeap.ZYGOTE) zygote++;
        }
        int notCounted = 0;
        for (int o = 0; o < app.objectCount(); o++) {
            if (!app.isCounted(o)) {
                notCounted++;
                assertEquals(0, app.countedBytes(o));
            }
            assertTrue(all.isCounted(o), "--heaps all counts every object");
        }
        assertEquals(image + zygote, notCounted, "the image and zygote heaps' objects are not counted");
        // The app array held only through the zygote's list is still reached, and counted.
        int zygoteArrays = 0;
        for (int o = 0; o < app.objectCount(); o++) if (app.className(o).equals("int[]")) zygoteArrays++;
        assertEquals(1, zygoteArrays);
        int appInt = HeapModelChecks.first(app, "int[]");
        assertTrue(app.isCounted(appInt) && Dominators.compute(app).isReachable(appInt));
    }

    @Test
    void arraysWithoutDataHaveTheSizeOfTheirLength() throws IOException {
        HeapGraph g = read(device, true);
        int chars = HeapModelChecks.first(g, "char[]");
        assertTrue(chars >= 0);
        assertTrue(g.shallowBytes(chars) >= 2 * NO_DATA_CHARS, "shallow " + g.shallowBytes(chars) + " for " + NO_DATA_CHARS + " chars");
        HeapGraph c = read(converted, true);
        assertTrue(c.shallowBytes(HeapModelChecks.first(c, "char[]")) < 2 * NO_DATA_CHARS, "hprof-conv left an empty array");
    }

    @Test
    void retainedSizesAgreeWithTheSlowComputation() throws IOException {
        for (boolean allHeaps : new boolean[] {false, true}) {
            for (Path f : List.of(device, converted)) {
                HeapGraph g = read(f, allHeaps);
                HeapModelChecks.assertRetainedSizesAgree(g, Dominators.compute(g));
            }
        }
    }

    @Test
    void knownStructuresRetainWhatTheyHold() throws IOException {
        HeapGraph g = read(device, false);
        Dominators d = Dominators.compute(g);
        int cache = HeapModelChecks.first(g, "com.example.Cache.class");
        int[] held = g.references(cache);
        assertEquals(1, held.length, "Cache.ENTRIES");
        int list = held[0];
        assertEquals("java.lang.Object[]", g.className(list));
        long expected = g.shallowBytes(list);
        for (int a : g.references(list)) {
            assertEquals("byte[]", g.className(a));
            assertTrue(g.shallowBytes(a) >= CACHE_ARRAY_BYTES, "a " + CACHE_ARRAY_BYTES + "-byte array is at least that big");
            expected += g.shallowBytes(a);
        }
        assertEquals(CACHE_ARRAYS, g.references(list).length);
        assertEquals(expected, d.retainedBytes(list), "the list retains itself and its arrays");
        assertEquals(expected + g.shallowBytes(cache), d.retainedBytes(cache), "and the class holding it a bit more");

        int local = HeapModelChecks.first(g, "com.example.LocalOnly");
        int payload = g.references(local)[0];
        assertEquals("long[]", g.className(payload));
        assertTrue(g.shallowBytes(payload) >= 8L * LOCAL_LONGS);
        assertEquals(g.shallowBytes(local) + g.shallowBytes(payload), d.retainedBytes(local));
        boolean frameRoot = false;
        for (int r = 0; r < g.rootCount(); r++) frameRoot |= g.rootObject(r) == local && g.rootLabel(r).kind() == RootKind.JAVA_FRAME;
        assertTrue(frameRoot, "held by a local variable of a thread");
    }

    /** The acceptance test of issue 13: a 1.0.3 file and its hprof-conv equivalent give the same graph. */
    @Test
    void aDeviceFileAndItsHprofConvEquivalentGiveTheSameGraph() throws IOException {
        HeapGraph a = read(device, false);
        HeapGraph b = read(converted, false);
        assertEquals(a.objectCount(), b.objectCount());
        for (int o = 0; o < a.objectCount(); o++) {
            assertEquals(a.className(o), b.className(o), "object " + o);
            assertArrayEquals(a.references(o), b.references(o), "references of object " + o + " (" + a.className(o) + ")");
        }
        // The same objects are roots, of other kinds (hprof-conv makes ART's kinds UNKNOWN), but for one:
        // hprof-conv turns ART's "unreachable" marker (0x90) into a root, which jjf does not take it for.
        java.util.Set<Integer> extra = new java.util.TreeSet<>(rootSet(b));
        extra.removeAll(rootSet(a));
        assertTrue(rootSet(b).containsAll(rootSet(a)));
        assertEquals(1, extra.size(), "roots only in the converted file: " + extra);
        int unreachable = extra.iterator().next();
        assertEquals("byte[]", a.className(unreachable));
        assertTrue(a.shallowBytes(unreachable) >= UNREACHABLE_BYTES && a.shallowBytes(unreachable) < UNREACHABLE_BYTES + 32);
        assertTrue(HeapModelChecks.rootKinds(b).containsKey(RootKind.UNKNOWN));
        Dominators da = Dominators.compute(a);
        Dominators db = Dominators.compute(b);
        assertFalse(da.isReachable(unreachable));
        assertEquals(Dominators.ROOTS, db.immediateDominator(unreachable));
        for (int o = 0; o < a.objectCount(); o++) {
            if (o == unreachable) continue;
            assertEquals(da.immediateDominator(o), db.immediateDominator(o), "dominator of object " + o + " (" + a.className(o) + ")");
        }
        // Without HEAP DUMP INFO every object of the converted file counts, the image's and zygote's too.
        assertNotEquals(da.reachableBytes(), db.reachableBytes());
    }

    private static java.util.Set<Integer> rootSet(HeapGraph g) {
        java.util.Set<Integer> s = new java.util.TreeSet<>();
        for (int r = 0; r < g.rootCount(); r++) s.add(g.rootObject(r));
        return s;
    }
}
