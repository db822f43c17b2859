package dev.jjf.fuzz;

import java.nio.charset.StandardCharsets;

/**
 * Structured values taken from the front of a fuzzer's byte array. Plain bytes (rather than
 * Jazzer's FuzzedDataProvider) so that the same inputs replay in ordinary JUnit tests and in the
 * combined target; an exhausted input yields zeros and empty strings.
 */
final class FuzzInput {
    private final byte[] data;
    private int pos;

    FuzzInput(byte[] data) {
        this.data = data;
    }

    boolean more() {
        return pos < data.length;
    }

    int nextByte() {
        return pos < data.length ? data[pos++] & 0xff : 0;
    }

    boolean nextBoolean() {
        return (nextByte() & 1) != 0;
    }

    /** An int in [min, max], both inclusive. */
    int nextInt(int min, int max) {
        long span = (long) max - min + 1;
        long v = 0;
        for (int i = 0; i < 4; i++) v = (v << 8) | nextByte();
        return (int) (min + Math.floorMod(v, span));
    }

    long nextLong() {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | nextByte();
        return v;
    }

    /** Up to {@code max} bytes as UTF-8 (malformed sequences become U+FFFD, as a file reader would give). */
    String nextString(int max) {
        int n = Math.min(nextInt(0, max), data.length - pos);
        String s = new String(data, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** Up to {@code max} chars, each any UTF-16 unit (lone surrogates and controls included). */
    String nextChars(int max) {
        int n = nextInt(0, max);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n && pos + 1 < data.length; i++) sb.append((char) ((nextByte() << 8) | nextByte()));
        return sb.toString();
    }

    <T> T pick(T[] values) {
        return values[nextInt(0, values.length - 1)];
    }
}
