package dev.jjf.symbols;

import java.nio.charset.StandardCharsets;

/**
 * The agent's {@code # jjf-compiled id=CID blob=ADDRESS lines=N} line: the N map lines after it
 * describe one compilation, whose frames the backtrace hook records by compile id as
 * {@code 0xFB00000000000000 | CID << 24 | offset from ADDRESS} (native/perfmap-agent/javastack.c).
 * The reader copies those lines there, so that a frame is named by the code it ran even after
 * the JIT freed that code and reused its address.
 */
record CompiledUnit(long base, long blob, long lines) {
    static final long TAG = 0xFB00_0000_0000_0000L;
    static final int ID_SHIFT = 24;
    /** Offsets within one compilation's block; the hook records nothing beyond. */
    static final long BLOCK_BYTES = 1L << ID_SHIFT;
    private static final long MAX_ID = (1L << (56 - ID_SHIFT)) - 1;
    private static final byte[] PREFIX = "# jjf-compiled ".getBytes(StandardCharsets.US_ASCII);

    /** Whether {@code b[from..to)} is such a line at all (well formed or not). */
    static boolean isDirective(byte[] b, int from, int to) {
        if (to - from < PREFIX.length) return false;
        for (int i = 0; i < PREFIX.length; i++) {
            if (b[from + i] != PREFIX[i]) return false;
        }
        return true;
    }

    /** The unit a directive line announces, or null when the line is malformed. */
    static CompiledUnit parse(byte[] b, int from, int to) {
        long id = -1;
        long blob = -1;
        long lines = -1;
        int i = from + PREFIX.length;
        while (i < to) {
            while (i < to && b[i] == ' ') i++;
            int end = i;
            while (end < to && b[end] != ' ') end++;
            int eq = i;
            while (eq < end && b[eq] != '=') eq++;
            if (eq == end) return null;
            String key = new String(b, i, eq - i, StandardCharsets.US_ASCII);
            long value = switch (key) {
                case "id", "lines" -> parseUnsigned(b, eq + 1, end, 10);
                case "blob" -> parseUnsigned(b, eq + 1, end, 16);
                default -> 0; // a later agent's addition: ignored
            };
            if (value < 0) return null;
            switch (key) {
                case "id" -> id = value;
                case "blob" -> blob = value;
                case "lines" -> lines = value;
                default -> { }
            }
            i = end;
        }
        if (id <= 0 || id > MAX_ID || blob <= 0 || lines < 0) return null;
        return new CompiledUnit(TAG | id << ID_SHIFT, blob, lines);
    }

    /** Where an entry starting at {@code start} of this compilation's code lies in its block, or -1. */
    long moved(long start, long size) {
        long offset = start - blob;
        if (Long.compareUnsigned(start, blob) < 0 || Long.compareUnsigned(offset + size, BLOCK_BYTES) > 0) return -1;
        return base + offset;
    }

    /** Digits in {@code radix}, at most 16 of them; -1 when malformed. */
    private static long parseUnsigned(byte[] b, int from, int to, int radix) {
        if (to <= from || to - from > 16) return -1;
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(b[i], radix);
            if (d < 0) return -1;
            v = v * radix + d;
        }
        return v;
    }
}
