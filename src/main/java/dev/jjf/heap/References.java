package dev.jjf.heap;

import java.util.Arrays;

/**
 * The dump's references, read as packed ids, mapped to dense object numbers: for big dumps the
 * reader's chunks shared with a second thread (each reference maps on its own; a reference's slot
 * is its place in the reader's list), then references to objects not in the dump are dropped in
 * one pass that moves the others down in place.
 */
final class References {
    /** At least this many references are worth a second thread. */
    static final long MIN_PARALLEL_REFERENCES = 2L * IntList.CHUNK_SIZE;

    private References() {
    }

    /** Each object's references as dense numbers ({@code edges} from {@code edgeStart[o]}), and how many were dropped. */
    record Resolved(int[] edges, long dropped) {
    }

    /**
     * Maps {@code targets} (emptied as it goes) to dense numbers and rewrites {@code edgeStart}
     * ({@code objects + 1} starts into the targets) to starts into the result. Two threads from
     * {@code minParallel} references on (a negative value: never).
     */
    static Resolved resolve(int[] edgeStart, int objects, IdList targets, IdIndex index, long minParallel) {
        IntList packed = targets.packed;
        long refs = packed.size();
        int[] edges = new int[Math.toIntExact(refs)];
        int chunks = (int) ((refs + IntList.CHUNK_SIZE - 1) / IntList.CHUNK_SIZE);
        long[] dropped = new long[Math.max(1, chunks)];
        if (minParallel >= 0 && refs >= minParallel && chunks >= 2 && packed.inMemory()) {
            // Where each chunk's full ids start among the escaped ones (none in most HotSpot dumps).
            long[] escapedBefore = new long[chunks];
            if (targets.escaped.size() > 0) {
                for (int c = 1; c < chunks; c++) {
                    long k = escapedBefore[c - 1];
                    for (int v : packed.chunk(c - 1)) {
                        if (v == IdCodec.ESCAPE) k++;
                    }
                    escapedBefore[c] = k;
                }
            }
            TwoThreads.run("jjf-hprof-references", chunks, c -> dropped[c] = resolveChunks(targets, index, edges, c, c + 1, escapedBefore[c]));
        } else {
            dropped[0] = resolveChunks(targets, index, edges, 0, chunks, 0);
        }
        packed.clear();
        targets.escaped.clear();
        long drop = 0;
        for (long d : dropped) drop += d;
        if (drop == 0) return new Resolved(edges, 0);
        // Starts are rewritten in place: an object's new start is never past its old one.
        int m = 0;
        int e = 0;
        for (int o = 0; o < objects; o++) {
            int end = edgeStart[o + 1];
            edgeStart[o] = m;
            for (; e < end; e++) {
                if (edges[e] >= 0) edges[m++] = edges[e];
            }
        }
        edgeStart[objects] = m;
        return new Resolved(Arrays.copyOf(edges, m), drop);
    }

    /**
     * Chunks [{@code from}, {@code to}) of the targets into the same slots of {@code edges}, -1 for
     * an id not in the dump; {@code escaped} is the index of the first full id these chunks use.
     * Each chunk is let go once mapped. Returns the number of -1s.
     */
    private static long resolveChunks(IdList targets, IdIndex index, int[] edges, int from, int to, long escaped) {
        IntList packed = targets.packed;
        LongList full = targets.escaped;
        IdCodec codec = targets.codec;
        long size = packed.size();
        long dropped = 0;
        long k = escaped;
        for (int c = from; c < to; c++) {
            int[] chunk = packed.chunk(c);
            int base = c * IntList.CHUNK_SIZE;
            int count = (int) Math.min(IntList.CHUNK_SIZE, size - base);
            for (int i = 0; i < count; i++) {
                int v = chunk[i];
                int t = v != IdCodec.ESCAPE ? index.find(v, codec) : index.find(full.get(k++));
                edges[base + i] = t;
                if (t < 0) dropped++;
            }
            packed.releaseChunk(c);
        }
        return dropped;
    }
}
