package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap records read on two threads ({@link SegmentSplit}) give the graph one thread gives, object
 * for object in the same dense order, on dumps with what makes a worker stop: classes dumped
 * between their instances, instances before their class, array classes first met late, roots and
 * ART's heap infos among the objects, ids that do not pack; also cut and corrupt ones.
 */
class SegmentSplitTest {
    private static final long NODE = 0x100;
    private static final long SUB = 0x180;
    private static final long ARRAY = 0x200;
    private static final long STRING = 0x10;
    private static final long THREAD = 0x20;
    private static final long BUFFER = 0x28;
    private static final String WORKER_THREAD = "jjf-hprof-worker";

    @TempDir
    Path dir;

    /** A random dump in small segments; 8-byte ids are HotSpot's form, 4-byte ids ART's with heap infos. */
    static byte[] mixedDump(long seed, int idSize, int objects) {
        Random r = new Random(seed);
        boolean art = idSize == 4;
        HprofWriter w = new HprofWriter(art ? "JAVA PROFILE 1.0.3" : "JAVA PROFILE 1.0.2", idSize, 200 + r.nextInt(800));
        w.loadClass(NODE, "dev/example/Node");
        w.loadClass(SUB, "dev/example/Sub");
        w.loadClass(ARRAY, "[Ldev/example/Node;");
        List<HprofWriter.Field> nodeFields = List.of(new HprofWriter.Field("next", 2), new HprofWriter.Field("a", 2),
                new HprofWriter.Field("b", 2));
        w.classDump(NODE, 0, nodeFields);
        w.classDump(ARRAY, 0, List.of());
        if (!art) {
            w.loadClass(STRING, "java/lang/String");
            w.loadClass(THREAD, "java/lang/Thread");
            w.loadClass(BUFFER, "java/nio/DirectByteBuffer");
            w.classDump(STRING, 0, List.of(new HprofWriter.Field("value", 2), new HprofWriter.Field("coder", 8)));
            w.classDump(THREAD, 0, List.of(new HprofWriter.Field("name", 2)));
            w.classDump(BUFFER, 0, List.of(new HprofWriter.Field("capacity", 10), new HprofWriter.Field("cleaner", 2),
                    new HprofWriter.Field("att", 2), new HprofWriter.Field("fd", 2)));
        }
        long base = art ? 0x1000_0000L : 0x7_0000_0000L;
        long id = base;
        long other = base + 16L * objects * 4;
        int threads = 0;
        for (int i = 0; i < objects; i++, id += 16) {
            long any = base + 16L * r.nextInt(objects + objects / 4);
            int pick = r.nextInt(100);
            if (i == objects / 3) w.classDump(SUB, NODE, List.of(new HprofWriter.Field("x", 2)));
            if (pick < 55) {
                // Some references are to odd ids, which do not pack, and to ids not in the dump.
                long odd = r.nextInt(10) == 0 ? base + 16L * r.nextInt(objects) + 1 : 0;
                w.instance(r.nextInt(30) == 0 ? id + 1 : id, NODE, base + 16L * (i + 1), any, odd);
            } else if (pick < 65) {
                w.instance(id, SUB, any, base + 16L * (i + 1), 0, any);
            } else if (pick < 72) {
                w.objectArray(id, ARRAY, any, 0, base + 16L * r.nextInt(objects));
            } else if (pick < 78) {
                // byte[]'s class is first met in the second half.
                if (i > objects / 2) {
                    w.byteArray(id, 10 + r.nextInt(100), !art || r.nextBoolean());
                } else {
                    w.instance(id, NODE, 0, 0, 0);
                }
            } else if (pick < 84) {
                w.root(HprofParser.ROOT_UNKNOWN, any);
                w.instance(id, NODE, any, 0, 0);
            } else if (pick < 87 && art) {
                w.heapInfo(1 + r.nextInt(3), new String[] {"image", "zygote", "app"}[r.nextInt(3)]);
                w.instance(id, NODE, any, 0, 0);
            } else if (pick < 89 && !art) {
                // A named thread: its name's String and bytes before it.
                long name = other;
                long bytes = other + 16;
                other += 32;
                w.instanceData(name, STRING, ByteBuffer.allocate(9).putLong(bytes).put((byte) 0).array());
                w.byteArray(bytes, ("worker-" + threads).getBytes(StandardCharsets.ISO_8859_1));
                w.instance(id, THREAD, name);
                w.threadRoot(id, ++threads, 0);
            } else if (pick < 91 && !art) {
                w.instanceData(id, BUFFER, ByteBuffer.allocate(28).putInt(4096 + i).putLong(r.nextBoolean() ? any : 0).putLong(0).putLong(0)
                        .array());
            } else {
                w.instance(id, NODE, base + 16L * (i + 1), 0, 0);
            }
            if (r.nextInt(40) == 0) w.flushHeap();
        }
        w.root(HprofParser.ROOT_UNKNOWN, base);
        return w.bytes();
    }

