package dev.jjf.symbols;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A JVM's perf map (/tmp/perf-PID.map): which code lives at which address. Reads the JDK's
 * dialect ({@code 0x7f.. 0x78 void a.B.c(int)}) and perf-map-agent's ({@code 7f.. 78 La/B;::c}).
 * Where entries overlap, the one written later wins: it describes newer code at that address.
 */
public final class PerfMap {
    private static final int MAX_LINE_CHARS = 64 * 1024;
    private static final int MAX_NAME_CHARS = 16 * 1024;

    private final Path source;
    private final long[] starts;
    private final long[] ends;
    private final PerfMapEntry[] entries;

    private PerfMap(Path source, long[] starts, long[] ends, PerfMapEntry[] entries) {
        this.source = source;
        this.starts = starts;
        this.ends = ends;
        this.entries = entries;
    }

    /** A map with no entries. */
    public static PerfMap empty() {
        return new PerfMap(null, new long[0], new long[0], new PerfMapEntry[0]);
    }

    /**
     * Reads a perf map. Lines that are not entries are skipped and reported to {@code warnings}
     * (one message per file, with the first bad line); a file with no valid entry at all but
     * some content is bad input.
     */
    public static PerfMap read(Path file, Consumer<String> warnings) throws IOException {
        return parse(Files.readAllBytes(file), file, warnings);
    }

    static PerfMap parse(String text, Path file, Consumer<String> warnings) throws IOException {
        return parse(text.getBytes(StandardCharsets.UTF_8), file, warnings);
    }

    /**
     * Lines are split on the bytes, which is safe in UTF-8: no multi-byte character contains a
     * line break. A line of plain ASCII, nearly every line, is parsed from its bytes; any other is
     * decoded and parsed as text, by the same rules.
     */
    static PerfMap parse(byte[] bytes, Path file, Consumer<String> warnings) throws IOException {
        List<PerfMapEntry> parsed = new ArrayList<>();
        long lineNumber = 0;
        long bad = 0;
        long firstBad = 0;
        int n = bytes.length;
        for (int from = 0; from < n; ) {
            int to = from;
            boolean ascii = true;
            while (to < n && bytes[to] != '\n' && bytes[to] != '\r') {
                ascii &= bytes[to] >= 0;
                to++;
            }
            lineNumber++;
            String line = ascii ? null : new String(bytes, from, to - from, StandardCharsets.UTF_8);
            // runtime branch (issue 15): the agent's first line names its process; PerfMapOrigin reads it.
            boolean header = lineNumber == 1 && PerfMapOrigin.isHeader(bytes, from, to);
            if (!header && (ascii ? !isBlank(bytes, from, to) : !line.isBlank())) {
                PerfMapEntry e;
                if (!ascii) {
                    e = line.length() > MAX_LINE_CHARS ? null : parseLine(line);
                } else {
                    e = to - from > MAX_LINE_CHARS ? null : parseAsciiLine(bytes, from, to);
                }
                if (e == null) {
                    if (bad++ == 0) firstBad = lineNumber;
                } else {
                    parsed.add(e);
                }
            }
            // "\r\n" ends one line, as BufferedReader reads it.
            from = to < n && bytes[to] == '\r' && to + 1 < n && bytes[to + 1] == '\n' ? to + 2 : to + 1;
        }
        if (parsed.isEmpty() && bad > 0) {
            throw new BadInputException(file, firstBad, "not a perf map: no line of the form 'ADDRESS SIZE NAME'");
        }
        if (bad > 0) {
            warnings.accept(file + ":" + firstBad + ": skipped " + bad + " malformed perf-map line" + (bad == 1 ? "" : "s"));
        }
        PerfMap disjoint = sortedIfDisjoint(file, parsed);
        return disjoint != null ? disjoint : painted(file, parsed);
    }

    /**
     * The entries in address order when no two overlap (the JDK's own dump, and most agent maps),
     * else null. Addresses are sorted as primitives; with distinct starts each entry finds its rank
     * by binary search.
     */
    private static PerfMap sortedIfDisjoint(Path file, List<PerfMapEntry> parsed) {
        int n = parsed.size();
        long[] biased = new long[n];
        for (int i = 0; i < n; i++) biased[i] = parsed.get(i).start() ^ Long.MIN_VALUE;
        long[] sorted = biased.clone();
        Arrays.sort(sorted);
        for (int k = 1; k < n; k++) {
            if (sorted[k] == sorted[k - 1]) return null; // two entries at one address: the later one wins
        }
        long[] starts = new long[n];
        long[] ends = new long[n];
        PerfMapEntry[] entries = new PerfMapEntry[n];
        for (int i = 0; i < n; i++) {
            int k = Arrays.binarySearch(sorted, biased[i]);
            PerfMapEntry e = parsed.get(i);
            starts[k] = e.start();
            ends[k] = e.end();
            entries[k] = e;
        }
        for (int k = 1; k < n; k++) {
            if (Long.compareUnsigned(ends[k - 1], starts[k]) > 0) return null;
        }
        return new PerfMap(file, starts, ends, entries);
    }

