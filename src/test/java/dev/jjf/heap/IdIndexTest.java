package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The id index built on two threads finds what the one built on one thread finds. */
class IdIndexTest {
    private static IdIndex index(long[] ids, IdCodec codec, long minParallel) {
        IdList list = new IdList(codec);
        for (long id : ids) list.add(id);
        return IdIndex.of(list, minParallel);
    }

    /** Unique ids out of order, over more than two chunks: the ranks' dense numbers are found on two threads. */
    @Test
    void uniqueIdsOverSeveralChunks() {
        int n = 2 * IntList.CHUNK_SIZE + 300_001;
        long base = 0x7_f000_0000L;
        long[] ids = new long[n];
        // A permutation of n granules (n is odd, the step prime to it), some odd ids kept in full.
        for (int i = 0; i < n; i++) ids[i] = base + 8L * ((i * 1_000_003L) % n) + (i % 1000 == 0 ? 8L * n + 1 + 16L * i : 0);
        IdCodec codec = new IdCodec();
        IdIndex one = index(ids, codec, -1);
        IdIndex two = index(ids, codec, 0);
        assertEquals(0, two.duplicates);
        for (int i = 0; i < n; i++) {
            assertEquals(i, one.find(ids[i]));
            if (two.find(ids[i]) != i) assertEquals(i, two.find(ids[i]), "id " + i);
        }
        assertEquals(-1, two.find(base + 8L * n + 8));
    }

    @Test
    void twoThreadsFindWhatOneFinds() {
        Random r = new Random(17);
        for (int round = 0; round < 12; round++) {
            int n = round < 6 ? 1 + r.nextInt(3000) : 200_000 + r.nextInt(100_000);
            long base = 0x7_f000_0000L;
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                int kind = r.nextInt(40);
                // Aligned ids in runs out of order (a parallel collector's heap), repeats, odd ids kept in full.
                ids[i] = kind == 0 && i > 0 ? ids[r.nextInt(i)]
                        : kind == 1 ? base + 8L * r.nextInt(4 * n) + 1
                        : round % 3 == 0 ? base + 8L * i : base + 8L * ((i * 7919L) % (4L * n));
            }
            IdCodec codec = new IdCodec();
            IdIndex one = index(ids, codec, -1);
            IdIndex two = index(ids, codec, 0);
            assertEquals(one.duplicates, two.duplicates, "round " + round);
            for (int i = 0; i < n; i++) assertEquals(one.find(ids[i]), two.find(ids[i]), "round " + round + " id " + i);
            for (int k = 0; k < 5000; k++) {
                long probe = base + 8L * r.nextInt(5 * n) + (k % 7 == 0 ? 1 : 0);
                assertEquals(one.find(probe), two.find(probe), "round " + round + " probe " + Long.toHexString(probe));
            }
        }
    }

    /** Ids whose list went to a spill file as it grew (a dump too big for the heap) are indexed on one thread, rightly. */
    @Test
    void idsInASpillFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        int n = 16 * IntList.CHUNK_SIZE + 12_345;
        long base = 0x7_f000_0000L;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = base + 8L * ((i * 1_000_003L) % n);
        try (SpillFile file = SpillFile.create(dir)) {
            IdCodec codec = new IdCodec();
            IdList list = new IdList(codec);
            list.packed.spillAsItGrows(file);
            for (long id : ids) list.add(id);
            IdIndex spilled = IdIndex.of(list, 0);
            for (int i = 0; i < n; i++) {
                if (spilled.find(ids[i]) != i) assertEquals(i, spilled.find(ids[i]), "id " + i);
            }
        }
    }
}
