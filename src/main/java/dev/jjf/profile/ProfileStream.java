package dev.jjf.profile;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A heap profile parsed on a second thread while the caller consumes its stacks in batches:
 * parsing and folding overlap on two cores, and no more than a few batches of stacks are held in
 * memory at once. The memory map comes first, read from the end of the file, so that symbols
 * can be looked up from the first batch on.
 *
 * <p>Parsing is {@link HeapProfileParser}'s, with its checks and messages; an error reaches the
 * caller from {@link #next()}. Close the stream to stop the parser early.
 */
public final class ProfileStream implements AutoCloseable {
    /** Stacks per hand-over: big enough that queue traffic is noise, small enough to stay in cache. */
    static final int BATCH = 1024;
    /** Batches parsed ahead of the consumer; bounds memory when folding is the slower side. */
    private static final int AHEAD = 32;

    private final Path file;
    private final List<Mapping> mappings;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD);
    private final Thread parser;
    private volatile long period = -1;
    private long stacks;
    private boolean done;

    private static final Object END = new Object();

    private ProfileStream(Path file, List<Mapping> mappings) {
        this.file = file;
        this.mappings = mappings;
        this.parser = new Thread(this::parse, "jjf-parse " + file.getFileName());
        parser.setDaemon(true);
    }

    /**
     * Opens a profile for streaming, or returns empty when its end holds no MAPPED_LIBRARIES
     * section: then {@link HeapProfileParser#parse(Path)} says what is wrong with it.
     */
    public static Optional<ProfileStream> open(Path file) throws IOException {
        Optional<List<Mapping>> tail = HeapProfileParser.tailMappings(file);
        if (tail.isEmpty()) return Optional.empty();
        ProfileStream s = new ProfileStream(file, tail.get());
        s.parser.start();
        return Optional.of(s);
    }

    public Path source() {
        return file;
    }

    /** The process's memory map at dump time. */
    public List<Mapping> mappings() {
        return mappings;
    }

    /** 2^lg_prof_sample; known once {@link #next()} has returned a batch or the end. */
    public long samplePeriodBytes() {
        return period;
    }

    /** Stacks handed out so far. */
    public long stacks() {
        return stacks;
    }

    /**
     * The next stacks in file order, or null after the last one.
     *
     * @throws BadInputException as {@link HeapProfileParser#parse(Path)} would throw it
     */
    @SuppressWarnings("unchecked")
    public List<StackSample> next() throws IOException {
        if (done) return null;
        Object o;
        try {
            o = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + file);
        }
        if (o == END) {
            done = true;
            return null;
        }
        if (o instanceof Failure f) {
            done = true;
            Throwable t = f.cause;
            if (t instanceof IOException io) throw io;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error err) throw err;
            throw new IllegalStateException(t);
        }
        List<StackSample> batch = (List<StackSample>) o;
        stacks += batch.size();
        return batch;
    }

    private record Failure(Throwable cause) {
    }

    private void parse() {
        Object last;
        try (InputStream in = Files.newInputStream(file)) {
            List<Mapping> parsed = HeapProfileParser.parse(in, file, new HeapProfileParser.Sink() {
                private List<StackSample> batch = new ArrayList<>(BATCH);

                @Override
                public void period(long samplePeriodBytes) {
                    period = samplePeriodBytes;
                }

                @Override
                public void sample(StackSample sample) {
                    batch.add(sample);
                    if (batch.size() == BATCH) {
                        put(batch);
                        batch = new ArrayList<>(BATCH);
                    }
                }

                @Override
                public void end() {
                    if (!batch.isEmpty()) put(batch);
                }
            });
            // The map was read from the end before the stacks; a file that does not say the same
            // when read from the start has two sections or changed while being read.
            last = parsed.equals(mappings) ? END : new Failure(new BadInputException(file,
                    "its MAPPED_LIBRARIES section differs when read from the start and from the end"
                            + " (two sections, or the file changed while it was read)"));
        } catch (Stop e) {
            return;
        } catch (Throwable t) {
            last = new Failure(t);
        }
        try {
            queue.put(last);
        } catch (InterruptedException e) {
            // closed by the consumer: nobody is waiting
        }
    }

    /** Unwinds the parser when the consumer closed the stream. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    private void put(Object o) {
        try {
            queue.put(o);
        } catch (InterruptedException e) {
            throw new Stop();
        }
    }

    /** Stops the parser if the caller did not read to the end. */
    @Override
    public void close() {
        if (parser.isAlive()) {
            parser.interrupt();
            try {
                parser.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "ProfileStream[" + file + "]";
    }
}
