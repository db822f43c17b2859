package dev.jjf.profile;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a text file as lines of raw bytes into one reused buffer, so parsing a large profile
 * creates no String or array per line.
 */
final class LineReader implements AutoCloseable {
    private static final int CHUNK_BYTES = 1 << 20;

    private final InputStream in;
    private final Path file;
    private final int maxLineBytes;
    private final byte[] chunk = new byte[CHUNK_BYTES];
    private int chunkPos;
    private int chunkLen;
    private boolean eof;

    /** The current line's bytes are line[0..length), without the line terminator. */
    byte[] line = new byte[256];
    int length;
    long lineNumber;
    /** False when the current line is the last one and no newline ends it: the file may be cut there. */
    boolean terminated;

    LineReader(InputStream in, Path file, int maxLineBytes) {
        this.in = in;
        this.file = file;
        this.maxLineBytes = maxLineBytes;
    }

    /** Advances to the next line; false at end of file. */
    boolean next() throws IOException {
        length = 0;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkLen) {
                if (eof || !fill()) {
                    if (any) {
                        lineNumber++;
                        terminated = false;
                    }
                    return any;
                }
            }
            any = true;
            int start = chunkPos;
            int end = chunkLen;
            int nl = -1;
            for (int i = start; i < end; i++) {
                if (chunk[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int stop = nl < 0 ? end : nl;
            append(start, stop - start);
            chunkPos = nl < 0 ? end : nl + 1;
            if (nl >= 0) {
                lineNumber++;
                terminated = true;
                if (length > 0 && line[length - 1] == '\r') length--;
                return true;
            }
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(chunk, 0, chunk.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        chunkPos = 0;
        chunkLen = n;
        return true;
    }

    private void append(int from, int count) {
        int need = length + count;
        if (need > maxLineBytes) {
            throw new BadInputException(file, lineNumber + 1, "line longer than " + maxLineBytes + " bytes");
        }
        if (need > line.length) line = Arrays.copyOf(line, Math.max(need, line.length * 2));
        System.arraycopy(chunk, from, line, length, count);
        length = need;
    }

    String text() {
        return new String(line, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
