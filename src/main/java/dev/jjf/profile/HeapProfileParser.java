package dev.jjf.profile;

import dev.jjf.BadInputException;
import dev.jjf.io.MapsLine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads jemalloc heap_v2 profiles the way jeprof does: the whole-process ("t*") count line of
 * each stack, per-thread lines skipped, then the MAPPED_LIBRARIES section.
 */
public final class HeapProfileParser {
    /** jemalloc records at most 128 frames; far longer lines are not a jemalloc profile. */
    static final int MAX_LINE_BYTES = 1 << 20;
    private static final byte[] HEADER = "heap_v2/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAPPED = "MAPPED_LIBRARIES:".getBytes(StandardCharsets.US_ASCII);
    /** Value of each byte as a hex digit, -1 for other bytes. */
    private static final byte[] HEX_DIGITS = new byte[256];

    static {
        Arrays.fill(HEX_DIGITS, (byte) -1);
        for (int i = 0; i < 16; i++) {
            HEX_DIGITS[Character.forDigit(i, 16)] = (byte) i;
            HEX_DIGITS[Character.toUpperCase(Character.forDigit(i, 16))] = (byte) i;
        }
    }

    private HeapProfileParser() {
    }

    /** Parses one file; BadInputException names the file and line of anything malformed. */
    public static HeapProfile parse(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file);
        }
    }

    /** Parses a stream; {@code file} is only used in messages. */
    public static HeapProfile parse(InputStream in, Path file) throws IOException {
        return parse(in, file, LineReader.BUFFER_BYTES);
    }

    /** As {@link #parse(InputStream, Path)}, reading through a buffer of about that many bytes. */
    static HeapProfile parse(InputStream in, Path file, int bufferBytes) throws IOException {
        try (LineReader r = new LineReader(in, file, MAX_LINE_BYTES, bufferBytes)) {
            List<StackSample> samples = new ArrayList<>();
            Parse p = new Parse(r, file);
            p.run(new Sink() {
                @Override
                public void period(long samplePeriodBytes) {
                }

                @Override
                public void sample(StackSample sample) {
                    samples.add(sample);
                }
            });
            return new HeapProfile(file, p.period, List.copyOf(samples), List.copyOf(p.mappings));
        }
    }

    /** What a streaming parse hands over, in file order. */
    interface Sink {
        /** Called once, before any sample. */
        void period(long samplePeriodBytes);

        void sample(StackSample sample);

        /** Called after the last sample, before the memory map is checked. */
        default void end() {
        }
    }

    /**
     * Parses a stream exactly as {@link #parse(InputStream, Path)} does (same checks, same
     * messages) but hands each sample to {@code sink} instead of keeping it.
     *
     * @return the MAPPED_LIBRARIES section
     */
    static List<Mapping> parse(InputStream in, Path file, Sink sink) throws IOException {
        try (LineReader r = new LineReader(in, file, MAX_LINE_BYTES)) {
            Parse p = new Parse(r, file);
            p.run(sink);
            return List.copyOf(p.mappings);
        }
    }

    /** Bytes read from the end of a file to find its MAPPED_LIBRARIES section; a /proc/PID/maps copy is rarely longer. */
    static final int TAIL_BYTES = 1 << 18;
    /** Largest tail read before giving up on finding the section from the end. */
    static final int MAX_TAIL_BYTES = 1 << 24;

    /**
     * The MAPPED_LIBRARIES section read from the end of the file, without reading the stacks
     * before it, so symbols can be prepared while the stacks are parsed; empty when the end of the
     * file holds no such section (the full parse then reports what is wrong).
     */
    static Optional<List<Mapping>> tailMappings(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            for (long want = TAIL_BYTES; ; want *= 2) {
                int n = (int) Math.min(size, Math.min(want, MAX_TAIL_BYTES));
                ByteBuffer buf = ByteBuffer.allocate(n);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, size - n + buf.position()) < 0) return Optional.empty();
                }
                byte[] tail = buf.array();
                int at = lastMarkerLine(tail, n < size);
                if (at >= 0) {
                    try (LineReader r = new LineReader(new ByteArrayInputStream(tail, at, n - at), file, MAX_LINE_BYTES)) {
                        Parse p = new Parse(r, file);
                        p.mappedLibraries();
                        return Optional.of(List.copyOf(p.mappings));
                    }
                }
                if (n == size || n == MAX_TAIL_BYTES) return Optional.empty();
            }
        }
    }

    /**
     * Start of the last line that is MAPPED_LIBRARIES: after optional blanks, as the parser
     * accepts it; -1 when there is none. A line cut by the window's start only counts when the
     * window is the whole file.
     */
    private static int lastMarkerLine(byte[] b, boolean partial) {
        for (int i = b.length - MAPPED.length; i >= 0; i--) {
            if (b[i] != MAPPED[0] || !matches(b, i, MAPPED)) continue;
            int start = i;
            while (start > 0 && (b[start - 1] == ' ' || b[start - 1] == '\t')) start--;
            if (start == 0 ? !partial : b[start - 1] == '\n') return start;
        }
        return -1;
    }

    private static boolean matches(byte[] b, int at, byte[] what) {
        for (int k = 0; k < what.length; k++) {
            if (b[at + k] != what[k]) return false;
        }
        return true;
    }

    /** State of one parse; lives for one file. */
    private static final class Parse {
        /** Eight bytes of a line as one long, the first byte lowest. */
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private final LineReader r;
        private final Path file;
        private final List<Mapping> mappings = new ArrayList<>();
        private long period;
        private long[] frames = new long[128];
        /** The stack of the last stack line, and the sample of the last count line. */
        private long[] stack;
        private StackSample sample;
        /** The reader's buffer; the current line starts at lineStart. */
        private byte[] buf;
        private int lineStart;
        private long lineNumber;
        /** For the checked helpers: the position in buf, and the end of the line's text. */
        private int pos;
        private int end;

        Parse(LineReader r, Path file) {
            this.r = r;
            this.file = file;
            this.buf = r.buf;
        }

        /** Moves to the line starting at p (the end of the window: the next window); -1 at the end of the file. */
        private int nextLine(int p) throws IOException {
            if (p == r.limit) {
                if (!r.refill(lineNumber)) return -1;
                buf = r.buf;
                p = 0;
            }
            lineNumber++;
            lineStart = p;
            return p;
        }

        /** Parses the whole file; the period and samples go to {@code samples}, mappings stay here. */
        void run(Sink samples) throws IOException {
            int p = nextLine(0);
            if (p < 0) throw errorAtEnd("empty file, expected a jemalloc heap_v2 profile");
            p = lineEnd(p);
            period = header();
            samples.period(period);
            long[] stack = null;
            boolean mapped = false;
            while ((p = nextLine(p)) >= 0) {
                byte[] b = buf;
                byte c = b[p];
                while (c == ' ' || c == '\t') c = b[++p];
                if (c == '@') {
                    if (stack != null) throw error("stack without a t*: count line");
                    p = stackLine(p + 1);
                    stack = this.stack;
                } else if (c == 't') {
                    if (b[p + 1] == '*' && stack != null) {
                        int next = plainCountLine(p + 2, stack);
                        if (next < 0) {
                            pos = p + 2;
                            next = lineEnd(p);
                            sample = countLine(stack);
                        }
                        p = next;
                        samples.sample(sample);
                        stack = null;
                    } else {
                        // summaries in the header, and per-thread lines, which jeprof does not use either
                        p = skipLine(b, p);
                    }
                } else if (c == '\n') {
                    p++;
                } else if (c == '\r' && b[p + 1] == '\n' && p + 1 != r.addedNewline) {
                    p += 2;
                } else {
                    pos = p;
                    p = lineEnd(p);
                    if (!startsWith(MAPPED)) throw error("unexpected line '" + excerpt() + "'");
                    if (stack != null) throw error("stack without a t*: count line");
                    mapped = true;
                    mappedLibraries(p);
                    break;
                }
            }
            samples.end();
            if (stack != null) throw errorAtEnd("file ends inside a stack (truncated profile?)");
            if (!mapped) {
                throw new BadInputException(file, lineNumber,
                        "no MAPPED_LIBRARIES section (truncated profile?); addresses cannot be symbolized");
            }
        }

        /**
         * Finds the end of the line that p is in: sets {@link #end} to the end of its text (without
         * "\r\n" or "\n") and returns the start of the next line.
         */
        private int lineEnd(int p) {
            byte[] b = buf;
            while (b[p] != '\n') p++;
            int e = p;
            if (e > lineStart && b[e - 1] == '\r' && p != r.addedNewline) e--;
            end = e;
            return p + 1;
        }

        private long header() {
            pos = lineStart;
            if (!startsWith(HEADER)) {
                throw error("not a jemalloc heap_v2 profile (first line '" + excerpt() + "')");
            }
            pos += HEADER.length;
            long period = decimal();
            if (pos != end) throw error("bad sample period in '" + excerpt() + "'");
            return period;
        }

        /**
         * The addresses of a stack line, from just after its '@', into {@link #stack}; returns the
         * start of the next line.
         *
         * <p>Addresses are read eight digits at a time: a long load, a mask of the bytes that are
         * not hex digits, and the digits' value by masks and multiplies. Every byte the loads touch
         * is inside the buffer, and the line's '\n' stops each number. This loop is most of a
         * parse, and the jjf launcher compiles with C1 only (-XX:TieredStopAtLevel=1), which inlines
         * neither larger helpers nor {@link Long#numberOfTrailingZeros}: so it is written out here.
         */
        private int stackLine(int p) {
            byte[] b = buf;
            long[] f = frames;
            int n = 0;
            byte c = b[p];
            while (true) {
                while (c == ' ' || c == '\t') c = b[++p];
                if (c == '\n') break;
                if (c == '\r' && b[p + 1] == '\n' && p + 1 != r.addedNewline) {
                    p++;
                    break;
                }
                if (c == '0' && (b[p + 1] | 0x20) == 'x') p += 2;
                long w = (long) LONGS.get(b, p);
                long x = w & 0x7f7f7f7f7f7f7f7fL;
                long y = x | 0x2020202020202020L;
                // a high bit in each byte that is not '0'..'9', 'a'..'f' or 'A'..'F'
                long bad = (~((x + 0x5050505050505050L & ~(x + 0x4646464646464646L))
                        | (y + 0x1f1f1f1f1f1f1f1fL & ~(y + 0x1919191919191919L))) | w) & 0x8080808080808080L;
                long v = 0;
                if (bad == 0) {
                    // eight digits: their value, then the next eight bytes the same way
                    long t = (w & 0x0f0f0f0f0f0f0f0fL) + (w >>> 6 & 0x0101010101010101L) * 9;
                    t = t * 0x1001 >>> 8 & 0x00ff00ff00ff00ffL;
                    t = t * 0x1000001 >>> 16 & 0x0000ffff0000ffffL;
                    v = t * 0x1000000000001L >>> 32;
                    p += 8;
                    w = (long) LONGS.get(b, p);
                    x = w & 0x7f7f7f7f7f7f7f7fL;
                    y = x | 0x2020202020202020L;
                    bad = (~((x + 0x5050505050505050L & ~(x + 0x4646464646464646L))
                            | (y + 0x1f1f1f1f1f1f1f1fL & ~(y + 0x1919191919191919L))) | w) & 0x8080808080808080L;
                    if (bad == 0 && HEX_DIGITS[b[p + 8] & 0xff] >= 0) throw error("hex number longer than 64 bits");
                } else if ((bad & 0x80) != 0) {
                    throw error("expected a hex address at column " + (p - lineStart + 1));
                }
                // w starts with the last (or only) digits: 8 * their count is the first bad byte's index
                int bits = bad == 0 ? 64 : (int) (((bad & -bad) >>> 7) * 0x0001020304050607L >>> 53);
                if (bits != 0) {
                    long t = w << (64 - bits);
                    t = (t & 0x0f0f0f0f0f0f0f0fL) + (t >>> 6 & 0x0101010101010101L) * 9;
                    t = t * 0x1001 >>> 8 & 0x00ff00ff00ff00ffL;
                    t = t * 0x1000001 >>> 16 & 0x0000ffff0000ffffL;
                    v = v << (bits >>> 1) | t * 0x1000000000001L >>> 32;
                    p += bits >>> 3;
                }
                c = b[p];
                if (c != ' ' && c != '\n' && c != '\t' && c != '-'
                        && !(c == '\r' && b[p + 1] == '\n' && p + 1 != r.addedNewline)) {
                    // the number starts after '@', a blank or its "0x": none of them a digit
                    int start = p;
                    while (HEX_DIGITS[b[start - 1] & 0xff] >= 0) start--;
                    throw error("bad hex address at column " + (start - lineStart + 1));
                }
                if (n == f.length) frames = f = Arrays.copyOf(f, n * 2);
                f[n++] = v;
            }
            if (n == 0) throw error("stack line without addresses");
            stack = Arrays.copyOf(f, n);
            return p + 1;
        }

        /**
         * A count line spelt exactly as jemalloc writes it, "t*: N: N [N: N]" then '\n', from just
         * after its "t*": the sample goes to {@link #sample} and the start of the next line is
         * returned. -1 for any other spelling (spaces, "\r\n", 19 digits or more, errors), which
         * {@link #countLine} then reads with all its checks.
         */
        private int plainCountLine(int p, long[] stack) {
            byte[] b = buf;
            if (b[p] != ':' || b[p + 1] != ' ') return -1;
            int start = p += 2;
            long objects = 0;
            for (int d; (d = b[p] - '0') >= 0 && d <= 9; p++) objects = objects * 10 + d;
            if (p == start || p - start > 18 || b[p] != ':' || b[p + 1] != ' ') return -1;
            start = p += 2;
            long bytes = 0;
            for (int d; (d = b[p] - '0') >= 0 && d <= 9; p++) bytes = bytes * 10 + d;
            if (p == start || p - start > 18 || b[p] != ' ' || b[p + 1] != '[') return -1;
            start = p += 2;
            long accumObjects = 0;
            for (int d; (d = b[p] - '0') >= 0 && d <= 9; p++) accumObjects = accumObjects * 10 + d;
            if (p == start || p - start > 18 || b[p] != ':' || b[p + 1] != ' ') return -1;
            start = p += 2;
            long accumBytes = 0;
            for (int d; (d = b[p] - '0') >= 0 && d <= 9; p++) accumBytes = accumBytes * 10 + d;
            if (p == start || p - start > 18 || b[p] != ']' || b[p + 1] != '\n') return -1;
            sample = new StackSample(stack, objects, bytes, accumObjects, accumBytes);
            return p + 2;
        }

        /** The start of the line after the one p is in, looking at eight bytes at a time. */
        private static int skipLine(byte[] b, int p) {
            while (true) {
                long w = (long) LONGS.get(b, p) ^ 0x0a0a0a0a0a0a0a0aL;
                long newlines = (w - 0x0101010101010101L) & ~w & 0x8080808080808080L; // exact up to the first
                if (newlines != 0) return p + (int) (((newlines & -newlines) >>> 7) * 0x0001020304050607L >>> 56) + 1;
                p += 8;
            }
        }

        /** {@code t*: objs: bytes [accum_objs: accum_bytes]}, from just after its "t*". */
        private StackSample countLine(long[] stack) {
            expect(':');
            long objects = decimal();
            expect(':');
            long bytes = decimal();
            expect('[');
            long accumObjects = decimal();
            expect(':');
            long accumBytes = decimal();
            expect(']');
            pos = skipSpaces(pos);
            if (pos != end) throw error("trailing text after count line");
            return new StackSample(stack, objects, bytes, accumObjects, accumBytes);
        }

        /** The lines after the MAPPED_LIBRARIES: line, which ends just before p. */
        void mappedLibraries(int p) throws IOException {
            while ((p = nextLine(p)) >= 0) {
                p = lineEnd(p);
                pos = skipSpaces(lineStart);
                if (pos == end) continue;
                Mapping m = mappingLine();
                if (m != null) mappings.add(m);
            }
        }

        /** The lines after the first line, which is a MAPPED_LIBRARIES: line. */
        void mappedLibraries() throws IOException {
            int p = nextLine(0);
            if (p >= 0) mappedLibraries(lineEnd(p));
        }

        /** {@code start-end perms offset dev inode [path]}; lines that do not fit are skipped as jeprof does. */
        private Mapping mappingLine() {
            MapsLine m = MapsLine.parse(buf, pos, end);
            return m == null ? null : new Mapping(m.start(), m.end(), m.offset(), m.perms(), m.path());
        }

        private long decimal() {
            pos = skipSpaces(pos);
            int start = pos;
            long v = 0;
            while (pos < end) {
                int d = buf[pos] - '0';
                if (d < 0 || d > 9) break;
                if (v >= Long.MAX_VALUE / 10 && v > (Long.MAX_VALUE - d) / 10) throw error("count does not fit in 64 bits");
                v = v * 10 + d;
                pos++;
            }
            if (pos == start) throw error("expected a non-negative number at column " + column(pos));
            return v;
        }

        private void expect(char c) {
            pos = skipSpaces(pos);
            expectNoSpace(c);
        }

        private void expectNoSpace(char c) {
            if (pos >= end || buf[pos] != c) {
                throw error("expected '" + c + "' at column " + column(pos) + " in '" + excerpt() + "'");
            }
            pos++;
        }

        private int skipSpaces(int i) {
            while (i < end && (buf[i] == ' ' || buf[i] == '\t')) i++;
            return i;
        }

        private boolean startsWith(byte[] prefix) {
            if (end - pos < prefix.length) return false;
            for (int i = 0; i < prefix.length; i++) {
                if (buf[pos + i] != prefix[i]) return false;
            }
            return true;
        }

        /** One-based column of a position in the current line. */
        private int column(int i) {
            return i - lineStart + 1;
        }

        /** The start of the current line, printable. */
        private String excerpt() {
            int length = textEnd() - lineStart;
            int n = Math.min(length, 60);
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                int b = buf[lineStart + i] & 0xff;
                sb.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
            }
            if (length > n) sb.append("...");
            return sb.toString();
        }

        /** The end of the current line's text, found again (errors only). */
        private int textEnd() {
            int p = lineStart;
            while (buf[p] != '\n') p++;
            return p > lineStart && buf[p - 1] == '\r' && p != r.addedNewline ? p - 1 : p;
        }

        private BadInputException error(String message) {
            int nl = lineStart;
            while (buf[nl] != '\n') nl++;
            return error(message, nl != r.addedNewline);
        }

        /** An error after the last line (or in an empty file). */
        private BadInputException errorAtEnd(String message) {
            return error(message, lineNumber > 0 && r.addedNewline < 0);
        }

        private BadInputException error(String message, boolean terminated) {
            // A dump cut short (its process killed while writing it) fails on its last, partial line.
            String cut = terminated ? "" : " (the file ends in the middle of this line: truncated profile?)";
            return new BadInputException(file, lineNumber, message + cut);
        }
    }
}
