package dev.jjf.heap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * Decompression of gzip heap dumps, in parallel for jcmd's {@code -gz} files. Those are a series
 * of independent members of about 1 MiB of dump each, the first with the comment
 * {@code HPROF BLOCKSIZE=}; nothing indexes them, so member starts are found by their 10-byte
 * header and each candidate member is inflated on a worker. A member must end exactly where the
 * next candidate starts, with its CRC and length right; if one does not (a header's bytes inside
 * compressed data, a cut file), the rest of the file is read by one sequential stream from that
 * member on. Other gzip files are read sequentially. No temporary file either way.
 */
final class ParallelGzip extends BlockInput {
    static final String JCMD_COMMENT = "HPROF BLOCKSIZE=";
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    /** Members inflate to about 1 MiB; a candidate that inflates past this is read sequentially. */
    private static final int MAX_MEMBER_BYTES = 64 << 20;
    /** A member's compressed bytes past which it is read sequentially. */
    private static final int MAX_COMPRESSED_BYTES = 64 << 20;
    private static final int SCAN_WINDOW_BYTES = 1 << 20;
    private static final int TRAILER_BYTES = 8;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final ExecutorService workers;
    private final int lookahead;
    private final ArrayDeque<Member> inflight = new ArrayDeque<>();
    /** Where the next candidate member to submit starts; size when all are submitted. */
    private long nextStart;
    private byte[] current = new byte[0];
    private int currentLength;
    private int currentPos;
    private InputStream sequential;

    private record Member(long start, Future<Chunk> data) {
    }

    /** A member's bytes: the first {@code length} of {@code data}. */
    private record Chunk(byte[] data, int length) {
    }

