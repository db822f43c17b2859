package dev.jjf.heap;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.zip.Deflater;

/**
 * The program heap dump tests take dumps of, with structures they know: a static list retaining
 * {@code MIB} MiB of byte arrays, a {@link LocalOnly} object held only by a local variable of
 * {@link #holdLocal} on the thread {@link #HOLDER_THREAD}, {@code BUFFERS} direct buffers of
 * {@code BUFFER_BYTES} in a static map, and one open Deflater. Prints "ready PID" once everything
 * is in place, and exits when its standard input closes.
 *
 * <p>Arguments: MIB BUFFERS BUFFER_BYTES.
 */
public final class HeapFixture {
    static final String HOLDER_THREAD = "jjf-fixture-holder";
    /** Bytes of each retained array. */
    static final int CHUNK_BYTES = 64 * 1024;
    /** Longs in the array the local-only object holds: 1 MiB. */
    static final int LOCAL_LONGS = 128 * 1024;

    static final List<byte[]> RETAINED = new ArrayList<>();
    static final Map<String, ByteBuffer> BUFFERS = new HashMap<>();
    static Deflater deflater;

    /** Held only by a local variable. */
    static final class LocalOnly {
        final long[] payload;

        LocalOnly(long[] payload) {
            this.payload = payload;
        }
    }

    private HeapFixture() {
    }

    public static void main(String[] args) throws Exception {
        int mib = Integer.parseInt(args[0]);
        int buffers = Integer.parseInt(args[1]);
        int bufferBytes = Integer.parseInt(args[2]);
        for (int i = 0; i < mib * (1024 * 1024 / CHUNK_BYTES); i++) RETAINED.add(new byte[CHUNK_BYTES]);
        for (int i = 0; i < buffers; i++) BUFFERS.put("buffer-" + i, ByteBuffer.allocateDirect(bufferBytes));
        deflater = new Deflater();
        deflater.setInput(new byte[] {1, 2, 3});
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread holder = new Thread(() -> holdLocal(held, done), HOLDER_THREAD);
        holder.setDaemon(true);
        holder.start();
        held.await();
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // until the test closes stdin
        }
        done.countDown();
    }

    static void holdLocal(CountDownLatch held, CountDownLatch done) {
        LocalOnly local = new LocalOnly(new long[LOCAL_LONGS]);
        held.countDown();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Reference.reachabilityFence(local);
    }
}
