import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;

/**
 * Leaks native memory three ways, for JavaFramesIT: a cold path that runs interpreted, a hot
 * path whose helper C2 inlines, and unclosed Deflaters in a cold method. Prints what each kept.
 */
public class JavaFramesLeaks {
    static final int COLD_CALLS = 40;
    static final int COLD_BYTES = 64 * 1024;
    static final int DEFLATERS = 60;
    static final int HOT_ROUNDS = 40;
    static final int HOT_CALLS = 10_000;
    static final int HOT_BYTES = 256;
    /** One buffer in this many of the hot path is kept. */
    static final int HOT_KEEP_EVERY = 64;

    static final List<Object> kept = new ArrayList<>();

    public static void main(String[] args) {
        for (int i = 0; i < COLD_CALLS; i++) coldPath();
        for (int i = 0; i < DEFLATERS; i++) unclosedDeflater();
        long sum = 0;
        for (int r = 0; r < HOT_ROUNDS; r++) sum += hotPath();
        System.out.println("checksum " + sum);
        System.out.println("cold " + (long) COLD_CALLS * COLD_BYTES);
        System.out.println("hot " + (long) HOT_ROUNDS * HOT_CALLS / HOT_KEEP_EVERY * HOT_BYTES);
        System.out.println("kept " + kept.size());
    }

    static void coldPath() {
        coldHelper();
    }

    static void coldHelper() {
        kept.add(ByteBuffer.allocateDirect(COLD_BYTES));
    }

    static void unclosedDeflater() {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        d.setInput(new byte[] {1, 2, 3});
        kept.add(d);
    }

    static long hotPath() {
        long sum = 0;
        for (int i = 0; i < HOT_CALLS; i++) {
            ByteBuffer b = hotHelper();
            if (i % HOT_KEEP_EVERY == 0) kept.add(b);
            sum += b.capacity();
        }
        return sum;
    }

    /** Small enough for C2 to inline into hotPath(). */
    static ByteBuffer hotHelper() {
        return ByteBuffer.allocateDirect(HOT_BYTES);
    }
}
