package dev.jjf.profile;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a text file into one reused buffer a window of whole lines at a time, so that a parser
 * can walk the bytes in place: no copy per line, no String or array per line, and no separate
 * pass to find where each line ends, because every line in the window ends with a {@code '\n'}
 * (one is added after a last line that has none). Bytes after the window are readable up to
 * {@link #SLACK} past its end, so a parser may look at eight bytes at a time without checking
 * where the window stops first.
 */
final class LineReader implements AutoCloseable {
    /** Bytes of the buffer past the data that may be read (never trusted) by word-wide loads. */
    static final int SLACK = 16;
    /**
     * Reads of 256 KiB: the JDK copies what a read returns through a temporary direct buffer, and
     * at this size both copies and the parse that follows stay in the L2 cache (reading 200 MB
     * took 43 ms of CPU in 256 KiB reads against 56 ms in 1 MiB ones). Longer lines grow it.
     */
    static final int BUFFER_BYTES = 1 << 18;

    private final InputStream in;
    private final Path file;
    private final int maxLineBytes;
    private boolean eof;
    /** buf[limit..dataEnd) is the start of a line whose end has not been read yet. */
    private int dataEnd;

    /** buf[0..limit) holds whole lines, each ending in '\n'. */
    byte[] buf;
    int limit;
    /** Index of the '\n' added after a last line that had none, or -1: that line may be cut short. */
    int addedNewline = -1;

    LineReader(InputStream in, Path file, int maxLineBytes) {
        this(in, file, maxLineBytes, BUFFER_BYTES);
    }

    /** A window holds at most maxLineBytes + 1 bytes, so any whole line in it is short enough. */
    LineReader(InputStream in, Path file, int maxLineBytes, int bufferBytes) {
        this.in = in;
        this.file = file;
        this.maxLineBytes = maxLineBytes;
        this.buf = new byte[Math.max(1, Math.min(bufferBytes, maxLineBytes + 1)) + SLACK];
    }

    /**
     * Replaces the window, whose lines the caller has all read, with the next one: the next line
     * then starts at buf[0]. False at the end of the file.
     *
     * @param linesRead lines read so far, to name the line in "line longer than" errors
     */
    boolean refill(long linesRead) throws IOException {
        int rest = dataEnd - limit;
        if (rest > 0) System.arraycopy(buf, limit, buf, 0, rest);
        dataEnd = rest;
        limit = 0;
        while (true) {
            if (eof) {
                if (dataEnd == 0) return false;
                if (dataEnd > maxLineBytes) throw tooLong(linesRead);
                buf[dataEnd] = '\n';
                addedNewline = dataEnd;
                limit = ++dataEnd;
                return true;
            }
            int capacity = buf.length - SLACK;
            if (dataEnd == capacity) {
                // one line fills the whole buffer
                if (dataEnd > maxLineBytes) throw tooLong(linesRead);
                buf = Arrays.copyOf(buf, (int) Math.min(2L * capacity, maxLineBytes + 1L) + SLACK);
                capacity = buf.length - SLACK;
            }
            int n = in.read(buf, dataEnd, capacity - dataEnd);
            if (n <= 0) {
                eof = true;
                continue;
            }
            int from = dataEnd;
            dataEnd += n;
            for (int i = dataEnd - 1; i >= from; i--) {
                if (buf[i] == '\n') {
                    limit = i + 1;
                    return true;
                }
            }
        }
    }

    private BadInputException tooLong(long linesRead) {
        return new BadInputException(file, linesRead + 1, "line longer than " + maxLineBytes + " bytes");
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
