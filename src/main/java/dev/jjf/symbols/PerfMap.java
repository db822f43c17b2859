package dev.jjf.symbols;

import dev.jjf.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        byte[] bytes = Files.readAllBytes(file);
        return parse(new String(bytes, StandardCharsets.UTF_8), file, warnings);
    }

    static PerfMap parse(String text, Path file, Consumer<String> warnings) throws IOException {
        // Later entries replace the overlapping parts of earlier ones: a map of disjoint pieces.
        TreeMap<Long, Piece> pieces = new TreeMap<>(Long::compareUnsigned);
        long lineNumber = 0;
        long bad = 0;
        long firstBad = 0;
        int valid = 0;
        try (BufferedReader reader = new BufferedReader(new StringReader(text))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) continue;
                PerfMapEntry e = line.length() > MAX_LINE_CHARS ? null : parseLine(line);
                if (e == null) {
                    if (bad++ == 0) firstBad = lineNumber;
                    continue;
                }
                valid++;
                insert(pieces, e);
            }
        }
        if (valid == 0 && bad > 0) {
            throw new BadInputException(file, firstBad, "not a perf map: no line of the form 'ADDRESS SIZE NAME'");
        }
        if (bad > 0) {
            warnings.accept(file + ":" + firstBad + ": skipped " + bad + " malformed perf-map line" + (bad == 1 ? "" : "s"));
        }
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
