import java.lang.reflect.Field;
import sun.misc.Unsafe;

/**
 * A native leak whose allocating method is inlined into a hot compiled loop: grab() is tiny and
 * churn() runs it millions of times, so the JIT compiles churn() with grab() inlined. The ring
 * keeps the newest allocations alive, so what is still in use at exit was allocated by compiled
 * code. Run with -XX:CompileCommand=dontinline,InlinedLeak::churn so that churn() stays a
 * compiled method of its own rather than being inlined into main().
 */
public class InlinedLeak {
    static final Unsafe UNSAFE = unsafe();
    static final int RING = 1 << 15;
    static final int SIZE = 128;

    static long grab(int n) {
        return UNSAFE.allocateMemory(n);
    }

    static long churn(long[] ring, int from, int count) {
        long sum = 0;
        for (int i = from; i < from + count; i++) {
            long a = grab(SIZE);
            int slot = i & (RING - 1);
            long old = ring[slot];
            ring[slot] = a;
            if (old != 0) UNSAFE.freeMemory(old);
            sum += a;
        }
        return sum;
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        long[] ring = new long[RING];
        long sum = 0;
        for (int r = 0; r < rounds; r++) sum += churn(ring, r * 1000, 1000);
        System.out.println("InlinedLeak: " + rounds + " rounds, " + RING + " blocks of " + SIZE + " bytes kept (" + (sum & 1) + ")");
    }

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
