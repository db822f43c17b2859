import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import sun.misc.Unsafe;

/**
 * The benchmark's real workload: a native leak through Unsafe.allocateMemory down a chain of
 * methods, unclosed zlib Deflaters, and allocate-and-free noise reached through many different
 * call paths on several threads. Under lg_prof_sample:0 every allocation is recorded, so the
 * varied paths (and the JVM's own work: class loading, JIT compilation, GC) give thousands of
 * distinct stacks, the shape of a profile taken from a busy service.
 *
 * Run: java bench/src/BenchLeak.java
 */
public class BenchLeak {
    private static final int KIB = 1024;
    private static final int THREADS = 4;
    private static final int CALLS_PER_THREAD = 60_000;
    private static final int LEAK_EVERY = 200;
    private static final int DEFLATER_EVERY = 1_500;

    static final List<Long> RETAINED = new ArrayList<>();
    static final List<Deflater> UNCLOSED = new ArrayList<>();
    static final List<ByteBuffer> DIRECT = new ArrayList<>();
    private static Unsafe unsafe;

    public static void main(String[] args) throws Exception {
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        unsafe = (Unsafe) f.get(null);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int seed = t;
            Thread th = new Thread(() -> work(seed), "worker-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join();
        long leaked;
        synchronized (RETAINED) {
            leaked = RETAINED.size();
        }
        System.out.printf("BenchLeak: %d Unsafe chunks, %d Deflaters, %d direct buffers retained%n",
                leaked, UNCLOSED.size(), DIRECT.size());
    }

    static void work(int seed) {
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int call = 0; call < CALLS_PER_THREAD; call++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            int path = (int) (x >>> 40);
            if (call % LEAK_EVERY == 0) {
                leakUnsafe(path);
            } else if (call % DEFLATER_EVERY == 1) {
                leakDeflater(path);
            } else {
                noise(path, 0);
            }
        }
    }

    static void leakUnsafe(int path) {
        long size = (64 + (path & 63)) * KIB;
        long address = allocateChunk(size);
        synchronized (RETAINED) {
            RETAINED.add(address);
        }
    }

    static long allocateChunk(long size) {
        long address = allocate(size);
        unsafe.putLong(address, size);
        return address;
    }

    static long allocate(long size) {
        return unsafe.allocateMemory(size);
    }

    static void leakDeflater(int path) {
        Deflater d = new Deflater(1 + (path % 9));
        byte[] input = new byte[4 * KIB];
        for (int i = 0; i < input.length; i++) input[i] = (byte) (i * path);
        d.setInput(input);
        d.finish();
        byte[] out = new byte[8 * KIB];
        d.deflate(out);
        synchronized (UNCLOSED) {
            UNCLOSED.add(d);
        }
    }

    /** Walks a path of up to eight calls chosen by the bits of {@code path}, then allocates. */
    static void noise(int path, int depth) {
        if (depth == 8) {
            freeAfterUse(path);
            return;
        }
        switch ((path >>> (depth * 2)) & 3) {
            case 0 -> hopA(path, depth + 1);
            case 1 -> hopB(path, depth + 1);
            case 2 -> hopC(path, depth + 1);
            default -> hopD(path, depth + 1);
        }
    }

    static void hopA(int path, int depth) {
        noise(path, depth);
    }

    static void hopB(int path, int depth) {
        noise(path, depth);
    }

    static void hopC(int path, int depth) {
        noise(path, depth);
    }

    static void hopD(int path, int depth) {
        if ((path & 0x10000) != 0 && depth == 4) {
            directBuffer(path);
            return;
        }
        noise(path, depth);
    }

    static void directBuffer(int path) {
        ByteBuffer b = ByteBuffer.allocateDirect(KIB + (path & 1023));
        if ((path & 0xff) == 0) {
            synchronized (DIRECT) {
                DIRECT.add(b);
            }
        }
    }

    static void freeAfterUse(int path) {
        long size = 16 + (path & 4095);
        long address = unsafe.allocateMemory(size);
        unsafe.putByte(address, (byte) path);
        unsafe.freeMemory(address);
    }
}
