package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.stacks.CallTree;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Retained sizes against a slow, independent computation: remove an object, count what becomes unreachable. */
class DominatorsTest {
    private static final long NODE_CLASS = 0x100;
    private static final long ARRAY_CLASS = 0x108;
    private static final List<HprofWriter.Field> NODE_FIELDS = List.of(
            new HprofWriter.Field("a", HprofParser.TYPE_OBJECT), new HprofWriter.Field("b", HprofParser.TYPE_OBJECT),
            new HprofWriter.Field("c", HprofParser.TYPE_OBJECT));

    static HeapGraph read(byte[] dump) throws IOException {
        return HeapDump.read(() -> new ByteArrayInputStream(dump), Path.of("test.hprof"), new HeapDumpOptions(false, 1, w -> { }));
    }

    /** A random graph of Node objects (three references each) and a few arrays; some objects are roots. */
    static byte[] randomDump(long seed, int nodes) {
        Random r = new Random(seed);
        HprofWriter w = HprofWriter.hotspot();
        w.loadClass(NODE_CLASS, "dev/example/Node");
        w.loadClass(ARRAY_CLASS, "[Ldev/example/Node;");
        w.classDump(NODE_CLASS, 0, NODE_FIELDS);
        w.classDump(ARRAY_CLASS, 0, List.of());
        long base = 0x10_0000;
        for (int i = 0; i < nodes; i++) {
            long id = base + 0x20L * i;
            long[] refs = new long[3];
            for (int k = 0; k < 3; k++) {
                int pick = r.nextInt(10);
                // Mostly tree-like links forward, some cross links anywhere, some nulls.
                refs[k] = pick < 4 ? 0 : pick < 8 && i + 1 < nodes ? base + 0x20L * (i + 1 + r.nextInt(Math.min(5, nodes - i - 1)))
                        : base + 0x20L * r.nextInt(nodes);
            }
            if (r.nextInt(7) == 0) {
                long array = base + 0x20L * nodes + 0x40L * i;
                w.objectArray(array, ARRAY_CLASS, refs[0], base + 0x20L * r.nextInt(nodes));
                refs[1] = array;
            }
            w.instance(id, NODE_CLASS, refs);
            if (r.nextInt(Math.max(2, nodes / 4)) == 0 || i == 0) w.root(HprofParser.ROOT_UNKNOWN, id);
        }
        return w.bytes();
    }

    @Test
    void retainedSizesMatchRemovingEachObject() throws IOException {
        for (long seed = 1; seed <= 40; seed++) {
            HeapGraph g = read(randomDump(seed, 5 + (int) (seed * 3)));
            Dominators d = Dominators.compute(g);
            boolean[] all = reachable(g, -1);
            long reachableBytes = 0;
            for (int o = 0; o < g.objectCount(); o++) {
                assertEquals(all[o], d.isReachable(o), "seed " + seed + " object " + o);
                if (all[o]) reachableBytes += g.countedBytes(o);
            }
            assertEquals(reachableBytes, d.reachableBytes());
            for (int o = 0; o < g.objectCount(); o++) {
                if (!all[o]) {
                    assertEquals(0, d.retainedBytes(o));
                    continue;
                }
                boolean[] without = reachable(g, o);
                long freed = 0;
                for (int x = 0; x < g.objectCount(); x++) {
                    if (all[x] && !without[x]) freed += g.countedBytes(x);
                }
                assertEquals(freed, d.retainedBytes(o), "seed " + seed + ": retained size of " + g.className(o) + " #" + o);
            }
        }
    }

    @Test
    void immediateDominatorsAreDominatorsAndRetainedTreeTotalsTheReachableHeap() throws IOException {
        HeapGraph g = read(randomDump(99, 300));
        Dominators d = Dominators.compute(g);
        boolean[] all = reachable(g, -1);
        for (int o = 0; o < g.objectCount(); o++) {
            int dom = d.immediateDominator(o);
            if (!all[o]) {
                assertEquals(Dominators.UNREACHABLE, dom);
            } else if (dom >= 0) {
                assertFalse(reachable(g, dom)[o], "removing its dominator leaves " + o + " reachable");
                assertTrue(d.retainedBytes(dom) > d.retainedBytes(o));
            }
        }
        CallTree retained = HeapFolder.fold(g, d, HeapMetric.RETAINED);
        assertEquals(d.reachableBytes(), retained.total(), 0.0);
        CallTree count = HeapFolder.fold(g, d, HeapMetric.COUNT);
        assertEquals(d.reachableCount(), count.total(), 0.0);
    }

