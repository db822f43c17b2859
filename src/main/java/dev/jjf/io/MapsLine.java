package dev.jjf.io;

import java.nio.charset.StandardCharsets;

/**
 * One line of /proc/PID/maps, {@code start-end perms offset dev inode [path]}, as the kernel
 * writes it and as jemalloc copies it into a heap profile's MAPPED_LIBRARIES section.
 *
 * @param path the file, with the kernel's " (deleted)" suffix when it was removed while mapped;
 *     "" or a bracketed name ({@code [heap]}) for memory without a file
 */
public record MapsLine(long start, long end, String perms, long offset, String path) {
    private static final int MAX_HEX_DIGITS = 16;

    /** True when the mapping's code may run ({@code r-xp}). */
    public boolean executable() {
        return perms.length() > 2 && perms.charAt(2) == 'x';
    }

    /** {@link #parse(byte[], int, int)} on a line of text. */
    public static MapsLine parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return parse(b, 0, b.length);
    }

    /**
     * Parses {@code b[from..to)} (no line break): blanks before the start, between fields and
     * after the path are skipped; addresses are hex, with or without 0x. Null when the line does
     * not have that shape (jeprof skips such lines too).
     */
    public static MapsLine parse(byte[] b, int from, int to) {
        Cursor c = new Cursor(b, to);
        c.pos = c.skipBlanks(from);
        long start = c.hex();
        if (c.failed || c.pos >= to || b[c.pos] != '-') return null;
        c.pos++;
        long end = c.hex();
        c.pos = c.skipBlanks(c.pos);
        int permsFrom = c.pos;
        c.pos = c.skipToken(c.pos);
        String perms = new String(b, permsFrom, c.pos - permsFrom, StandardCharsets.US_ASCII);
        c.pos = c.skipBlanks(c.pos);
        long offset = c.hex();
        c.pos = c.skipBlanks(c.skipToken(c.skipBlanks(c.pos))); // device
        c.pos = c.skipBlanks(c.skipToken(c.pos)); // inode
        if (c.failed) return null;
        int pathEnd = to;
        while (pathEnd > c.pos && b[pathEnd - 1] == ' ') pathEnd--;
        return new MapsLine(start, end, perms, offset, new String(b, c.pos, pathEnd - c.pos, StandardCharsets.UTF_8));
    }

    /** A position in a line, and whether a field did not parse. */
    private static final class Cursor {
        final byte[] b;
        final int to;
        int pos;
        boolean failed;

        Cursor(byte[] b, int to) {
            this.b = b;
            this.to = to;
        }

        int skipBlanks(int i) {
            while (i < to && (b[i] == ' ' || b[i] == '\t')) i++;
            return i;
        }

        int skipToken(int i) {
            while (i < to && b[i] != ' ' && b[i] != '\t') i++;
            return i;
        }

        /** A hex number ending at a blank, a '-' or the end of the line. */
        long hex() {
            if (pos + 1 < to && b[pos] == '0' && (b[pos + 1] == 'x' || b[pos + 1] == 'X')) pos += 2;
            int start = pos;
            long v = 0;
            while (pos < to) {
                int d = Character.digit(b[pos], 16);
                if (d < 0 || b[pos] < 0) break;
                if (pos - start == MAX_HEX_DIGITS) {
                    failed = true;
                    return 0;
                }
                v = (v << 4) | d;
                pos++;
            }
            if (pos == start || (pos < to && b[pos] != ' ' && b[pos] != '-' && b[pos] != '\t')) failed = true;
            return v;
        }
    }
}
