package dev.jjf.heap;

import dev.jjf.BadInputException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * Big-endian reading of a stream through one buffer, tracking the offset in the (uncompressed)
 * dump. Running out of input inside a record throws {@link Truncated}, which the parser turns
 * into "use what was read".
 */
final class HprofInput {
    static final int BUFFER_BYTES = 1 << 20;

    /** The input ended inside a record: not an error, the dump was cut. */
    static final class Truncated extends RuntimeException {
        Truncated() {
            super(null, null, false, false);
        }
    }

    private final InputStream in;
    private final Path file;
    final byte[] buf;
    int pos;
    int limit;
    /** Dump offset of buf[0]. */
    private long base;
    private boolean eof;
    private int idSize = 8;

    HprofInput(InputStream in, Path file) {
        this(in, file, 0, BUFFER_BYTES);
    }

    /** Input whose first byte is at {@code offset} of the dump, read through a buffer of {@code bufferBytes}. */
    HprofInput(InputStream in, Path file, long offset, int bufferBytes) {
        this.in = in;
        this.file = file;
        this.base = offset;
        this.buf = new byte[bufferBytes];
    }

    void idSize(int bytes) {
        idSize = bytes;
    }

    int idSize() {
        return idSize;
    }

    Path file() {
        return file;
    }

    /** Offset in the uncompressed dump of the next byte to read. */
    long offset() {
        return base + pos;
    }

    /** True when nothing is left. */
    boolean atEnd() throws IOException {
        return !fill(1);
    }

    /** Makes {@code n} bytes (at most the buffer) readable at {@code pos}; false at the end of the input. */
    boolean fill(int n) throws IOException {
        if (limit - pos >= n) return true;
        if (eof) return false;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            base += pos;
            limit -= pos;
            pos = 0;
        }
        while (limit < n) {
            int r;
            try {
                r = in.read(buf, limit, buf.length - limit);
            } catch (EOFException e) {
                r = -1; // a gzip stream cut in the middle of a member
            } catch (ZipException e) {
                throw new BadInputException(file, "corrupt gzip data near dump offset " + (base + limit) + ": " + e.getMessage());
            }
            if (r < 0) {
                eof = true;
                return false;
            }
            limit += r;
        }
        return true;
    }

    /** Like {@link #fill} but a short input means the dump was cut. */
    void need(int n) throws IOException {
        if (!fill(n)) throw new Truncated();
    }

    int u1() throws IOException {
        need(1);
        return buf[pos++] & 0xff;
    }

    int u2() throws IOException {
        need(2);
        int v = (buf[pos] & 0xff) << 8 | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int u4() throws IOException {
        need(4);
        int v = getInt(buf, pos);
        pos += 4;
        return v;
    }

    long u8() throws IOException {
        need(8);
        long v = getLong(buf, pos);
        pos += 8;
        return v;
    }

    long id() throws IOException {
        return idSize == 8 ? u8() : u4() & 0xffffffffL;
    }

    /** Skips {@code n} bytes. */
    void skip(long n) throws IOException {
        while (n > 0) {
            if (pos == limit && !fill(1)) throw new Truncated();
            int k = (int) Math.min(n, limit - pos);
            pos += k;
            n -= k;
        }
    }

    /**
     * Moves forward to dump offset {@code offset}: within the buffer by moving the position, past
     * it by skipping the stream (a file's skips are seeks).
     */
    void seek(long offset) throws IOException {
        long n = offset - offset();
        if (n < 0) throw new IllegalArgumentException("seek back from " + offset() + " to " + offset);
        if (n <= limit - pos) {
            pos += (int) n;
            return;
        }
        n -= limit - pos;
        base += limit;
        pos = 0;
        limit = 0;
        while (n > 0 && !eof) {
            long k = in.skip(n);
            if (k <= 0) break;
            base += k;
            n -= k;
        }
        skip(n);
    }

    byte[] bytes(int n) throws IOException {
        byte[] out = new byte[n];
        int at = 0;
        while (at < n) {
            if (pos == limit && !fill(1)) throw new Truncated();
            int k = Math.min(n - at, limit - pos);
            System.arraycopy(buf, pos, out, at, k);
            pos += k;
            at += k;
        }
        return out;
    }

    static int getInt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    static long getLong(byte[] b, int i) {
        return (long) getInt(b, i) << 32 | (getInt(b, i + 4) & 0xffffffffL);
    }

    long getId(byte[] b, int i) {
        return idSize == 8 ? getLong(b, i) : getInt(b, i) & 0xffffffffL;
    }

    BadInputException bad(long offset, String message) {
        return new BadInputException(file, "offset " + offset + ": " + message);
    }
}