    /** Everything the graph says, object by object in dense order. */
    static String fingerprint(HeapGraph g, List<String> warnings) {
        StringBuilder sb = new StringBuilder(g.format()).append(' ').append(g.objectCount()).append(' ').append(g.referenceCount())
                .append(' ').append(g.stats()).append(' ').append(g.heapNames()).append(' ').append(warnings).append('\n');
        for (int o = 0; o < g.objectCount(); o++) {
            sb.append(o).append(' ').append(g.className(o)).append(' ').append(g.shallowBytes(o)).append(' ').append(g.isCounted(o))
                    .append(' ').append(java.util.Arrays.toString(g.references(o))).append('\n');
        }
        for (int i = 0; i < g.rootCount(); i++) sb.append("root ").append(g.rootObject(i)).append(' ').append(g.rootLabel(i)).append('\n');
        for (int i = 0; i < g.nativeOwnerCount(); i++) {
            sb.append("native ").append(g.nativeOwner(i)).append(' ').append(g.nativeBytes(i)).append(' ').append(g.nativeKind(i)).append('\n');
        }
        return sb.toString();
    }

    private static String read(Path file, long splitBytes, boolean allHeaps) throws IOException {
        List<String> warnings = new ArrayList<>();
        HeapGraph g = HeapDump.read(() -> Files.newInputStream(file), file, true, splitBytes, new HeapDumpOptions(allHeaps, 1, warnings::add));
        assertNoWorkerLeft();
        return fingerprint(g, warnings);
    }

    private static void assertNoWorkerLeft() {
        for (Thread t : Thread.getAllStackTraces().keySet()) assertFalse(t.getName().equals(WORKER_THREAD) && t.isAlive(), "a worker is still running");
    }

    /**
     * The objects workers read and the reading thread took over, for this dump and split size,
     * when the reading thread waits for each worker (normally it stops them at their next record,
     * and how far they got depends on timing).
     */
    static long adopted(Path file, long splitBytes) throws IOException {
        HprofParser p = new HprofParser(new HprofInput(Files.newInputStream(file), file), false);
        SegmentSplit split = SegmentSplit.of(file, splitBytes);
        split.waitForWorker = true;
        p.split = split;
        p.parse();
        return split.adoptedObjects();
    }

    /** The parser's own result with the workers read to their end, as a graph would be built from it. */
    private static String parsed(Path file, long splitBytes, boolean waitForWorker) throws IOException {
        HprofParser p = new HprofParser(new HprofInput(Files.newInputStream(file), file), false);
        if (splitBytes >= 0) {
            p.split = SegmentSplit.of(file, splitBytes);
            p.split.waitForWorker = waitForWorker;
        }
        p.parse();
        StringBuilder sb = new StringBuilder();
        for (long i = 0; i < p.objectClass.size(); i++) {
            sb.append(p.objectClass.get(i)).append(' ').append(p.shallowBytes.get(i)).append(' ').append(p.edgeStart.get(i)).append('\n');
        }
        sb.append(p.edgeStart.get(p.objectClass.size())).append(' ').append(p.classes.size()).append(' ').append(p.rootIds.size())
                .append(' ').append(p.nativeOwners.size()).append(' ').append(p.truncatedAt).append('\n');
        for (long i = 0; i < p.objectIds.size(); i++) sb.append(p.objectIds.packed.get(i)).append(' ');
        for (long i = 0; i < p.edgeTargets.size(); i++) sb.append(p.edgeTargets.packed.get(i)).append(' ');
        sb.append(p.objectIds.escaped.size()).append(' ').append(p.edgeTargets.escaped.size());
        return sb.toString();
    }

