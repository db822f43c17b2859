import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Unsafe;

/**
 * Leaks 128 MiB of direct ByteBuffers: allocateDirect reserves and mallocs (via
 * Unsafe.allocateMemory), and buffers kept reachable are never freed by their Cleaner.
 * Well below the default -XX:MaxDirectMemorySize, which equals the maximum heap size.
 * Scratch buffers are freed at once with Unsafe.invokeCleaner, as Netty and Lucene do, rather than
 * left to a GC that may or may not run before exit: the leak stays the same from run to run.
 * Run: java examples/DirectBufferLeak.java
 */
public class DirectBufferLeak {
    private static final int BUFFER_SIZE = 256 * 1024;
    private static final int BUFFERS = 512;
    private static final int SCRATCH_BUFFERS = 2000;

    /** Reachable forever, so their Cleaners never run. */
    static final List<ByteBuffer> RETAINED = new ArrayList<>();

    public static void main(String[] args) throws ReflectiveOperationException {
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        Unsafe unsafe = (Unsafe) f.get(null);
        long sum = 0;
        for (int i = 0; i < BUFFERS; i++) RETAINED.add(fill(newBuffer(BUFFER_SIZE), i));
        for (int i = 0; i < SCRATCH_BUFFERS; i++) {
            ByteBuffer scratch = fill(newBuffer(16 * 1024), i);
            sum += scratch.get(0);
            unsafe.invokeCleaner(scratch);
        }
        long leaked = (long) BUFFERS * BUFFER_SIZE;
        System.out.printf("DirectBufferLeak: leaked %d bytes (%d MiB) in %d direct ByteBuffers of %d KiB "
                + "(ByteBuffer.allocateDirect, kept reachable); checksum %d%n",
                leaked, leaked >> 20, RETAINED.size(), BUFFER_SIZE / 1024, sum);
    }

    static ByteBuffer newBuffer(int size) {
        return ByteBuffer.allocateDirect(size);
    }

    static ByteBuffer fill(ByteBuffer buffer, int seed) {
        for (int i = 0; i < buffer.capacity(); i += 4096) buffer.put(i, (byte) (seed + i));
        return buffer;
    }
}
