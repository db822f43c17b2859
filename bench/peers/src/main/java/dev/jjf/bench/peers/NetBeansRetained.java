package dev.jjf.bench.peers;

import java.io.File;
import java.util.Comparator;
import java.util.List;
import org.netbeans.lib.profiler.heap.Heap;
import org.netbeans.lib.profiler.heap.HeapFactory;
import org.netbeans.lib.profiler.heap.Instance;
import org.netbeans.lib.profiler.heap.JavaClass;

/**
 * NetBeans' HPROF parser (org.gridkit.jvmtool:hprof-heap 0.16, the one VisualVM grew from):
 * "retained" computes retained sizes of all objects (its dominator pass) and prints the biggest;
 * "histogram" prints the class histogram (count and shallow bytes per class), which needs no dominators.
 *
 * Run: java -cp heap-peers.jar dev.jjf.bench.peers.NetBeansRetained retained|histogram DUMP.hprof
 */
public final class NetBeansRetained {
    private static final int TOP = 10;

    private NetBeansRetained() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long start = System.nanoTime();
        Heap heap = HeapFactory.createHeap(new File(args[1]));
        long opened = System.nanoTime();
        if (mode.equals("retained")) {
            List<Instance> biggest = heap.getBiggestObjectsByRetainedSize(TOP);
            long done = System.nanoTime();
            for (Instance i : biggest) System.out.println(i.getRetainedSize() + " " + i.getJavaClass().getName() + "#" + i.getInstanceNumber());
            System.out.printf("netbeans: open=%.2fs retained=%.2fs%n", (opened - start) / 1e9, (done - opened) / 1e9);
        } else {
            List<JavaClass> classes = heap.getAllClasses();
            long count = 0;
            long bytes = 0;
            for (JavaClass c : classes) {
                count += c.getInstancesCount();
                bytes += c.getAllInstancesSize();
            }
            long done = System.nanoTime();
            classes.stream().sorted(Comparator.comparingLong(JavaClass::getAllInstancesSize).reversed()).limit(TOP)
                    .forEach(c -> System.out.println(c.getAllInstancesSize() + " " + c.getInstancesCount() + " " + c.getName()));
            System.out.printf("netbeans: classes=%d objects=%d bytes=%d open=%.2fs histogram=%.2fs%n", classes.size(), count, bytes,
                    (opened - start) / 1e9, (done - opened) / 1e9);
        }
    }
}