    @Test
    void twoThreadsGiveTheGraphOneThreadGives() throws IOException {
        long adopted = 0;
        for (long seed = 1; seed <= 12; seed++) {
            int idSize = seed % 3 == 0 ? 4 : 8;
            Path file = Files.write(dir.resolve("mixed-" + seed + ".hprof"), mixedDump(seed, idSize, 300 + (int) seed * 150));
            String one = read(file, -1, seed % 2 == 0);
            assertTrue(one.contains("dev.example.Sub"), one);
            for (long splitBytes : new long[] {0, 1000, Files.size(file) / 3}) {
                assertEquals(one, read(file, splitBytes, seed % 2 == 0), "seed " + seed + ", split from " + splitBytes + " bytes");
            }
            adopted += adopted(file, 0);
            assertEquals(parsed(file, -1, false), parsed(file, 0, true), "seed " + seed);
        }
        // Workers did read objects (not only stop at once).
        assertTrue(adopted > 1000, "workers read " + adopted + " objects");
    }

    @Test
    void namedThreadsDirectBuffersAndDeferredInstancesSurviveTheSplit() throws IOException {
        Path file = Files.write(dir.resolve("mixed.hprof"), mixedDump(42, 8, 3000));
        String two = read(file, 0, false);
        assertEquals(read(file, -1, false), two);
        assertTrue(two.contains("thread \"worker-"), "thread names found by seeking: " + two.lines().filter(l -> l.startsWith("root")).limit(20).toList());
        assertTrue(two.contains("native "), "direct buffers own native memory");
        assertTrue(adopted(file, 0) > 0);
    }

    @Test
    void aCutDumpGivesTheSamePartAndWarning() throws IOException {
        byte[] dump = mixedDump(7, 8, 2000);
        for (int cut : new int[] {dump.length - 1, dump.length - 700, dump.length / 2, dump.length / 5}) {
            Path file = Files.write(dir.resolve("cut-" + cut + ".hprof"), java.util.Arrays.copyOf(dump, cut));
            String one = read(file, -1, false);
            assertTrue(one.contains("truncated=true"), one.lines().findFirst().orElseThrow());
            assertEquals(one, read(file, 0, false), "cut at " + cut);
        }
    }

    @Test
    void badInputInTheWorkersHalfIsTheSameOneLineError() throws IOException {
        byte[] dump = mixedDump(9, 8, 2000);
        // Sub-record tags of the last third made unknown, one at a time: where the worker reads.
        List<Integer> tags = subRecordStarts(dump);
        Random r = new Random(3);
        for (int k = 0; k < 6; k++) {
            int at = tags.get(tags.size() * 2 / 3 + r.nextInt(tags.size() / 3));
            byte[] bad = dump.clone();
            bad[at] = 0x55;
            Path file = Files.write(dir.resolve("bad-" + k + ".hprof"), bad);
            BadInputException one = assertThrows(BadInputException.class, () -> read(file, -1, false));
            BadInputException two = assertThrows(BadInputException.class, () -> read(file, 0, false));
            assertEquals(one.getMessage(), two.getMessage());
            assertTrue(two.getMessage().contains("offset " + at + ": unknown heap sub-record tag 0x55"), two.getMessage());
            assertNoWorkerLeft();
        }
        // An instance claiming more bytes than its segment has.
        int at = tags.get(tags.size() - 40);
        byte[] bad = dump.clone();
        if (bad[at] == HprofParser.INSTANCE_DUMP) {
            ByteBuffer.wrap(bad).putInt(at + 1 + 8 + 4 + 8, 1 << 30);
            Path file = Files.write(dir.resolve("long.hprof"), bad);
            assertEquals(assertThrows(BadInputException.class, () -> read(file, -1, false)).getMessage(),
                    assertThrows(BadInputException.class, () -> read(file, 0, false)).getMessage());
        }
    }

    /** What a read gives: the graph, or the one-line error. */
    private static String outcome(Path file, long splitBytes) {
        try {
            return read(file, splitBytes, false);
        } catch (BadInputException e) {
            return "bad input: " + e.getMessage();
        } catch (IOException e) {
            return "io: " + e;
        }
    }

