package dev.jjf.heap;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A stream read on a second thread a few buffers ahead of its reader: a gzip dump is inflated
 * while the parser reads what was inflated before. The reader gets the same bytes in the same
 * order, and an exception the stream throws (a cut or corrupt gzip stream) after the bytes read
 * before it, as if it read the stream itself. {@link #close} stops the thread and waits for it.
 */
final class ReadAhead extends BlockInput {
    static final int BUFFER_BYTES = 1 << 20;
    /** Buffers filled ahead at most (and one being read). */
    static final int BUFFERS_AHEAD = 3;

    /** Bytes read ahead, or the end of the stream ({@code length} -1), or what the stream threw. */
    private record Filled(byte[] data, int length, Throwable failure) {
    }

    private final InputStream in;
    private final BlockingQueue<Filled> filled = new ArrayBlockingQueue<>(BUFFERS_AHEAD + 2);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS_AHEAD + 1);
    private final Thread thread;
    private Filled current;
    private int pos;
    /** The end or the failure, once reached: every later read gives it again. */
    private Filled last;
    private volatile boolean closed;

    ReadAhead(InputStream in) {
        this.in = in;
        for (int i = 0; i < BUFFERS_AHEAD + 1; i++) free.add(new byte[BUFFER_BYTES]);
        thread = new Thread(this::fill, "jjf-read-ahead");
        thread.setDaemon(true);
        thread.start();
    }

    private void fill() {
        try {
            while (!closed) {
                byte[] b = free.take();
                int n = 0;
                Throwable failure = null;
                try {
                    while (n < b.length) {
                        int r = in.read(b, n, b.length - n);
                        if (r < 0) break;
                        n += r;
                    }
                } catch (Throwable t) {
                    failure = t;
                }
                if (n > 0) filled.put(new Filled(b, n, null));
                if (failure != null || n < b.length) {
                    filled.put(new Filled(null, -1, failure));
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (current == null || pos == current.length) {
            if (last != null) return end(last);
            if (current != null) free.add(current.data);
            current = null;
            Filled next;
            try {
                next = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading ahead");
            }
            if (next.length < 0) {
                last = next;
            } else {
                current = next;
                pos = 0;
            }
        }
        int k = Math.min(len, current.length - pos);
        System.arraycopy(current.data, pos, b, off, k);
        pos += k;
        return k;
    }

    private static int end(Filled last) throws IOException {
        Throwable t = last.failure;
        if (t == null) return -1;
        if (t instanceof IOException e) throw e;
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        throw new IOException(t);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        in.close();
    }
}
