import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.PerfMapEntry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The perf-map reader on a map laid out as jjf's agent writes it (bench/perfmap-reader.md).
 *
 * <pre>
 * java -cp jjf.jar:DIR PerfMapReader generate FILE [LINES]   # an agent-style map, same bytes for a given LINES
 * java -cp jjf.jar:DIR PerfMapReader read FILE [ITERATIONS]  # CPU ms per read, bytes allocated, heap kept
 * </pre>
 *
 * The generated map: compiled methods in the order a JIT produces them (code cache addresses mostly
 * rising, one method in eight placed over freed code of earlier ones), each a line over all its
 * code followed by its inline ranges (contiguous, inside the method, chains of 2-4 methods), and a
 * few stubs. Names look like the agent's: {@code pkg.Class.method(args)} joined by {@code ->}.
 */
public final class PerfMapReader {
    private static final long CODE_CACHE = 0x7f3c40000000L;

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[1]);
        if (args[0].equals("generate")) {
            generate(file, args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000);
        } else {
            read(file, args.length > 2 ? Integer.parseInt(args[2]) : 5);
        }
    }

    private static void generate(Path file, int lines) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        String[] methods = new String[5000];
        String[] args = {"", "int", "java.lang.String", "long, int", "java.lang.Object[], int, int", "byte[]", "java.util.Map"};
        for (int i = 0; i < methods.length; i++) {
            methods[i] = "com.example.p" + random.nextInt(40) + ".Class" + random.nextInt(800) + ".method" + i
                    + "(" + args[random.nextInt(args.length)] + ")";
        }
        long next = CODE_CACHE;
        int written = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            while (written < lines) {
                if (random.nextInt(100) == 0) {
                    w.write(String.format("%x %x StubRoutines (%d)%n", next, 0x40, random.nextInt(4)));
                    next += 0x40;
                    written++;
                    continue;
                }
                long size = 0x100 + random.nextInt(0x1000);
                boolean reuse = random.nextInt(8) == 0 && next - CODE_CACHE > 0x100000;
                long start = reuse ? CODE_CACHE + (random.nextLong(next - CODE_CACHE - size) & ~0x1fL) : next;
                if (!reuse) next += (size + 0x1f) & ~0x1fL;
                String outer = methods[random.nextInt(methods.length)];
                w.write(String.format("%x %x %s%n", start, size, outer));
                written++;
                // Inline ranges tile parts of the method, in address order, as PC descriptors give them.
                int ranges = random.nextInt(24);
                long at = start + 0x20;
                for (int r = 0; r < ranges && written < lines; r++) {
                    long len = 0x8 + random.nextInt(0x60);
                    if (at + len > start + size) break;
                    StringBuilder chain = new StringBuilder(outer);
                    int depth = 1 + random.nextInt(3);
                    for (int d = 0; d < depth; d++) chain.append("->").append(methods[random.nextInt(methods.length)]);
                    w.write(String.format("%x %x %s%n", at, len, chain));
                    written++;
                    at += len + (random.nextBoolean() ? 0 : random.nextInt(0x20));
                }
            }
        }
        System.out.println("wrote " + written + " lines, " + Files.size(file) + " bytes to " + file);
    }

    private static void read(Path file, int iterations) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] cpuMillis = new long[iterations];
        long allocated = 0;
        long kept = 0;
        long check = 0;
        for (int i = 0; i < iterations; i++) {
            System.gc();
            long heapBefore = usedHeap();
            long a0 = threads.getCurrentThreadAllocatedBytes();
            long t0 = threads.getCurrentThreadCpuTime();
            PerfMap map = PerfMap.read(file, w -> { });
            cpuMillis[i] = (threads.getCurrentThreadCpuTime() - t0) / 1_000_000;
            allocated = threads.getCurrentThreadAllocatedBytes() - a0;
            System.gc();
            kept = usedHeap() - heapBefore;
            // Look every range up once, and draw its frames, so that lazy work is paid here too.
            check = 0;
            for (long a = CODE_CACHE; ; a += 0x100) {
                PerfMapEntry e = map.lookup(a);
                if (e == null && a - CODE_CACHE > 0x10000000L) break;
                if (e != null && (a & 0xff00) == 0) check += e.javaFrames().size();
            }
            if (map.size() == 0) throw new IllegalStateException("empty map");
        }
        long[] sorted = cpuMillis.clone();
        Arrays.sort(sorted);
        System.out.printf("read %s: CPU ms per read %s (median %d); allocated %.1f MB per read; heap kept %.1f MB (check %d)%n",
                file.getFileName(), Arrays.toString(cpuMillis), sorted[iterations / 2], allocated / 1e6, kept / 1e6, check);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
