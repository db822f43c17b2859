import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A heap of many small objects for heap dump benchmarks: binary trees whose nodes also point at a
 * random earlier node (cross links), N objects in all. Prints "ready PID" and waits for its
 * standard input to close. Usage: java -Xmx2g examples/HeapTrees.java 5000000
 */
public class HeapTrees {
    static final class Node {
        Node left;
        Node right;
        Node cross;
        int value;
    }

    static final List<Node> ROOTS = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        int objects = Integer.parseInt(args[0]);
        Random random = new Random(42);
        Node[] recent = new Node[4096];
        int made = 0;
        while (made < objects) {
            Node root = new Node();
            made++;
            ROOTS.add(root);
            List<Node> level = List.of(root);
            for (int depth = 0; depth < 16 && made < objects; depth++) {
                List<Node> next = new ArrayList<>();
                for (Node n : level) {
                    n.left = new Node();
                    n.right = new Node();
                    made += 2;
                    n.cross = recent[random.nextInt(recent.length)];
                    n.value = made;
                    recent[made & (recent.length - 1)] = n;
                    next.add(n.left);
                    next.add(n.right);
                    if (made >= objects) break;
                }
                level = next;
            }
        }
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        while (System.in.read(new byte[64]) >= 0) {
            // until stdin closes
        }
        System.out.println(ROOTS.size() + " trees " + StandardCharsets.UTF_8);
    }
}