    private ParallelGzip(Path file, FileChannel channel, int threads) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
        this.lookahead = threads * 2;
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "jjf-gunzip");
            t.setDaemon(true);
            return t;
        });
    }

    /** The uncompressed bytes of a gzip file, decompressed on up to {@code threads} threads when jcmd wrote it. */
    static InputStream open(Path file, int threads) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            ByteBuffer head = ByteBuffer.allocate(10 + JCMD_COMMENT.length());
            while (head.hasRemaining() && ch.read(head) > 0) {
                // fill
            }
            byte[] h = head.array();
            boolean jcmd = head.position() == h.length && (h[3] & FCOMMENT) != 0 && (h[3] & (FEXTRA | FNAME)) == 0
                    && new String(h, 10, JCMD_COMMENT.length(), StandardCharsets.ISO_8859_1).equals(JCMD_COMMENT);
            if (!jcmd || threads < 2) {
                ch.position(0);
                return new GZIPInputStream(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16), 1 << 16);
            }
            return new ParallelGzip(file, ch, threads);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (sequential != null) return sequential.read(b, off, len);
        while (currentPos == currentLength) {
            if (!nextMember()) return sequential != null ? sequential.read(b, off, len) : -1;
        }
        int n = Math.min(len, currentLength - currentPos);
        System.arraycopy(current, currentPos, b, off, n);
        currentPos += n;
        return n;
    }

    /** Moves to the next member's bytes; false at the end or when the rest is read sequentially. */
    private boolean nextMember() throws IOException {
        while (inflight.size() < lookahead && nextStart < size) submit();
        Member m = inflight.poll();
        if (m == null) return false;
        Chunk data;
        try {
            data = m.data.get();
        } catch (ExecutionException e) {
            data = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while decompressing");
        }
        if (data == null) {
            // Not a member that ends where the next begins: from here on, one stream does it.
            // Workers are not interrupted: an interrupt during a FileChannel read closes the channel.
            for (Member later : inflight) later.data.cancel(false);
            inflight.clear();
            workers.shutdown();
            FileChannel rest = FileChannel.open(file, StandardOpenOption.READ);
            rest.position(m.start);
            sequential = new GZIPInputStream(new BufferedInputStream(Channels.newInputStream(rest), 1 << 16), 1 << 16);
            return false;
        }
        current = data.data();
        currentLength = data.length();
        currentPos = 0;
        return true;
    }

    private void submit() throws IOException {
        long start = nextStart;
        long end = nextCandidate(start + 10 + TRAILER_BYTES);
        nextStart = end;
        inflight.add(new Member(start, workers.submit(() -> inflate(start, end))));
    }

    /** A window of the compressed file for finding member starts, kept between calls (members are smaller than it). */
    private final byte[] window = new byte[SCAN_WINDOW_BYTES];
    private long windowStart = -1;
    private int windowLength;

    /** The next offset at or after {@code from} where a member header like jcmd's starts, or the file's size. */
    private long nextCandidate(long from) throws IOException {
        for (long at = from; at < size; ) {
            if (windowStart < 0 || at < windowStart || at + 10 > windowStart + windowLength) {
                windowStart = at;
                ByteBuffer buf = ByteBuffer.wrap(window);
                while (buf.hasRemaining()) {
                    if (channel.read(buf, windowStart + buf.position()) < 0) break;
                }
                windowLength = buf.position();
                if (windowLength < 10) return size;
            }
            int i = (int) (at - windowStart);
            byte[] w = window;
            for (int end = windowLength - 10; i <= end; i++) {
                if (w[i] == 0x1f && (w[i + 1] & 0xff) == 0x8b && w[i + 2] == 8 && isMemberHeader(w, i)) return windowStart + i;
            }
            at = windowStart + i;
            if (at - from > MAX_COMPRESSED_BYTES) return at; // no boundary so far: the member check fails and reading goes sequential
            if (windowStart + windowLength >= size) return size;
        }
        return size;
    }

    /** jcmd's members: no flags, or a comment ("HPROF BLOCKSIZE=..."); no time; XFL and OS as zlib writes them. */
    private static boolean isMemberHeader(byte[] w, int i) {
        int flags = w[i + 3] & 0xff;
        return (flags == 0 || flags == FCOMMENT) && w[i + 4] == 0 && w[i + 5] == 0 && w[i + 6] == 0 && w[i + 7] == 0
                && (w[i + 8] & 0xff) <= 4 && (w[i + 9] & 0xff) <= 13;
    }

    /**
     * Inflates the members in [start, end) (one, unless a header was missed); null unless the last
     * ends exactly at {@code end} and each has the right CRC and length.
     */
    private Chunk inflate(long start, long end) throws IOException {
        int n = (int) Math.min(end - start, MAX_COMPRESSED_BYTES);
        byte[] in = new byte[n];
        ByteBuffer buf = ByteBuffer.wrap(in);
        while (buf.hasRemaining()) {
            if (channel.read(buf, start + buf.position()) < 0) return null;
        }
        // jcmd's blocks are 1 MiB; the slack lets zlib see the end of the stream without a second buffer.
        byte[] out = new byte[(1 << 20) + 64];
        int size = 0;
        int p = 0;
        Inflater inflater = new Inflater(true);
        try {
            while (p < n) {
                int h = headerLength(in, p);
                if (h < 0) return null;
                inflater.reset();
                inflater.setInput(in, h, n - h);
                int memberStart = size;
                while (!inflater.finished()) {
                    if (size == out.length) {
                        if (out.length >= MAX_MEMBER_BYTES) return null;
                        out = java.util.Arrays.copyOf(out, out.length * 2);
                    }
                    int k = inflater.inflate(out, size, out.length - size);
                    if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) return null;
                    size += k;
                }
                if (inflater.getRemaining() < TRAILER_BYTES) return null;
                int t = n - inflater.getRemaining();
                CRC32 crc = new CRC32();
                crc.update(out, memberStart, size - memberStart);
                if (crc.getValue() != le32(in, t) || ((size - memberStart) & 0xffffffffL) != le32(in, t + 4)) return null;
                p = t + TRAILER_BYTES;
            }
            return new Chunk(out, size);
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    private static long le32(byte[] b, int i) {
        return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
    }

    /** Where the data of the gzip member whose header is at {@code at} starts, or -1. */
    private static int headerLength(byte[] b, int at) {
        if (b.length - at < 10 || b[at] != 0x1f || (b[at + 1] & 0xff) != 0x8b || b[at + 2] != 8) return -1;
        int flags = b[at + 3] & 0xff;
        int p = at + 10;
        if ((flags & FEXTRA) != 0) {
            if (p + 2 > b.length) return -1;
            p += 2 + ((b[p] & 0xff) | (b[p + 1] & 0xff) << 8);
        }
        for (int f : new int[] {FNAME, FCOMMENT}) {
            if ((flags & f) == 0) continue;
            while (p < b.length && b[p] != 0) p++;
            p++;
        }
        if ((flags & FHCRC) != 0) p += 2;
        return p <= b.length ? p : -1;
    }

    /** True once the rest of the file is read by one sequential stream. */
    boolean fellBack() {
        return sequential != null;
    }

    @Override
    public void close() throws IOException {
        for (Member m : inflight) m.data.cancel(false);
        workers.shutdown();
        if (sequential != null) sequential.close();
        channel.close();
    }
}
