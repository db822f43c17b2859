import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Unsafe;

/**
 * Leaks exactly 256 MiB through sun.misc.Unsafe.allocateMemory, the classic off-heap leak.
 * Run: java examples/GenerateUnsafeLeak.java
 *
 * The leak goes through main -> leakLoop -> allocateChunk -> allocate. Most calls are
 * allocate-and-free noise so that the methods get hot enough for C2 (tens of thousands of calls);
 * every 50th call leaks. C2 may inline allocateChunk and allocate into leakLoop, and a perf map
 * cannot show inlined frames: that is the realistic case, not a bug of the example.
 */
public class GenerateUnsafeLeak {
    private static final int KIB = 1024;
    /** One cycle sums to 2 MiB, so 128 cycles leak exactly 256 MiB. */
    private static final int[] LEAK_SIZES = {64 * KIB, 192 * KIB, 256 * KIB, 512 * KIB, 1024 * KIB};
    private static final int LEAK_CYCLES = 128;
    private static final int CALLS_PER_LEAK = 50;
    private static final int[] NOISE_SIZES = {4 * KIB, 24 * KIB, 48 * KIB};

    /** Addresses of the leaked chunks: reachable, never freed. */
    static final List<Long> RETAINED = new ArrayList<>();
    private static Unsafe unsafe;
    private static long freedCount;

    public static void main(String[] args) throws ReflectiveOperationException {
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        unsafe = (Unsafe) f.get(null);
        long leaked = leakLoop();
        System.out.printf("GenerateUnsafeLeak: leaked %d bytes (%d MiB) in %d chunks of 64 KiB-1 MiB via "
                + "Unsafe.allocateMemory (main -> leakLoop -> allocateChunk -> allocate); freed %d noise allocations%n",
                leaked, leaked >> 20, RETAINED.size(), freedCount);
    }

    static long leakLoop() {
        long leaked = 0;
        int leaks = LEAK_SIZES.length * LEAK_CYCLES;
        for (int call = 0; call < leaks * CALLS_PER_LEAK; call++) {
            boolean leak = call % CALLS_PER_LEAK == 0;
            int size = leak ? LEAK_SIZES[(call / CALLS_PER_LEAK) % LEAK_SIZES.length] : NOISE_SIZES[call % NOISE_SIZES.length];
            leaked += allocateChunk(size, leak);
        }
        return leaked;
    }

    /** Returns the bytes it kept. */
    static long allocateChunk(int size, boolean keep) {
        long address = allocate(size);
        // Touch the first page, as a real user of the memory would.
        unsafe.putLong(address, size);
        if (keep) {
            RETAINED.add(address);
            return size;
        }
        unsafe.freeMemory(address);
        freedCount++;
        return 0;
    }

    static long allocate(long size) {
        return unsafe.allocateMemory(size);
    }
}
