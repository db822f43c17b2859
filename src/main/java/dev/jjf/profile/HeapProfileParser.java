package dev.jjf.profile;

import dev.jjf.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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
    /** Value of each byte as a hex digit, -1 for other bytes: the parser's innermost loop. */
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
        try (LineReader r = new LineReader(in, file, MAX_LINE_BYTES)) {
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
                        r.next(); // the marker
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
        private final LineReader r;
        private final Path file;
        private final List<Mapping> mappings = new ArrayList<>();
        private long period;
        private long[] frames = new long[128];
        private int pos;

        Parse(LineReader r, Path file) {
            this.r = r;
            this.file = file;
        }

        /** Parses the whole file; the period and samples go to {@code samples}, mappings stay here. */
        void run(Sink samples) throws IOException {
            if (!r.next()) throw error("empty file, expected a jemalloc heap_v2 profile");
            period = header();
            samples.period(period);
            long[] stack = null;
            boolean mapped = false;
            boolean anySample = false;
            while (r.next()) {
                pos = skipSpaces(0);
                if (pos == r.length) continue;
                byte c = r.line[pos];
                if (c == '@') {
                    if (stack != null) throw error("stack without a t*: count line");
                    stack = stackLine();
                } else if (c == 't') {
                    if (r.length > pos + 1 && r.line[pos + 1] == '*') {
                        if (stack == null) continue; // whole-process summary before the first stack
                        samples.sample(countLine(stack));
                        anySample = true;
                        stack = null;
                    } else if (stack == null && !anySample) {
                        continue; // per-thread summaries in the header
                    }
                    // per-thread lines of a stack are not used, as in jeprof
                } else if (startsWith(MAPPED)) {
                    if (stack != null) throw error("stack without a t*: count line");
                    mapped = true;
                    mappedLibraries();
                    break;
                } else {
                    throw error("unexpected line '" + excerpt() + "'");
                }
            }
            samples.end();
            if (stack != null) throw error("file ends inside a stack (truncated profile?)");
            if (!mapped) {
                throw new BadInputException(file, r.lineNumber,
                        "no MAPPED_LIBRARIES section (truncated profile?); addresses cannot be symbolized");
            }
        }

        private long header() {
            if (!startsWith(HEADER)) {
                throw error("not a jemalloc heap_v2 profile (first line '" + excerpt() + "')");
            }
            pos = HEADER.length;
            long period = decimal();
            if (pos != r.length) throw error("bad sample period in '" + excerpt() + "'");
            return period;
        }

        private long[] stackLine() {
            pos++;
            int n = 0;
            while (true) {
                pos = skipSpaces(pos);
                if (pos == r.length) break;
                if (n == frames.length) frames = Arrays.copyOf(frames, n * 2);
                frames[n++] = hex();
            }
            if (n == 0) throw error("stack line without addresses");
            return Arrays.copyOf(frames, n);
        }

        /** {@code t*: objs: bytes [accum_objs: accum_bytes]} */
        private StackSample countLine(long[] stack) {
            pos += 2;
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
            if (pos != r.length) throw error("trailing text after count line");
            return new StackSample(stack, objects, bytes, accumObjects, accumBytes);
        }

        private void mappedLibraries() throws IOException {
            while (r.next()) {
                pos = skipSpaces(0);
                if (pos == r.length) continue;
                Mapping m = mappingLine();
                if (m != null) mappings.add(m);
            }
        }

        /** {@code start-end perms offset dev inode [path]}; lines that do not fit are skipped as jeprof does. */
        private Mapping mappingLine() {
            try {
                long start = hex();
                expectNoSpace('-');
                long end = hex();
                pos = skipSpaces(pos);
                int permsStart = pos;
                pos = skipToken(pos);
                String perms = new String(r.line, permsStart, pos - permsStart, StandardCharsets.US_ASCII);
                pos = skipSpaces(pos);
                long offset = hex();
                pos = skipSpaces(pos);
                pos = skipToken(pos); // device
                pos = skipSpaces(pos);
                pos = skipToken(pos); // inode
                pos = skipSpaces(pos);
                int pathEnd = r.length;
                while (pathEnd > pos && r.line[pathEnd - 1] == ' ') pathEnd--;
                String path = new String(r.line, pos, pathEnd - pos, StandardCharsets.UTF_8);
                return new Mapping(start, end, offset, perms, path);
            } catch (BadInputException e) {
                return null;
            }
        }

        private long hex() {
            if (pos + 1 < r.length && r.line[pos] == '0' && (r.line[pos + 1] == 'x' || r.line[pos + 1] == 'X')) {
                pos += 2;
            }
            int start = pos;
            long v = 0;
            byte[] line = r.line;
            int end = r.length;
            while (pos < end) {
                int d = HEX_DIGITS[line[pos] & 0xff];
                if (d < 0) break;
                if (pos - start == 16) throw error("hex number longer than 64 bits");
                v = (v << 4) | d;
                pos++;
            }
            if (pos == start) throw error("expected a hex address at column " + (pos + 1));
            if (pos < r.length && r.line[pos] != ' ' && r.line[pos] != '-' && r.line[pos] != '\t') {
                throw error("bad hex address at column " + (start + 1));
            }
            return v;
        }

        private long decimal() {
            pos = skipSpaces(pos);
            int start = pos;
            long v = 0;
            while (pos < r.length) {
                byte b = r.line[pos];
                if (b < '0' || b > '9') break;
                if (v > (Long.MAX_VALUE - (b - '0')) / 10) throw error("count does not fit in 64 bits");
                v = v * 10 + (b - '0');
                pos++;
            }
            if (pos == start) throw error("expected a non-negative number at column " + (pos + 1));
            return v;
        }

        private void expect(char c) {
            pos = skipSpaces(pos);
            expectNoSpace(c);
        }

        private void expectNoSpace(char c) {
            if (pos >= r.length || r.line[pos] != c) {
                throw error("expected '" + c + "' at column " + (pos + 1) + " in '" + excerpt() + "'");
            }
            pos++;
        }

        private int skipSpaces(int i) {
            while (i < r.length && (r.line[i] == ' ' || r.line[i] == '\t')) i++;
            return i;
        }

        private int skipToken(int i) {
            while (i < r.length && r.line[i] != ' ' && r.line[i] != '\t') i++;
            return i;
        }

        private boolean startsWith(byte[] prefix) {
            if (r.length - pos < prefix.length) return false;
            for (int i = 0; i < prefix.length; i++) {
                if (r.line[pos + i] != prefix[i]) return false;
            }
            return true;
        }

        private String excerpt() {
            int n = Math.min(r.length, 60);
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                int b = r.line[i] & 0xff;
                sb.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
            }
            if (r.length > n) sb.append("...");
            return sb.toString();
        }

        private BadInputException error(String message) {
            // A dump cut short (its process killed while writing it) fails on its last, partial line.
            String cut = r.terminated ? "" : " (the file ends in the middle of this line: truncated profile?)";
            return new BadInputException(file, r.lineNumber, message + cut);
        }
    }
}
