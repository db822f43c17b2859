package dev.jjf.symbols;

import dev.jjf.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A JVM's perf map (/tmp/perf-PID.map): which code lives at which address. Reads the JDK's
 * dialect ({@code 0x7f.. 0x78 void a.B.c(int)}) and perf-map-agent's ({@code 7f.. 78 La/B;::c}).
 * Where entries overlap, the one written later wins: it describes newer code at that address.
 * jjf's agent writes each compiled method before its inline ranges, so its maps always overlap;
 * that is the ordinary case here, not a slow path. Addresses compare unsigned throughout.
 * The lines of one compilation that the agent announces ({@link CompiledUnit}) are also copied to
 * that compilation's own block of synthetic addresses, where no later code can cover them.
 */
public final class PerfMap {
    private static final int MAX_LINE_CHARS = 64 * 1024;
    private static final int MAX_NAME_CHARS = 16 * 1024;
    /** Reads of 256 KiB, grown for a longer line (see profile/LineReader for why this size). */
    private static final int BUFFER_BYTES = 1 << 18;
    /** A piece of the address space that no entry covers. */
    private static final int NO_ENTRY = -1;

    private final Path source;
    private final PerfMapEntries entries;
    /**
     * The address space cut into pieces, in address order: piece k is [pieceStarts[k],
     * pieceStarts[k + 1]) and belongs to entry pieceEntries[k] (or none); the last piece has no entry.
     */
    private final long[] pieceStarts;
    private final int[] pieceEntries;

    private PerfMap(Path source, PerfMapEntries entries, long[] pieceStarts, int[] pieceEntries) {
        this.source = source;
        this.entries = entries;
        this.pieceStarts = pieceStarts;
        this.pieceEntries = pieceEntries;
    }

    /** A map with no entries. */
    public static PerfMap empty() {
        return new PerfMap(null, new PerfMapEntries(), new long[0], new int[0]);
    }

