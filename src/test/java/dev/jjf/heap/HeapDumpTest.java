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

    /** Members as HotSpot's gzip writer makes them: the first with jcmd's comment, each a raw deflate stream, CRC and length. */
    static byte[] jcmdGzip(byte[] plain, int blockBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < plain.length; at += blockBytes) {
            int n = Math.min(blockBytes, plain.length - at);
            byte[] comment = at == 0 ? (ParallelGzip.JCMD_COMMENT + blockBytes + "\0").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1) : new byte[0];
            out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, (byte) (at == 0 ? 16 : 0), 0, 0, 0, 0, 4, 3});
            out.writeBytes(comment);
            java.util.zip.Deflater d = new java.util.zip.Deflater(1, true);
            d.setInput(plain, at, n);
            d.finish();
            byte[] buf = new byte[n + 1024];
            int k = d.deflate(buf);
            d.end();
            out.write(buf, 0, k);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(plain, at, n);
            java.nio.ByteBuffer trailer = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            trailer.putInt((int) crc.getValue()).putInt(n);
            out.writeBytes(trailer.array());
        }
        return out.toByteArray();
    }

    @Test
    void jcmdGzipIsDecompressedInParallelAndACutOneFallsBackToOneStream(@TempDir Path dir) throws IOException {
        byte[] dump = DominatorsTest.randomDump(11, 3000);
        Path gz = Files.write(dir.resolve("j.hprof.gz"), jcmdGzip(dump, 4096));
        try (java.io.InputStream in = ParallelGzip.open(gz, 3)) {
            assertTrue(in instanceof ParallelGzip);
            assertArrayEquals(dump, in.readAllBytes());
            assertFalse(((ParallelGzip) in).fellBack());
        }
        byte[] whole = Files.readAllBytes(gz);
        Path cut = Files.write(dir.resolve("cut.hprof.gz"), java.util.Arrays.copyOf(whole, whole.length - 100));
        List<String> warnings = new ArrayList<>();
        HeapGraph g = HeapDump.read(cut, new HeapDumpOptions(false, 3, warnings::add));
        assertTrue(g.objectCount() > 0);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("ends inside a record"), warnings.get(0));
        assertEquals(shape(read(dump)), shape(HeapDump.read(gz, new HeapDumpOptions(false, 2, w -> { }))));
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
    void framesNameTheirThreadMethodAndLineAndDirectBuffersOwnTheirCapacity() throws IOException {
        for (boolean classesLast : new boolean[] {false, true}) {
            HeapGraph g = read(HprofSamples.hotspot(classesLast));
            Dominators d = Dominators.compute(g);
            CallTree retained = HeapFolder.fold(g, d, HeapMetric.RETAINED);
            List<String> roots = retained.root().children().stream().map(CallTree.Node::name).toList();
            assertTrue(roots.contains("thread \"main\" in com.example.Holder.run(Holder.java:7)"), roots.toString());
            assertTrue(roots.contains("thread \"main\"") && roots.contains("static fields of com.example.Holder"), roots.toString());
            CallTree nat = HeapFolder.fold(g, d, HeapMetric.NATIVE);
            assertEquals(HprofSamples.BUFFER_CAPACITY, nat.total(), 0.0);
            assertEquals(1, g.nativeOwnerCount());
            assertEquals(NativeKind.DIRECT_BUFFER, g.nativeKind(0));
        }
    }

    @Test
    void idsSortWithTheirPayload() {
        long[] keys = {5, 9, 12, 1, 2, 30, 3, 4};
        int[] payload = {0, 1, 2, 3, 4, 5, 6, 7};
        IdIndex.sort(keys, payload);
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 9, 12, 30}, keys);
        assertArrayEquals(new int[] {3, 4, 6, 7, 0, 1, 2, 5}, payload);
        java.util.Random r = new java.util.Random(5);
        for (int n : new int[] {17, 100, 10_000, 200_000}) {
            long[] big = new long[n];
            // Sorted runs (as parallel dumps give) with repeats and some noise.
            for (int i = 0; i < n; i++) big[i] = (i % 5000) * 8L + (r.nextInt(50) == 0 ? r.nextInt(1000) : 0);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            long[] original = big.clone();
            IdIndex.sort(big, order);
            long[] expected = original.clone();
            java.util.Arrays.sort(expected);
            assertArrayEquals(expected, big);
            for (int i = 0; i < n; i++) assertEquals(original[order[i]], big[i]);
        }
        IdIndex index = new IdIndex(new long[] {0x50, 0x10, 0x30, 0x1_0000_0000L});
        assertEquals(0, index.find(0x50));
        assertEquals(1, index.find(0x10));
        assertEquals(3, index.find(0x1_0000_0000L));
        assertEquals(-1, index.find(0x20));
        assertEquals(-1, index.find(-5));
    }

    @Test
    void bitmapIndexFindsWhatASortedOneFinds() {
        java.util.Random r = new java.util.Random(13);
        for (int round = 0; round < 40; round++) {
            int n = 1 + r.nextInt(round < 20 ? 50 : 20_000);
            long base = round % 3 == 0 ? 0x7_f000_0000L : round % 3 == 1 ? 0x8_0000_0000L : 0xffff_ffff_0000_0000L;
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                int kind = r.nextInt(20);
                // Mostly aligned ids close together (a HotSpot heap), some repeats, odd ids
                // (Native Image classes), ids far away, and in order or shuffled runs.
                ids[i] = kind == 0 && i > 0 ? ids[r.nextInt(i)]
                        : kind == 1 ? base + 8L * r.nextInt(1000) + 1
                        : kind == 2 ? r.nextLong()
                        : round % 2 == 0 ? base + 8L * i * (1 + r.nextInt(3)) : base + 8L * r.nextInt(4 * n);
            }
            IdCodec codec = new IdCodec();
            IdList list = new IdList(codec);
            for (long id : ids) list.add(id);
            IdIndex bitmap = IdIndex.of(list);
            IdIndex sorted = new IdIndex(ids.clone());
            assertEquals(sorted.duplicates, bitmap.duplicates, "round " + round);
            java.util.Map<Long, Integer> first = new java.util.HashMap<>();
            for (int i = 0; i < n; i++) first.putIfAbsent(ids[i], i);
            for (int i = 0; i < n; i++) {
                assertEquals(first.get(ids[i]), bitmap.find(ids[i]), "round " + round + " id " + Long.toHexString(ids[i]));
                assertEquals(first.get(ids[i]), sorted.find(ids[i]), "round " + round + " id " + Long.toHexString(ids[i]));
                int v = codec.encode(ids[i]);
                if (v != IdCodec.ESCAPE) assertEquals(first.get(ids[i]), bitmap.find(v, codec));
            }
            for (int k = 0; k < 200; k++) {
                long probe = k % 2 == 0 ? base + 8L * r.nextInt(8 * n + 10) : r.nextLong();
                int want = first.getOrDefault(probe, -1);
                assertEquals(want, bitmap.find(probe), "round " + round + " probe " + Long.toHexString(probe));
                assertEquals(want, sorted.find(probe));
            }
        }
    }

    private static final long STRING_CLASS = 0x10;
    private static final long THREAD_CLASS = 0x20;

    /** A HotSpot dump with java.lang.String (value, coder), java.lang.Thread (name) and Node declared. */
    private static HprofWriter withThreadClasses() {
        HprofWriter w = HprofWriter.hotspot();
        w.loadClass(STRING_CLASS, "java/lang/String");
        w.loadClass(THREAD_CLASS, "java/lang/Thread");
        w.loadClass(NODE, "dev/example/Node");
        w.classDump(STRING_CLASS, 0, List.of(new HprofWriter.Field("value", 2), new HprofWriter.Field("coder", 8)));
        w.classDump(THREAD_CLASS, 0, List.of(new HprofWriter.Field("name", 2)));
        w.classDump(NODE, 0, ONE_REF);
        return w;
    }

    /**
     * Thread names from a plain file come from short reads at the checkpoints of the names'
     * Strings and arrays, not from a second pass (the source cannot be opened twice), and are the
     * names the second pass finds: names before and after their threads, across segments and
     * other records, one of them UTF-16, one thread without a name String in the dump.
     */
    @Test
    void threadNamesOfAPlainFileNeedNoSecondPass(@TempDir Path dir) throws IOException {
        HprofWriter w = withThreadClasses();
        long string = STRING_CLASS;
        long thread = THREAD_CLASS;
        int threads = 9;
        long id = 0x10_0000;
        for (int t = 0; t < threads; t++) {
            long threadId = 0x1000 + 0x10L * t;
            long nameId = 0x2000 + 0x10L * t;
            long bytesId = 0x3000 + 0x10L * t;
            String name = t == 4 ? "worker \u00e9\u4e16 " + t : "worker-" + t;
            boolean utf16 = t == 4;
            byte[] text = name.getBytes(utf16 ? java.nio.charset.StandardCharsets.UTF_16BE : java.nio.charset.StandardCharsets.ISO_8859_1);
            Runnable nameObjects = () -> {
                w.instanceData(nameId, string, java.nio.ByteBuffer.allocate(9).putLong(bytesId).put((byte) (utf16 ? 1 : 0)).array());
                w.byteArray(bytesId, text);
            };
            // Some names before their thread, some after; many objects between, some segments ended early.
            if (t % 2 == 0) nameObjects.run();
            for (int k = 0; k < 37 * (t + 1); k++, id += 0x10) w.instance(id, NODE, 0);
            w.instance(threadId, thread, t == 7 ? 0x9990 : nameId);
            if (t % 3 == 0) w.flushHeap();
            if (t % 2 == 1) nameObjects.run();
            w.threadRoot(threadId, t + 1, 0);
        }
        byte[] dump = w.bytes();
        Path file = Files.write(dir.resolve("threads.hprof"), dump);
        int[] opens = {0};
        HeapDump.Source once = () -> {
            if (opens[0]++ > 0) throw new IOException("opened twice");
            return Files.newInputStream(file);
        };
        HeapGraph seeking = HeapDump.read(once, file, true, new HeapDumpOptions(false, 1, w2 -> { }));
        HeapGraph twoPasses = read(dump);
        List<String> names = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int r = 0; r < seeking.rootCount(); r++) names.add(seeking.rootLabel(r).name());
        for (int r = 0; r < twoPasses.rootCount(); r++) expected.add(twoPasses.rootLabel(r).name());
        assertEquals(expected, names);
        assertTrue(names.contains("thread \"worker-0\"") && names.contains("thread \"worker-8\""), names.toString());
        assertTrue(names.contains("thread \"worker \u00e9\u4e16 4\""), names.toString());
        assertTrue(names.contains("thread #8"), names.toString()); // its name String is not in the dump
        assertEquals(1, opens[0]);
    }

    /** The second pass for thread names (a dump that cannot be read by seeking, like gzip) stops once it has found them. */
    @Test
    void threadNamesPassStopsWhenItHasTheNames() throws IOException {
        HprofWriter w = withThreadClasses();
        long string = STRING_CLASS;
        long thread = THREAD_CLASS;
        w.instanceData(0x2000, string, java.nio.ByteBuffer.allocate(9).putLong(0x3000).put((byte) 0).array());
        w.byteArray(0x3000, "early".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        for (int k = 0; k < 5000; k++) w.instance(0x10_0000 + 0x10L * k, NODE, 0);
        w.instance(0x1000, thread, 0x2000);
        w.threadRoot(0x1000, 1, 0);
        byte[] dump = w.bytes();
        long[] read = new long[3];
        int[] opens = {0};
        HeapDump.Source counting = () -> {
            int k = opens[0]++;
            return new java.io.FilterInputStream(new ByteArrayInputStream(dump)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int r = super.read(b, off, Math.min(len, 4096));
                    if (r > 0) read[k] += r;
                    return r;
                }
            };
        };
        HeapGraph g = HeapDump.read(counting, Path.of("test.hprof"), new HeapDumpOptions(false, 1, w2 -> { }));
        List<String> names = new ArrayList<>();
        for (int r = 0; r < g.rootCount(); r++) names.add(g.rootLabel(r).name());
        assertTrue(names.contains("thread \"early\""), names.toString());
        assertEquals(2, opens[0]);
        assertEquals(dump.length, read[0]);
        assertTrue(read[1] < dump.length / 4, "the names pass read " + read[1] + " of " + dump.length + " bytes");
    }

    /** IntList across chunk boundaries: the first chunk grows in place, later ones are new; nothing is copied or lost. */
    @Test
    void intListKeepsEveryEntryAcrossChunks() {
        IntList list = new IntList();
        int n = 2 * IntList.CHUNK_SIZE + 12_345;
        for (int i = 0; i < n; i++) list.add(i * 7 + 1);
        assertEquals(n, list.size());
        for (int i : new int[] {0, 1023, 1024, 4095, 4096, IntList.CHUNK_SIZE - 1, IntList.CHUNK_SIZE, 2 * IntList.CHUNK_SIZE, n - 1}) {
            assertEquals(i * 7 + 1, list.get(i), "entry " + i);
        }
        assertEquals(IntList.CHUNK_SIZE * 7 + 1, list.chunk(1)[0]);
        list.set(IntList.CHUNK_SIZE + 5, -3);
        int[] all = list.toArrayAndClear();
        assertEquals(n, all.length);
        assertEquals(-3, all[IntList.CHUNK_SIZE + 5]);
        assertEquals((n - 1) * 7 + 1, all[n - 1]);
        assertEquals(0, list.size());
        list.add(42);
        assertEquals(1, list.size());
        assertEquals(42, list.get(0));
    }
}
