import java.lang.reflect.Field;
import sun.misc.Unsafe;

/**
 * A malloc-heavy program for scripts/bench-java-frames.sh: two threads malloc and free through
 * Unsafe (JIT-compiled loops under interpreted Thread.run frames). Prints the bytes allocated.
 */
public class MallocChurn {
    static final int THREADS = 2;

    public static void main(String[] args) throws Exception {
        long perThread = args.length > 0 ? Long.parseLong(args[0]) : 3_000_000L;
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        Unsafe unsafe = (Unsafe) f.get(null);
        long[] bytes = new long[THREADS];
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads[t] = new Thread(() -> bytes[id] = churn(unsafe, perThread, id));
            threads[t].start();
        }
        long total = 0;
        for (int t = 0; t < THREADS; t++) {
            threads[t].join();
            total += bytes[t];
        }
        System.out.println("allocated " + total + " bytes in " + THREADS * perThread + " allocations");
    }

    static long churn(Unsafe unsafe, long n, int seed) {
        long total = 0;
        long x = seed + 1;
        for (long i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            long size = 16 + (x & 1023);
            long p = unsafe.allocateMemory(size);
            unsafe.putByte(p, (byte) i);
            unsafe.freeMemory(p);
            total += size;
        }
        return total;
    }
}
