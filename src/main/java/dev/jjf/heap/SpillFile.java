package dev.jjf.heap;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Int arrays a heap dump's analysis does not need for a while, on disk instead of in the Java heap.
 * The file is created in a directory (java.io.tmpdir by default) and unlinked at once: only the
 * open channel holds its blocks, so nothing is left behind when the analysis fails, the JVM is
 * killed, or the owner is collected without closing it. Reads and writes go through one direct
 * buffer in bulk; nothing is mapped, so the data counts against neither the heap nor the RSS.
 */
final class SpillFile implements Closeable {
    /** Bytes moved per read or write call. */
    private static final int BUFFER_BYTES = 1 << 20;
    /** Closes the channels of spill files whose owners were collected without closing them. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final FileChannel channel;
    /** Where the file was made, for messages. */
    private final Path dir;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private final IntBuffer ints = buffer.asIntBuffer();
    private final Cleaner.Cleanable cleanable;
    /** Where the next {@link #append} goes. */
    private long end;

    private SpillFile(FileChannel channel, Path dir) {
        this.channel = channel;
        this.dir = dir;
        this.cleanable = CLEANER.register(this, new Closer(channel));
    }

    /** A new, empty spill file in {@code dir}; already unlinked when this returns. */
    static SpillFile create(Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "jjf-heap-", ".spill");
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new SpillFile(channel, dir);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Writes {@code count} ints of {@code a} from {@code from} at the end of the file; returns where they went. */
    long append(int[] a, int from, int count) {
        long at = end;
        write(at, a, from, count);
        return at;
    }

    /** Writes {@code count} ints of {@code a} from {@code from} at byte {@code at} of the file. */
    void write(long at, int[] a, int from, int count) {
        try {
            long position = at;
            while (count > 0) {
                int n = Math.min(count, ints.capacity());
                ints.clear();
                ints.put(a, from, n);
                buffer.clear().limit(4 * n);
                while (buffer.hasRemaining()) position += channel.write(buffer, position);
                from += n;
                count -= n;
            }
            end = Math.max(end, position);
        } catch (IOException e) {
            throw failed("write", e);
        }
    }

    /** Reads {@code count} ints from byte {@code at} into {@code a} from {@code from}. */
    void read(long at, int[] a, int from, int count) {
        try {
            long position = at;
            while (count > 0) {
                int n = Math.min(count, ints.capacity());
                buffer.clear().limit(4 * n);
                while (buffer.hasRemaining()) {
                    int r = channel.read(buffer, position);
                    if (r < 0) throw new IOException("the spill file ends at " + position);
                    position += r;
                }
                ints.clear();
                ints.get(a, from, n);
                from += n;
                count -= n;
            }
        } catch (IOException e) {
            throw failed("read", e);
        }
    }

    private UncheckedIOException failed(String what, IOException e) {
        return new UncheckedIOException("cannot " + what + " the heap analysis's temp file in " + dir + " (" + e.getMessage()
                + "); JJF_JAVA_OPTS=-Djava.io.tmpdir=DIR puts it elsewhere", e);
    }

    /** The {@code count} ints from byte {@code at}, as a new array. */
    int[] read(long at, int count) {
        int[] a = new int[count];
        read(at, a, 0, count);
        return a;
    }

    /** Bytes written so far. */
    long size() {
        return end;
    }

    @Override
    public void close() {
        cleanable.clean();
    }

    /** Holds only the channel: a cleaning action must not reach the spill file itself. */
    private record Closer(FileChannel channel) implements Runnable {
        @Override
        public void run() {
            try {
                channel.close();
            } catch (IOException e) {
                // The file is unlinked already: its blocks are freed with the process at the latest.
            }
        }
    }
}
