package dev.jjf.symbols;

import java.util.ArrayList;
import java.util.List;

/**
 * The source positions jjf's agent appends to the Java methods of a perf-map name: each method of
 * a chain may end in {@code " (pkg/File.java:LINE)"}, as in {@code a.B.c() (a/B.java:12)->d.E.f(int)
 * (d/E.java:7)}. The one place that reads them; see native/perfmap-agent/README.md.
 *
 * @param bareName the name without positions, as a map without them would have written it
 * @param files per part of the chain, outermost first: the file, "" when the part has none
 * @param lines per part: the line, 0 when the part has none
 */
record SourcePositions(String bareName, List<String> files, int[] lines) {
    private static final String SEPARATOR = "->";
    private static final String OPEN = " (";

    /** Splits a raw perf-map name; a name without positions comes back as it is. */
    static SourcePositions of(String raw) {
        if (!raw.endsWith(")") || !raw.contains(OPEN)) return new SourcePositions(raw, List.of(), new int[0]);
        List<String> files = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        StringBuilder bare = new StringBuilder(raw.length());
        int from = 0;
        while (true) {
            int at = raw.indexOf(SEPARATOR, from);
            int to = at < 0 ? raw.length() : at;
            int open = positionStart(raw, from, to);
            if (open < 0) {
                bare.append(raw, from, to);
                files.add("");
                lines.add(0);
            } else {
                bare.append(raw, from, open);
                int colon = raw.lastIndexOf(':', to - 2);
                files.add(raw.substring(open + OPEN.length(), colon));
                lines.add(Integer.parseInt(raw, colon + 1, to - 1, 10));
            }
            if (at < 0) break;
            bare.append(SEPARATOR);
            from = at + SEPARATOR.length();
        }
        return new SourcePositions(bare.toString(), List.copyOf(files), lines.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Where {@code " (FILE:LINE)"} begins in raw[from..to), or -1: it follows a Java method's
     * closing parenthesis, the file is not empty and holds no parenthesis, the line is 1 to 9 digits.
     */
    private static int positionStart(String raw, int from, int to) {
        if (to - from < 6 || raw.charAt(to - 1) != ')') return -1;
        int colon = raw.lastIndexOf(':', to - 2);
        if (colon <= from || to - 1 - colon - 1 < 1 || to - 1 - colon - 1 > 9) return -1;
        for (int i = colon + 1; i < to - 1; i++) {
            if (raw.charAt(i) < '0' || raw.charAt(i) > '9') return -1;
        }
        int open = raw.lastIndexOf(OPEN, colon);
        if (open <= from || raw.charAt(open - 1) != ')' || open + OPEN.length() == colon) return -1;
        for (int i = open + OPEN.length(); i < colon; i++) {
            char c = raw.charAt(i);
            if (c == '(' || c == ')') return -1;
        }
        return open;
    }

    /** The file of part {@code i} of the chain (outermost first), "" when unknown. */
    String file(int i) {
        return i < files.size() ? files.get(i) : "";
    }

    /** The line of part {@code i}, 0 when unknown. */
    int line(int i) {
        return i < lines.length ? lines[i] : 0;
    }
}
