package dev.jjf.heap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A plain dump's heap records read on two threads. When the reading thread starts a heap record
 * with enough heap records after it, a worker thread parses the later half of them with a parser
 * of its own ({@link HprofParser#worker}) while the reading thread parses the earlier half; then the
 * reading thread appends the worker's objects to its own ({@link HprofParser#adopt}: dense numbers
 * stay in dump order) and reads on from where the worker stopped.
 *
 * <p>Same graph as one thread, by construction: the worker reads objects and roots with copies of
 * the classes known when it started, numbers the array classes it meets first after the reading
 * thread's, and stops at the first sub-record that depends on the records before it (a class dump,
 * an instance of a class not dumped yet, ART's heap info), where the reading thread goes on; also
 * at its next record once the reading thread is done with its half. A worker that fails is dropped
 * and the reading thread reads its records itself, reporting bad input at the offset a one-thread
 * read gives. The worker is stopped and waited for before {@link HprofParser#parse} returns or throws.
 */
final class SegmentSplit implements AutoCloseable {
    /** Heap records of at least this many bytes after the current one are worth a second thread. */
    static final long MIN_BYTES = 32L << 20;
    /** A dump whose heap records are interrupted by other records (none seen in practice) splits at most this often. */
    private static final int MAX_SPLITS = 8;
    private static final int RECORD_HEADER_BYTES = 9;

    private final Path file;
    private final FileChannel channel;
    private final long fileBytes;
    private final long minBytes;
    private int splits;
    /** No worker starts before this offset: the heap records before it were found too few. */
    private long noSplitBefore;
    private Worker worker;
    private long adoptedObjects;
    /** Tests: the reading thread waits for the worker to read all it can instead of stopping it at its next record. */
    boolean waitForWorker;

    private SegmentSplit(Path file, FileChannel channel, long minBytes) throws IOException {
        this.file = file;
        this.channel = channel;
        this.fileBytes = channel.size();
        this.minBytes = minBytes;
    }

    /** For plain dump {@code file}: a worker starts for at least {@code minBytes} of heap records after the current one. */
    static SegmentSplit of(Path file, long minBytes) throws IOException {
        return new SegmentSplit(file, FileChannel.open(file, StandardOpenOption.READ), minBytes);
    }

    /** The parser thread for the later heap records. */
    private static final class Worker extends Thread {
        final HprofParser parser;
        /** Where its records start (the reading thread's records end there) and end. */
        final long from;
        final long to;
        /** Set when the reading thread wants the worker to stop at its next record. */
        volatile boolean cancelled;
        Throwable failure;

        Worker(HprofParser parser, long from, long to) {
            super("jjf-hprof-worker");
            setDaemon(true);
            this.parser = parser;
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            try {
                parser.parseHeapRecords(to, () -> cancelled);
            } catch (Throwable t) {
                failure = t;
            }
        }

        void cancelAndWait() {
            cancelled = true;
            await();
        }

        void await() {
            boolean interrupted = false;
            while (isAlive()) {
                try {
                    join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code main} is about to read the heap record [{@code start}, {@code end}): when enough whole heap
     * records follow it, a worker takes the later half of them.
     */
    void maybeStart(HprofParser main, long start, long end) throws IOException {
        if (worker != null || splits >= MAX_SPLITS || start < noSplitBefore || !main.canSplit()) return;
        // The heap records after this one, as far as they are whole and not interrupted by others.
        LongList ends = new LongList();
        ends.add(end);
        long at = end;
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
        while (at + RECORD_HEADER_BYTES <= fileBytes) {
            header.clear();
            while (header.hasRemaining()) {
                if (channel.read(header, at + header.position()) < 0) break;
            }
            if (header.hasRemaining()) break;
            int tag = header.get(0) & 0xff;
            long length = header.getInt(5) & 0xffffffffL;
            if (tag != HprofParser.HEAP_DUMP && tag != HprofParser.HEAP_DUMP_SEGMENT) break;
            if (at + RECORD_HEADER_BYTES + length > fileBytes) break;
            at += RECORD_HEADER_BYTES + length;
            ends.add(at);
        }
        if (ends.size() < 2 || at - end < minBytes) {
            // Fewer bytes still further on: no worker until the next run of heap records.
            noSplitBefore = at;
            return;
        }
        // The reading thread's half ends at the first record end past the middle, leaving the worker one at least.
        long middle = start + (at - start) / 2;
        long from = ends.get(ends.size() - 2);
        for (long i = 0; i < ends.size() - 1; i++) {
            if (ends.get(i) >= middle) {
                from = ends.get(i);
                break;
            }
        }
        splits++;
        HprofInput input = new HprofInput(new ChannelInput(channel, from, HprofInput.BUFFER_BYTES), file, from, HprofInput.BUFFER_BYTES);
        worker = new Worker(main.worker(input), from, at);
        worker.start();
    }

    /** True when the reading thread is at the start of the worker's records. */
    boolean joinsAt(long offset) {
        return worker != null && worker.from == offset;
    }

    /**
     * Stops the worker at its next record (a worker behind, as when another process has the
     * second processor, would only keep this thread waiting), takes what it read and moves
     * {@code main} on to where it stopped.
     */
    void join(HprofParser main) throws IOException {
        Worker w = worker;
        worker = null;
        if (waitForWorker) {
            w.await();
        } else {
            w.cancelAndWait();
        }
        HprofParser p = w.parser;
        // A failed worker (or one over a limit) read nothing that counts: main reads its records itself.
        long objects = p.objectIds.size();
        if (w.failure != null || p.stoppedAt < 0 || !main.adopt(p)) return;
        adoptedObjects += objects;
        main.in.seek(p.stoppedAt);
        if (p.stoppedAt < p.stoppedRecordEnd) main.resumeHeapRecord(p.stoppedRecordEnd);
    }

    /** Objects the workers read that the reading thread took over. */
    long adoptedObjects() {
        return adoptedObjects;
    }

    /** Stops and waits for a worker still running (the reading thread failed), and closes the file. */
    @Override
    public void close() throws IOException {
        if (worker != null) {
            worker.cancelAndWait();
            worker = null;
        }
        channel.close();
    }
}
