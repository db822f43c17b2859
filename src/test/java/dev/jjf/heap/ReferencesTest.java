package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * References mapped on two threads are the ones one thread maps, dropped ones included, with
 * references that pack and ones kept in full on both sides of the halves' border.
 */
class ReferencesTest {
    private record Case(int[] edgeStart, long[] targets, long[] objectIds) {
    }

    /** {@code objects} objects with about {@code refs} references, some to odd ids (kept in full) and some to ids not in the dump. */
    private static Case randomCase(long seed, int objects, int refs, int missingPercent) {
        Random r = new Random(seed);
        long base = 0x7_0000_0000L;
        long[] ids = new long[objects];
        for (int i = 0; i < objects; i++) ids[i] = r.nextInt(50) == 0 ? base + 16L * i + 1 : base + 16L * i;
        int[] edgeStart = new int[objects + 1];
        long[] targets = new long[refs];
        int e = 0;
        for (int o = 0; o < objects; o++) {
            edgeStart[o] = e;
            int n = o == objects - 1 ? refs - e : Math.min(refs - e, r.nextInt(2 * refs / objects + 1));
            for (int k = 0; k < n; k++) {
                targets[e++] = r.nextInt(100) < missingPercent ? base + 16L * (objects + r.nextInt(1000)) + 8 : ids[r.nextInt(objects)];
            }
        }
        edgeStart[objects] = e;
        return new Case(edgeStart, java.util.Arrays.copyOf(targets, e), ids);
    }

    private static References.Resolved resolve(Case c, long minParallel) {
        IdCodec codec = new IdCodec();
        IdList ids = new IdList(codec);
        for (long id : c.objectIds()) ids.add(id);
        IdList targets = new IdList(codec);
        for (long t : c.targets()) targets.add(t);
        IdIndex index = IdIndex.of(ids);
        int[] starts = c.edgeStart().clone();
        References.Resolved r = References.resolve(starts, c.objectIds().length, targets, index, minParallel);
        assertEquals(0, targets.size());
        // The starts are rewritten in place: compare them with the result's.
        int[] withStarts = new int[r.edges().length + starts.length];
        System.arraycopy(starts, 0, withStarts, 0, starts.length);
        System.arraycopy(r.edges(), 0, withStarts, starts.length, r.edges().length);
        return new References.Resolved(withStarts, r.dropped());
    }

    @Test
    void twoThreadsMapWhatOneMaps() {
        for (int missing : new int[] {0, 3}) {
            Case c = randomCase(missing + 1, 300_000, 2 * IntList.CHUNK_SIZE + 150_001, missing);
            References.Resolved one = resolve(c, -1);
            References.Resolved two = resolve(c, 0);
            assertEquals(one.dropped(), two.dropped());
            assertEquals(missing == 0, one.dropped() == 0, "dropped " + one.dropped());
            assertArrayEquals(one.edges(), two.edges());
            // And the mapping is right: each kept reference names the object with its id, in order.
            int objects = c.objectIds().length;
            int[] starts = java.util.Arrays.copyOf(one.edges(), objects + 1);
            int m = 0;
            for (int o = 0; o < objects; o++) {
                assertEquals(m, starts[o]);
                for (int e = c.edgeStart()[o]; e < c.edgeStart()[o + 1]; e++) {
                    int want = java.util.Arrays.binarySearch(c.objectIds(), c.targets()[e]);
                    if (want < 0) continue;
                    assertEquals(want, one.edges()[objects + 1 + m++], "object " + o + " reference " + e);
                }
            }
            assertEquals(m, starts[objects]);
        }
    }

    @Test
    void smallListsStayOnOneThreadAndEmptyOnesWork() {
        Case c = randomCase(9, 1000, 5000, 5);
        References.Resolved a = resolve(c, 0);
        References.Resolved b = resolve(c, -1);
        assertArrayEquals(b.edges(), a.edges());
        assertTrue(a.dropped() > 0);
        Case empty = new Case(new int[] {0, 0}, new long[0], new long[] {0x1000});
        References.Resolved none = resolve(empty, 0);
        assertEquals(0, none.dropped());
        assertArrayEquals(new int[] {0, 0}, none.edges());
        for (Thread t : Thread.getAllStackTraces().keySet()) assertFalse(t.getName().equals("jjf-hprof-references") && t.isAlive());
    }
}