    /** Overlapping entries: later ones replace the overlapping parts of earlier ones, leaving disjoint pieces. */
    private static PerfMap painted(Path file, List<PerfMapEntry> parsed) {
        TreeMap<Long, Piece> pieces = new TreeMap<>(Long::compareUnsigned);
        for (PerfMapEntry e : parsed) insert(pieces, e);
        long[] starts = new long[pieces.size()];
        long[] ends = new long[pieces.size()];
        PerfMapEntry[] entries = new PerfMapEntry[pieces.size()];
        int i = 0;
        for (Map.Entry<Long, Piece> p : pieces.entrySet()) {
            starts[i] = p.getKey();
            ends[i] = p.getValue().end;
            entries[i] = p.getValue().entry;
            i++;
        }
        return new PerfMap(file, starts, ends, entries);
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

    /** {@link #parseLine} on the bytes of an ASCII line. */
    private static PerfMapEntry parseAsciiLine(byte[] b, int from, int to) {
        int a = from;
        while (a < to && b[a] == ' ') a++;
        int aEnd = indexOfSpace(b, a, to);
        if (aEnd < 0) return null;
        int s = aEnd;
        while (s < to && b[s] == ' ') s++;
        int sEnd = indexOfSpace(b, s, to);
        if (sEnd < 0) return null;
        long start = parseHex(b, a, aEnd);
        long size = parseHex(b, s, sEnd);
        if (start == -1 || size == -1 || size == 0) return null;
        if (Long.compareUnsigned(start + size, start) < 0) return null;
        int nameFrom = sEnd + 1;
        int nameTo = to;
        while (nameFrom < nameTo && isAsciiWhitespace(b[nameFrom])) nameFrom++;
        while (nameTo > nameFrom && isAsciiWhitespace(b[nameTo - 1])) nameTo--;
        if (nameTo == nameFrom || nameTo - nameFrom > MAX_NAME_CHARS) return null;
        return new PerfMapEntry(start, size, new String(b, nameFrom, nameTo - nameFrom, StandardCharsets.ISO_8859_1));
    }

    private static int indexOfSpace(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == ' ') return i;
        }
        return -1;
    }

    /** {@link #parseHex(String, int, int)} on ASCII bytes. */
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

    private record Piece(long end, PerfMapEntry entry) {
    }

    private static void insert(TreeMap<Long, Piece> pieces, PerfMapEntry e) {
        long start = e.start();
        long end = e.end();
        // A piece starting before us may reach into our range: cut it, keep what lies beyond us.
        Map.Entry<Long, Piece> before = pieces.lowerEntry(start);
        if (before != null && Long.compareUnsigned(before.getValue().end, start) > 0) {
            Piece p = before.getValue();
            pieces.put(before.getKey(), new Piece(start, p.entry));
            if (Long.compareUnsigned(p.end, end) > 0) pieces.put(end, new Piece(p.end, p.entry));
        }
        // Pieces starting inside our range are replaced; one reaching past our end keeps its tail.
        while (true) {
            Map.Entry<Long, Piece> inside = pieces.ceilingEntry(start);
            if (inside == null || Long.compareUnsigned(inside.getKey(), end) >= 0) break;
            pieces.remove(inside.getKey());
            Piece p = inside.getValue();
            if (Long.compareUnsigned(p.end, end) > 0) pieces.put(end, new Piece(p.end, p.entry));
        }
        pieces.put(start, new Piece(end, e));
    }

    /** Parses one line of either dialect; null when it is not an entry. */
    static PerfMapEntry parseLine(String line) {
        int a = 0;
        int n = line.length();
        while (a < n && line.charAt(a) == ' ') a++;
        int aEnd = line.indexOf(' ', a);
        if (aEnd < 0) return null;
        int s = aEnd;
        while (s < n && line.charAt(s) == ' ') s++;
        int sEnd = line.indexOf(' ', s);
        if (sEnd < 0) return null;
        long start = parseHex(line, a, aEnd);
        long size = parseHex(line, s, sEnd);
        if (start == -1 || size == -1 || size == 0) return null;
        if (Long.compareUnsigned(start + size, start) < 0) return null;
        String name = line.substring(sEnd + 1).strip();
        if (name.isEmpty() || name.length() > MAX_NAME_CHARS) return null;
        return new PerfMapEntry(start, size, name);
    }

    /** Hex with or without 0x; -1 when malformed (an address of all ones is not code). */
    private static long parseHex(String s, int from, int to) {
        if (to - from > 2 && s.charAt(from) == '0' && (s.charAt(from + 1) == 'x' || s.charAt(from + 1) == 'X')) {
            from += 2;
        }
        if (to <= from || to - from > 16) return -1;
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) return -1;
            v = (v << 4) | d;
        }
        return v;
    }

    /** The entry covering {@code address}, or null. */
    public PerfMapEntry lookup(long address) {
        int lo = 0;
        int hi = starts.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0 || Long.compareUnsigned(address, ends[found]) >= 0) return null;
        return entries[found];
    }

    /** Number of disjoint address ranges after overlaps were resolved. */
    public int size() {
        return entries.length;
    }

    /** The file this map was read from, or null. */
    public Path source() {
        return source;
    }

    /** All ranges, in address order; for tests and diagnostics. */
    List<PerfMapEntry> entries() {
        return new ArrayList<>(List.of(entries));
    }
}