    /**
     * Reads a perf map. Lines that are not entries are skipped and reported to {@code warnings}
     * (one message per file, with the first bad line); a file with no valid entry at all but
     * some content is bad input.
     */
    public static PerfMap read(Path file, Consumer<String> warnings) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file, warnings);
        }
    }

    static PerfMap parse(String text, Path file, Consumer<String> warnings) throws IOException {
        return parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), file, warnings);
    }

    /**
     * Streams the lines through one buffer. Lines are split on the bytes, which is safe in UTF-8:
     * no multi-byte character contains a line break. A line of plain ASCII, nearly every line, is
     * parsed from its bytes; any other is decoded first, by the same rules.
     */
    static PerfMap parse(InputStream in, Path file, Consumer<String> warnings) throws IOException {
        PerfMapEntries parsed = new PerfMapEntries();
        long lineNumber = 0;
        long bad = 0;
        long firstBad = 0;
        byte[] buf = new byte[BUFFER_BYTES];
        int limit = 0;
        boolean eof = false;
        int from = 0;
        // The line being read starts at from; buf[from..to) has been scanned, ascii tells what it held.
        int to = 0;
        boolean ascii = true;
        // The compilation whose lines are being read, and how many of them are still to come.
        CompiledUnit unit = null;
        long unitLines = 0;
        while (true) {
            while (to < limit && buf[to] != '\n' && buf[to] != '\r') {
                ascii &= buf[to] >= 0;
                to++;
            }
            // A line is whole when its end was read; a '\r' waits for the next byte, which may be its '\n'.
            boolean whole = eof || (to < limit && (buf[to] == '\n' || to + 1 < limit));
            if (!whole) {
                if (from > 0) {
                    System.arraycopy(buf, from, buf, 0, limit - from);
                    limit -= from;
                    to -= from;
                    from = 0;
                } else if (limit == buf.length) {
                    if (buf.length == Integer.MAX_VALUE - 16) throw new BadInputException(file, lineNumber + 1, "line too long");
                    buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, buf.length * 2L));
                }
                int n = in.read(buf, limit, buf.length - limit);
                if (n < 0) eof = true;
                else limit += n;
                continue;
            }
            if (from == limit) break; // end of file, right after a line break
            lineNumber++;
            String line = ascii ? null : new String(buf, from, to - from, StandardCharsets.UTF_8);
            // The agent's first line names its process; PerfMapOrigin reads it.
            boolean header = lineNumber == 1 && PerfMapOrigin.isHeader(buf, from, to);
            if (header) {
                // read by PerfMapOrigin
            } else if (ascii && CompiledUnit.isDirective(buf, from, to)) {
                unit = CompiledUnit.parse(buf, from, to);
                unitLines = unit == null ? 0 : unit.lines();
                if (unit == null && bad++ == 0) firstBad = lineNumber;
            } else {
                int added = parsed.count();
                if (ascii ? !isBlank(buf, from, to) : !line.isBlank()) {
                    boolean entry = InterpretedLineTables.isDirective(buf, from, to)
                            ? InterpretedLineTables.expand(buf, from, to, ascii, parsed, MAX_NAME_CHARS)
                            : (ascii ? to - from : line.length()) <= MAX_LINE_CHARS && parseLine(buf, from, to, ascii, parsed);
                    if (!entry && bad++ == 0) firstBad = lineNumber;
                }
                if (unitLines > 0) {
                    unitLines--;
                    long moved = parsed.count() > added ? unit.moved(parsed.start(added), parsed.end(added) - parsed.start(added)) : -1;
                    if (moved != -1 && !parsed.addCopy(added, moved)) unitLines = 0;
                }
            }
            // "\r\n" ends one line, as BufferedReader reads it.
            from = to < limit && buf[to] == '\r' && to + 1 < limit && buf[to + 1] == '\n' ? to + 2 : to + 1;
            to = from;
            ascii = true;
            if (from >= limit && eof) break;
        }
        if (parsed.count() == 0 && bad > 0) {
            throw new BadInputException(file, firstBad, "not a perf map: no line of the form 'ADDRESS SIZE NAME'");
        }
        if (bad > 0) {
            warnings.accept(file + ":" + firstBad + ": skipped " + bad + " malformed perf-map line" + (bad == 1 ? "" : "s"));
        }
        parsed.trim();
        return painted(file, parsed);
    }

    /**
     * Reads one line, {@code b[from..to)} without its line break, into {@code out}: {@code START
     * SIZE NAME}, hex with or without 0x, the name stripped of white space at both ends.
     * Non-ASCII lines ({@code ascii} false) are valid UTF-8 only in the name; it is stripped of
     * Unicode white space and counted in chars, as a String.
     *
     * @return false when the line is not an entry
     */
    private static boolean parseLine(byte[] b, int from, int to, boolean ascii, PerfMapEntries out) {
        int a = from;
        while (a < to && b[a] == ' ') a++;
        int aEnd = indexOfSpace(b, a, to);
        if (aEnd < 0) return false;
        int s = aEnd;
        while (s < to && b[s] == ' ') s++;
        int sEnd = indexOfSpace(b, s, to);
        if (sEnd < 0) return false;
        long start = parseHex(b, a, aEnd);
        long size = parseHex(b, s, sEnd);
        if (start == -1 || size == -1 || size == 0) return false;
        if (Long.compareUnsigned(start + size, start) < 0) return false;
        if (!ascii) {
            String name = new String(b, sEnd + 1, to - sEnd - 1, StandardCharsets.UTF_8).strip();
            if (name.isEmpty() || name.length() > MAX_NAME_CHARS) return false;
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            return out.add(start, size, utf8, 0, utf8.length);
        }
        int nameFrom = sEnd + 1;
        int nameTo = to;
        while (nameFrom < nameTo && isAsciiWhitespace(b[nameFrom])) nameFrom++;
        while (nameTo > nameFrom && isAsciiWhitespace(b[nameTo - 1])) nameTo--;
        if (nameTo == nameFrom || nameTo - nameFrom > MAX_NAME_CHARS) return false;
        return out.add(start, size, b, nameFrom, nameTo);
    }

    /**
     * Cuts the address space into pieces, each owned by the latest entry that covers it. A sweep
     * in address order keeps the entries that cover the current address in a heap ordered by
     * file position; the top one owns the address. Nested ranges (the agent's inline ranges inside
     * their method) cost the same as disjoint ones: O(n log n) over primitive arrays.
     */
    private static PerfMap painted(Path file, PerfMapEntries e) {
        int n = e.count();
        int[] order = IndexSort.sorted(n, (a, b) -> Long.compareUnsigned(e.start(a), e.start(b)));
        Pieces out = new Pieces(n);
        int[] heap = new int[16];
        int heapSize = 0;
        int i = 0;
        long pos = 0;
        while (i < n || heapSize > 0) {
            if (heapSize == 0) pos = e.start(order[i]);
            while (i < n && e.start(order[i]) == pos) {
                if (heapSize == heap.length) heap = Arrays.copyOf(heap, heapSize * 2);
                heapSize = push(heap, heapSize, order[i++]);
            }
            while (heapSize > 0 && Long.compareUnsigned(e.end(heap[0]), pos) <= 0) heapSize = pop(heap, heapSize);
            if (heapSize == 0) {
                out.mark(pos, NO_ENTRY);
                continue;
            }
            int top = heap[0];
            out.mark(pos, top);
            long next = e.end(top);
            if (i < n && Long.compareUnsigned(e.start(order[i]), next) < 0) next = e.start(order[i]);
            pos = next;
        }
        return new PerfMap(file, e, Arrays.copyOf(out.starts, out.count), Arrays.copyOf(out.entries, out.count));
    }

    /** Boundaries where the owner changes; a later mark at the same address replaces the earlier one. */
    private static final class Pieces {
        long[] starts;
        int[] entries;
        int count;

        Pieces(int expected) {
            starts = new long[Math.max(16, expected + 1)];
            entries = new int[starts.length];
        }

        void mark(long address, int entry) {
            if (count > 0 && starts[count - 1] == address) count--;
            if (count > 0 && entries[count - 1] == entry) return;
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count + (count >> 1));
                entries = Arrays.copyOf(entries, starts.length);
            }
            starts[count] = address;
            entries[count] = entry;
            count++;
        }
    }

    /** Max-heap of entry indexes: the entry written last is on top. */
    private static int push(int[] heap, int size, int entry) {
        int k = size;
        while (k > 0 && heap[(k - 1) >>> 1] < entry) {
            heap[k] = heap[(k - 1) >>> 1];
            k = (k - 1) >>> 1;
        }
        heap[k] = entry;
        return size + 1;
    }

    private static int pop(int[] heap, int size) {
        int last = heap[--size];
        int k = 0;
        while (true) {
            int child = 2 * k + 1;
            if (child >= size) break;
            if (child + 1 < size && heap[child + 1] > heap[child]) child++;
            if (heap[child] <= last) break;
            heap[k] = heap[child];
            k = child;
        }
        if (size > 0) heap[k] = last;
        return size;
    }

    /** {@link String#isBlank()} on an ASCII line: only whitespace, or nothing. */
    private static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isAsciiWhitespace(b[i])) return false;
        }
        return true;
    }

    /** {@link Character#isWhitespace} for ASCII, which is what {@link String#strip()} removes there. */
    private static boolean isAsciiWhitespace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
    }

    private static int indexOfSpace(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == ' ') return i;
        }
        return -1;
    }

    /** Hex with or without 0x; -1 when malformed (an address of all ones is not code). */
    private static long parseHex(byte[] b, int from, int to) {
        if (to - from > 2 && b[from] == '0' && (b[from + 1] == 'x' || b[from + 1] == 'X')) from += 2;
        if (to <= from || to - from > 16) return -1;
        long v = 0;
        for (int i = from; i < to; i++) {
            int c = b[i];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return -1;
            v = (v << 4) | d;
        }
        return v;
    }

    /** The entry covering {@code address}, or null. */
    public PerfMapEntry lookup(long address) {
        int lo = 0;
        int hi = pieceStarts.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(pieceStarts[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0 || pieceEntries[found] == NO_ENTRY) return null;
        return entries.entry(pieceEntries[found]);
    }

    /** Number of disjoint address ranges after overlaps were resolved. */
    public int size() {
        int n = 0;
        for (int e : pieceEntries) {
            if (e != NO_ENTRY) n++;
        }
        return n;
    }

    /** The file this map was read from, or null. */
    public Path source() {
        return source;
    }

    /** The entry of each range, in address order; for tests and diagnostics. */
    List<PerfMapEntry> entries() {
        List<PerfMapEntry> out = new ArrayList<>();
        for (int e : pieceEntries) {
            if (e != NO_ENTRY) out.add(entries.entry(e));
        }
        return out;
    }
}
