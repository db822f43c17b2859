package dev.jjf.symbols;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The agent's compact line tables of interpreted methods (native/perfmap-agent/README.md, "Map
 * lines for interpreted frames"): right after a method's block line the agent writes
 * {@code # jjf-lines START FILE FROM:LINE FROM:LINE ... END} instead of one line per run of
 * bytecodes that repeats the method's name. This expands such a line into exactly the entries
 * those lines gave, {@code START+FROM SIZE name (FILE:LINE)}, so everything downstream
 * ({@link SourcePositions}, --lines, JSON, pprof) sees what it saw before.
 */
final class InterpretedLineTables {
    private static final byte[] DIRECTIVE = "# jjf-lines ".getBytes(StandardCharsets.US_ASCII);
    /** An interpreted method's block: 2^20 addresses, one per bytecode index; the last one means "unknown". */
    private static final long BLOCK_BYTES = 1L << 20;
    /** Bytecode indexes lie below the block's last address; more digits than this cannot. */
    private static final int MAX_BCI_DIGITS = 7;
    /** Source positions carry 1 to 9 digits (see {@link SourcePositions}). */
    private static final int MAX_LINE_DIGITS = 9;
    private static final int MAX_RUNS_GUESS = 16;

    private InterpretedLineTables() {
    }

    /** Whether {@code b[from..to)} is such a line (a line starting with '#' is no entry otherwise). */
    static boolean isDirective(byte[] b, int from, int to) {
        return to - from >= DIRECTIVE.length && Arrays.equals(b, from, from + DIRECTIVE.length, DIRECTIVE, 0, DIRECTIVE.length);
    }

    /**
     * Adds the runs of the table in {@code b[from..to)} (a line {@link #isDirective} accepts) to
     * {@code out}, named after the entry added last, which must be the block that START names.
     *
     * @param ascii whether the line is plain ASCII; otherwise the file name is decoded and encoded
     *     again as UTF-8, as an ordinary line's name is
     * @param maxNameChars the longest name an ordinary line may carry
     * @return false when the line is malformed, follows no such block, or a name would be too long;
     *     then nothing is added
     */
    static boolean expand(byte[] b, int from, int to, boolean ascii, PerfMapEntries out, int maxNameChars) {
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) to--;
        int p = from + DIRECTIVE.length;
        int startEnd = indexOf(b, ' ', p, to);
        if (startEnd < 0) return false;
        long start = parseHex(b, p, startEnd);
        int fileFrom = startEnd + 1;
        int fileTo = indexOf(b, ' ', fileFrom, to);
        if (start == -1 || fileTo <= fileFrom) return false;
        for (int i = fileFrom; i < fileTo; i++) {
            if (b[i] == '(' || b[i] == ')' || (b[i] >= 0 && b[i] < ' ')) return false;
        }
        int block = out.count() - 1;
        if (block < 0 || out.start(block) != start || out.end(block) - start != BLOCK_BYTES) return false;

        // FROM:LINE tokens, then END; every run [FROM, next) is non-empty and inside the block.
        long[] froms = new long[MAX_RUNS_GUESS + 1];
        int[] lines = new int[MAX_RUNS_GUESS];
        int runs = 0;
        p = fileTo + 1;
        while (true) {
            if (p >= to) return false;
            int tokenEnd = indexOf(b, ' ', p, to);
            if (tokenEnd < 0) tokenEnd = to;
            int colon = indexOf(b, ':', p, tokenEnd);
            long bci = parseDecimal(b, p, colon < 0 ? tokenEnd : colon, MAX_BCI_DIGITS);
            if (bci < 0 || (runs > 0 && bci <= froms[runs - 1]) || bci >= BLOCK_BYTES) return false;
            if (runs == lines.length) {
                froms = Arrays.copyOf(froms, runs * 2 + 1);
                lines = Arrays.copyOf(lines, runs * 2);
            }
            froms[runs] = bci;
            if (colon < 0) {
                if (tokenEnd != to || runs == 0) return false; // END, and only at the end
                break;
            }
            long line = parseDecimal(b, colon + 1, tokenEnd, MAX_LINE_DIGITS);
            if (line < 0) return false;
            lines[runs++] = (int) line;
            p = tokenEnd + 1;
        }

        byte[] file = ascii ? Arrays.copyOfRange(b, fileFrom, fileTo)
                : new String(b, fileFrom, fileTo - fileFrom, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
        // " (" + file + ":" then the line and ")", one buffer for all runs; the name is the block's.
        byte[] suffix = new byte[2 + file.length + 1 + MAX_LINE_DIGITS + 1];
        suffix[0] = ' ';
        suffix[1] = '(';
        System.arraycopy(file, 0, suffix, 2, file.length);
        int prefix = 2 + file.length;
        suffix[prefix++] = ':';
        byte[] name = out.name(block);
        int nameChars = ascii && isAscii(name) ? name.length + prefix
                : new String(name, StandardCharsets.UTF_8).length() + new String(suffix, 0, prefix, StandardCharsets.UTF_8).length();
        if (nameChars + Integer.toString(maxLine(lines, runs)).length() + 1 > maxNameChars) return false;
        for (int r = 0; r < runs; r++) {
            if (lines[r] == 0) continue; // a gap: the bare method covers it
            int at = prefix;
            byte[] digits = Integer.toString(lines[r]).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, suffix, at, digits.length);
            at += digits.length;
            suffix[at++] = ')';
            if (!out.addSuffixed(start + froms[r], froms[r + 1] - froms[r], block, suffix, 0, at)) return false;
        }
        return true;
    }

    private static int maxLine(int[] lines, int runs) {
        int max = 0;
        for (int r = 0; r < runs; r++) max = Math.max(max, lines[r]);
        return max;
    }

    private static boolean isAscii(byte[] b) {
        for (byte c : b) {
            if (c < 0) return false;
        }
        return true;
    }

    private static int indexOf(byte[] b, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) return i;
        }
        return -1;
    }

    /** Lower-case hex as the agent writes it, 1 to 16 digits; -1 when malformed. */
    private static long parseHex(byte[] b, int from, int to) {
        if (to <= from || to - from > 16) return -1;
        long v = 0;
        for (int i = from; i < to; i++) {
            int c = b[i];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) return -1;
            v = (v << 4) | d;
        }
        return v;
    }

    /** 1 to maxDigits decimal digits; -1 when malformed. */
    private static long parseDecimal(byte[] b, int from, int to, int maxDigits) {
        if (to <= from || to - from > maxDigits) return -1;
        long v = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') return -1;
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }
}
