package dev.jjf.bench.peers;

import java.io.File;
import java.util.List;
import shark.CloseableHeapGraph;
import shark.HprofHeapGraph;
import shark.HprofRecordTag;
import shark.internal.ObjectDominators;

/**
 * Shark 2.14's full dominator tree with retained sizes, from every GC root (its ObjectDominators,
 * which LeakCanary's shark-cli uses to print a heap's dominators). Prints the objects that retain at
 * least MIN_BYTES (default 1 MB) and the times of the two phases.
 *
 * Run: java -cp heap-peers.jar dev.jjf.bench.peers.SharkRetained DUMP.hprof [MIN_BYTES]
 */
public final class SharkRetained {
    private SharkRetained() {
    }

    public static void main(String[] args) throws Exception {
        File dump = new File(args[0]);
        int minBytes = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        long start = System.nanoTime();
        // Every kind of GC root, not the default subset Shark indexes for leak tracing: the dominator
        // tree is for the whole heap.
        try (CloseableHeapGraph graph = HprofHeapGraph.Companion.openHeapGraph(dump, null, HprofRecordTag.Companion.getRootTags())) {
            long indexed = System.nanoTime();
            String tree = new ObjectDominators().renderDominatorTree(graph, List.of(), minBytes, null, false);
            long done = System.nanoTime();
            System.out.println(tree.length() > 4000 ? tree.substring(0, 4000) + "\n…" : tree);
            System.out.printf("shark: objects=%d index=%.2fs dominators+retained=%.2fs%n", graph.getObjectCount(),
                    (indexed - start) / 1e9, (done - indexed) / 1e9);
        }
    }
}