    @Test
    void aLongChainNeedsNoRecursion() throws IOException {
        HprofWriter w = HprofWriter.hotspot();
        w.loadClass(NODE_CLASS, "dev/example/Node");
        w.classDump(NODE_CLASS, 0, NODE_FIELDS);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            long next = i + 1 < n ? 0x1000 + 0x20L * (i + 1) : 0;
            w.instance(0x1000 + 0x20L * i, NODE_CLASS, next, 0, 0);
        }
        w.root(HprofParser.ROOT_UNKNOWN, 0x1000);
        HeapGraph g = read(w.bytes());
        Dominators d = Dominators.compute(g);
        int head = 1; // object 0 is the class
        assertEquals("dev.example.Node", g.className(head));
        assertEquals(n * 24L, d.retainedBytes(head));
        CallTree tree = HeapFolder.fold(g, d, HeapMetric.RETAINED);
        // The chain's nodes fold into one frame under the root.
        CallTree.Node root = tree.root().children().stream().filter(c -> c.name().equals(RootKind.UNKNOWN.label())).findFirst().orElseThrow();
        assertEquals(1, root.descendants());
        assertEquals(n * 24.0, root.total(), 0.0);
    }

    /** Reachable objects from the roots, not passing through {@code removed}: a plain BFS over references. */
    static boolean[] reachable(HeapGraph g, int removed) {
        boolean[] seen = new boolean[g.objectCount()];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int r = 0; r < g.rootCount(); r++) {
            int o = g.rootObject(r);
            if (o != removed && !seen[o]) {
                seen[o] = true;
                queue.add(o);
            }
        }
        while (!queue.isEmpty()) {
            int o = queue.poll();
            for (int t : g.references(o)) {
                if (t != removed && !seen[t]) {
                    seen[t] = true;
                    queue.add(t);
                }
            }
        }
        return seen;
    }

    static List<Integer> objectsOf(HeapGraph g, String className) {
        List<Integer> out = new ArrayList<>();
        for (int o = 0; o < g.objectCount(); o++) {
            if (g.className(o).equals(className)) out.add(o);
        }
        return out;
    }

    /**
     * The owners-only native fold (for the summary) has exactly the full native fold's non-empty
     * paths: direct buffers held by nodes of two classes (runs of one class fold), by arrays, by
     * several roots, by class statics, at every depth.
     */
    @Test
    void nativeOwnersFoldHasTheFullFoldsPaths() throws IOException {
        long buffer = 0x110;
        long other = 0x118;
        long holder = 0x120;
        for (long seed = 1; seed <= 25; seed++) {
            Random r = new Random(seed);
            HprofWriter w = HprofWriter.hotspot();
            w.loadClass(NODE_CLASS, "dev/example/Node");
            w.loadClass(other, "dev/example/Other");
            w.loadClass(ARRAY_CLASS, "[Ldev/example/Node;");
            w.loadClass(buffer, "java/nio/DirectByteBuffer");
            w.loadClass(holder, "dev/example/Holder");
            w.classDump(NODE_CLASS, 0, NODE_FIELDS);
            w.classDump(other, 0, NODE_FIELDS);
            w.classDump(ARRAY_CLASS, 0, List.of());
            w.classDump(buffer, 0, List.of(new HprofWriter.Field("capacity", 10), new HprofWriter.Field("cleaner", 2),
                    new HprofWriter.Field("att", 2), new HprofWriter.Field("fd", 2)));
            int nodes = 20 + r.nextInt(400);
            long base = 0x10_0000;
            long buffers = base + 0x20L * nodes;
            w.classDump(holder, 0, List.of(), buffers);
            for (int i = 0; i < nodes; i++) {
                long[] refs = new long[3];
                for (int k = 0; k < 3; k++) {
                    int pick = r.nextInt(10);
                    refs[k] = pick < 3 ? 0 : pick < 8 && i + 1 < nodes ? base + 0x20L * (i + 1 + r.nextInt(Math.min(3, nodes - i - 1)))
                            : pick < 9 ? buffers + 0x40L * r.nextInt(nodes) : base + 0x20L * r.nextInt(nodes);
                }
                if (r.nextInt(9) == 0) {
                    long array = buffers + 0x40L * nodes + 0x40L * i;
                    w.objectArray(array, ARRAY_CLASS, refs[0], buffers + 0x40L * r.nextInt(nodes));
                    refs[1] = array;
                }
                w.instance(base + 0x20L * i, r.nextInt(3) == 0 ? other : NODE_CLASS, refs);
                w.instanceData(buffers + 0x40L * i, buffer, java.nio.ByteBuffer.allocate(28).putInt(1000 + r.nextInt(5000))
                        .putLong(r.nextBoolean() ? 0x9000 : 0).putLong(0).putLong(0).array());
                if (r.nextInt(Math.max(2, nodes / 5)) == 0 || i == 0) w.root(HprofParser.ROOT_UNKNOWN, base + 0x20L * i);
            }
            HeapGraph g = read(w.bytes());
            Dominators d = Dominators.compute(g);
            CallTree full = HeapFolder.fold(g, d, HeapMetric.NATIVE);
            CallTree owners = new CallTree(HeapMetric.NATIVE.unit());
            HeapFolder.foldNativeOwners(owners, g, d, false);
            assertTrue(full.total() > 0);
            assertEquals(selfByPath(full), selfByPath(owners), "seed " + seed);
            assertTrue(owners.size() <= full.size());
        }
    }

    /** Every node with a value of its own, by its path. */
    static java.util.Map<String, Double> selfByPath(CallTree tree) {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        ArrayDeque<CallTree.Node> stack = new ArrayDeque<>();
        ArrayDeque<String> paths = new ArrayDeque<>();
        stack.push(tree.root());
        paths.push("");
        while (!stack.isEmpty()) {
            CallTree.Node n = stack.pop();
            String path = paths.pop();
            if (n.self() != 0) out.put(path, n.self());
            for (CallTree.Node c : n.children()) {
                stack.push(c);
                paths.push(path + ";" + c.name() + "/" + c.kind());
            }
        }
        return out;
    }
}