    /** Randomly damaged dumps (bytes changed, a length made huge, cut): two threads give what one gives, graph or error. */
    @Test
    void damagedDumpsGiveTheSameOutcome() throws IOException {
        byte[] dump = mixedDump(21, 8, 1500);
        byte[] art = mixedDump(22, 4, 1500);
        Random r = new Random(99);
        int same = 0;
        for (int k = 0; k < 120; k++) {
            byte[] bad = (k % 3 == 2 ? art : dump).clone();
            int changes = 1 + r.nextInt(4);
            for (int c = 0; c < changes; c++) {
                int at = bad.length / 4 + r.nextInt(bad.length - bad.length / 4);
                bad[at] = (byte) (r.nextInt(4) == 0 ? 0xff : r.nextInt(256));
            }
            if (k % 7 == 0) bad = java.util.Arrays.copyOf(bad, bad.length - r.nextInt(bad.length / 2));
            Path file = Files.write(dir.resolve("damaged-" + k + ".hprof"), bad);
            String one = outcome(file, -1);
            assertEquals(one, outcome(file, 0), "damaged dump " + k);
            if (!one.startsWith("bad input")) same++;
        }
        // Not every damage is fatal: some dumps read as graphs, so both paths were compared there too.
        assertTrue(same > 0);
    }

    /** The offsets of every heap sub-record of a dump with 8-byte ids that holds only the kinds mixedDump writes. */
    private static List<Integer> subRecordStarts(byte[] dump) {
        List<Integer> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(dump);
        int p = "JAVA PROFILE 1.0.2".length() + 1 + 12;
        while (p < dump.length) {
            int tag = dump[p] & 0xff;
            int end = p + 9 + b.getInt(p + 5);
            if (tag == HprofParser.HEAP_DUMP_SEGMENT) {
                for (int q = p + 9; q < end; ) {
                    out.add(q);
                    int sub = dump[q] & 0xff;
                    q += switch (sub) {
                        case HprofParser.INSTANCE_DUMP -> 1 + 8 + 4 + 8 + 4 + b.getInt(q + 21);
                        case HprofParser.OBJ_ARRAY_DUMP -> 1 + 8 + 4 + 4 + 8 + 8 * b.getInt(q + 13);
                        case HprofParser.PRIM_ARRAY_DUMP -> 1 + 8 + 4 + 4 + 1 + b.getInt(q + 13);
                        case HprofParser.ROOT_UNKNOWN -> 1 + 8;
                        case HprofParser.ROOT_THREAD_OBJECT -> 1 + 8 + 8;
                        case HprofParser.CLASS_DUMP -> classDumpBytes(b, q);
                        default -> throw new IllegalStateException("sub-record 0x" + Integer.toHexString(sub));
                    };
                }
            }
            p = end;
        }
        return out;
    }

    /** A class dump as HprofWriter writes it: no constants, reference statics only. */
    private static int classDumpBytes(ByteBuffer b, int q) {
        int p = q + 1 + 8 + 4 + 6 * 8 + 4;
        p += 2;
        int statics = b.getShort(p) & 0xffff;
        p += 2 + statics * (8 + 1 + 8);
        int fields = b.getShort(p) & 0xffff;
        return p + 2 + fields * 9 - q;
    }

    /** IntList.appendAll across chunk boundaries, with an offset, from small and big lists. */
    @Test
    void intListAppendTakesOverChunks() {
        int chunk = IntList.CHUNK_SIZE;
        for (int[] sizes : new int[][] {{0, 5}, {5, 0}, {3, 2 * chunk + 7}, {chunk, chunk}, {chunk + 1, 3 * chunk - 1}, {2 * chunk - 3, 10}, {700, 1500}}) {
            IntList a = new IntList();
            IntList b = new IntList();
            for (int i = 0; i < sizes[0]; i++) a.add(i);
            for (int i = 0; i < sizes[1]; i++) b.add(sizes[0] + i - 1000);
            a.appendAll(b, 1000);
            assertEquals(sizes[0] + sizes[1], a.size());
            assertEquals(0, b.size());
            for (long i = 0; i < a.size(); i++) {
                if (a.get(i) != i) assertEquals(i, a.get(i), "sizes " + java.util.Arrays.toString(sizes) + " entry " + i);
            }
            a.add(-7);
            assertEquals(-7, a.get(sizes[0] + sizes[1]));
        }
        // Renumbered: entries from 7 on are looked up, the others kept.
        IntList a = new IntList();
        IntList b = new IntList();
        for (int i = 0; i < chunk + 3; i++) a.add(1);
        for (int i = 0; i < chunk + 5; i++) b.add(i % 10);
        a.appendAll(b, 0, 7, new int[] {100, 101, 102});
        for (long i = chunk + 3; i < a.size(); i++) {
            int v = (int) ((i - chunk - 3) % 10);
            assertEquals(v >= 7 ? 93 + v : v, a.get(i), "entry " + i);
        }
    }
}
