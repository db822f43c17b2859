import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The heap-dump benchmark's workload (scripts/bench-heap.sh): OBJECTS small objects in complete
 * binary trees, each node with one cross link to a node of another tree, so that dominators are not
 * just the trees. Deterministic (fixed seed): the same argument gives the same heap, and so dumps
 * of the same shape. Prints "ready PID" when built and exits when its stdin closes.
 *
 * Run: java -Xmx2g bench/BenchHeap.java 5000000
 */
public class BenchHeap {
    private static final int TREES = 64;
    private static final long SEED = 0x5eed_1e55L;

    /** 12-byte header + 3 compressed references + 1 int = 28 bytes, 32 with alignment. */
    static final class Node {
        Node left;
        Node right;
        Node cross;
        int value;
    }

    static final List<Node> ROOTS = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        long objects = Long.parseLong(args[0]);
        int perTree = (int) Math.max(1, objects / TREES);
        List<Node[]> all = new ArrayList<>();
        for (int t = 0; t < TREES; t++) {
            Node[] nodes = new Node[perTree];
            for (int i = 0; i < perTree; i++) {
                nodes[i] = new Node();
                nodes[i].value = i;
            }
            // Heap order: node i has children 2i+1 and 2i+2.
            for (int i = 0; i < perTree; i++) {
                if (2 * i + 1 < perTree) nodes[i].left = nodes[2 * i + 1];
                if (2 * i + 2 < perTree) nodes[i].right = nodes[2 * i + 2];
            }
            all.add(nodes);
            ROOTS.add(nodes[0]);
        }
        SplittableRandom random = new SplittableRandom(SEED);
        for (int t = 0; t < TREES; t++) {
            Node[] nodes = all.get(t);
            for (int i = 0; i < perTree; i++) {
                // One in four nodes points into the next tree: shared subtrees get dominated by the root set, not the tree.
                if ((i & 3) == 0) nodes[i].cross = all.get((t + 1) % TREES)[random.nextInt(perTree)];
            }
        }
        all = null; // only the trees stay reachable, from the static roots
        System.out.println("ready " + ProcessHandle.current().pid() + " nodes=" + (long) perTree * TREES);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        while (in.readLine() != null) {
            // until stdin closes
        }
    }
}
