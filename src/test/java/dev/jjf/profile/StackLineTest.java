package dev.jjf.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jjf.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The parser reads addresses eight digits at a time from a buffer of whole lines: numbers of every
 * length and spelling, separators, bad digits at every position and lines across buffer
 * boundaries must read as they did one byte at a time.
 */
class StackLineTest {
    private static final Path FILE = Path.of("t.heap");
    private static final String COUNT = "  t*: 1: 8 [0: 0]\n";
    private static final String MAP = "MAPPED_LIBRARIES:\n55e287ce8000-55e287ce9000 r-xp 00001000 fe:00 327901 /usr/bin/java\n";

    private static HeapProfile parse(String text) throws IOException {
        return HeapProfileParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), FILE);
    }

    private static BadInputException error(String text) {
        return assertThrows(BadInputException.class, () -> parse(text));
    }

    private static long[] stack(String line) throws IOException {
        HeapProfile p = parse("heap_v2/1\n" + line + "\n" + COUNT + MAP);
        assertEquals(1, p.samples().size());
        return p.samples().get(0).addresses();
    }

    /** 1 to 16 digits, every spelling of the prefix and of the digits. */
    @Test
    void addressesOfEveryLength() throws IOException {
        Random random = new Random(7);
        for (int digits = 1; digits <= 16; digits++) {
            for (int round = 0; round < 20; round++) {
                StringBuilder hex = new StringBuilder();
                for (int i = 0; i < digits; i++) {
                    char c = Character.forDigit(random.nextInt(16), 16);
                    hex.append(round % 3 == 1 ? Character.toUpperCase(c) : round % 3 == 2 && random.nextBoolean() ? Character.toUpperCase(c) : c);
                }
                long value = Long.parseUnsignedLong(hex.toString(), 16);
                String prefix = new String[] {"0x", "0X", ""}[round % 3];
                String separator = new String[] {" ", "\t", "   ", " \t "}[round % 4];
                String line = "@" + separator + prefix + hex + separator + "0x" + hex + (round % 2 == 0 ? "" : separator);
                assertArrayEquals(new long[] {value, value}, stack(line), line);
            }
        }
        assertArrayEquals(new long[] {-1L, 0, 0x10}, stack("@ 0xffffffffffffffff 0x0000000000000000 0x10"));
        assertArrayEquals(new long[] {0x7f9360c8ddfeL, 0x55d08eb62206L}, stack("@0x7f9360c8ddfe 0x55d08eb62206"));
        assertArrayEquals(new long[] {0, 0xab, 0xabcdef}, stack("@ 0 0Xab\tABCDEF  "));
        assertArrayEquals(new long[] {0x1, 0x2}, stack("@ 0x1 0x2\r"));
    }

    @Test
    void seventeenDigitsAreTooMany() {
        BadInputException e = error("heap_v2/1\n@ 0x11111111111111111\n");
        assertEquals("hex number longer than 64 bits", e.getMessage());
        assertEquals(2, e.line());
        assertEquals("hex number longer than 64 bits", error("heap_v2/1\n@ 0x0000000000000000 0x00000000000000001\n").getMessage());
        assertEquals("hex number longer than 64 bits", error("heap_v2/1\n@ 1234567890abcdef0\n").getMessage());
    }

    /** A byte that is not a hex digit, at every position of every length: the column of the number. */
    @Test
    void badDigitsAnywhere() {
        String bad = "gG:/@`x\u0080\u00ff\u0000\r";
        for (int digits = 0; digits <= 16; digits++) {
            for (int k = 0; k < bad.length(); k++) {
                String number = "0x" + "7f9360c8ddfe1234".substring(0, digits) + bad.charAt(k) + "12";
                String text = "heap_v2/1\n@ 0x1 " + number + " 0x2\n" + COUNT + MAP;
                String expected = digits == 0 ? "expected a hex address at column 9" : "bad hex address at column 9";
                BadInputException e = error(text);
                assertEquals(expected, e.getMessage(), number);
                assertEquals(2, e.line());
            }
        }
        assertEquals("bad hex address at column 5", error("heap_v2/1\n@ 0x12g4\n" + COUNT + MAP).getMessage());
        assertEquals("expected a hex address at column 5", error("heap_v2/1\n@ 0x\n").getMessage());
        assertEquals("expected a hex address at column 6", error("heap_v2/1\n@ 0x1-0x2\n").getMessage());
        assertEquals("stack line without addresses", error("heap_v2/1\n@\n").getMessage());
        assertEquals("stack line without addresses", error("heap_v2/1\n@ \r\n").getMessage());
    }

    @Test
    void lastLineWithoutNewline() {
        // its '\r' is text, not the end of the line
        assertEquals("bad hex address at column 5 (the file ends in the middle of this line: truncated profile?)",
                error("heap_v2/1\n@ 0x1\r").getMessage());
        assertEquals("file ends inside a stack (truncated profile?) (the file ends in the middle of this line: truncated profile?)",
                error("heap_v2/1\n@ 0x1").getMessage());
        assertEquals("empty file, expected a jemalloc heap_v2 profile (the file ends in the middle of this line: truncated profile?)",
                error("").getMessage());
    }

    @Test
    void countLinesSpeltAnyWay() throws IOException {
        String[] spellings = {
            "  t*: 1: 2 [3: 4]", "t*:1:2[3:4]  ", "  t* : 1: 2 [3: 4]\r", "\tt*:\t1:\t2\t[3:\t4]\t", "  t*: 001: 2 [3: 0004]",
        };
        for (String count : spellings) {
            HeapProfile p = parse("heap_v2/1\n@ 0x1\n" + count + "\n" + MAP);
            StackSample s = p.samples().get(0);
            assertEquals(List.of(1L, 2L, 3L, 4L), List.of(s.objects(), s.bytes(), s.accumObjects(), s.accumBytes()), count);
        }
        StackSample big = parse("heap_v2/1\n@ 0x1\n  t*: 123456789012345678: 9223372036854775807 [0: 0]\n" + MAP).samples().get(0);
        assertEquals(123456789012345678L, big.objects());
        assertEquals(Long.MAX_VALUE, big.bytes());
        BadInputException e = error("heap_v2/1\n@ 0x1\n  t*: 1: 9223372036854775808 [0: 0]\n" + MAP);
        assertEquals("count does not fit in 64 bits", e.getMessage());
        assertEquals(3, e.line());
        assertEquals("trailing text after count line", error("heap_v2/1\n@ 0x1\n  t*: 1: 2 [3: 4] x\n").getMessage());
        assertEquals("expected ']' at column 17 in '  t*: 1: 2 [3: 4'",
                error("heap_v2/1\n@ 0x1\n  t*: 1: 2 [3: 4\n").getMessage());
    }

    /** A profile with long and short lines, read through buffers of every small size and in drips. */
    @Test
    void linesAcrossBufferBoundaries() throws IOException {
        String text = profile(new Random(11), false);
        HeapProfile whole = parse(text);
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int size = 1; size <= 200; size += size < 40 ? 1 : 37) {
            assertSame(whole, HeapProfileParser.parse(new ByteArrayInputStream(bytes), FILE, size));
        }
        assertSame(whole, HeapProfileParser.parse(new Drip(bytes, new Random(3)), FILE, 64));
        assertSame(whole, HeapProfileParser.parse(new Drip(bytes, new Random(4)), FILE));

        String crlf = profile(new Random(12), true);
        HeapProfile expected = parse(crlf.replace("\r\n", "\n"));
        byte[] crlfBytes = crlf.getBytes(StandardCharsets.ISO_8859_1);
        for (int size = 1; size <= 100; size += 3) {
            assertSame(expected, HeapProfileParser.parse(new ByteArrayInputStream(crlfBytes), FILE, size));
        }
    }

    @Test
    void errorsAcrossBufferBoundaries() {
        String text = "heap_v2/1\n@ 0x1 0x2 0x3\n" + COUNT + "@ 0x1 0x2 0x12g4 0x5\n" + COUNT + MAP;
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int size = 1; size <= 60; size++) {
            int bufferBytes = size;
            BadInputException e = assertThrows(BadInputException.class,
                    () -> HeapProfileParser.parse(new ByteArrayInputStream(bytes), FILE, bufferBytes));
            assertEquals("bad hex address at column 13", e.getMessage());
            assertEquals(4, e.line());
        }
    }

    @Test
    void longStackLines() throws IOException {
        StringBuilder line = new StringBuilder("@");
        long[] expected = new long[5000];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = 0x7f0000000000L + i * 0x1111L;
            line.append(" 0x").append(Long.toHexString(expected[i]));
        }
        assertArrayEquals(expected, stack(line.toString()));

        // the longest line allowed, with and without "\r\n", and one byte more
        int max = HeapProfileParser.MAX_LINE_BYTES;
        String longest = "@" + " 0x1".repeat((max - 1) / 4) + " ".repeat((max - 1) % 4);
        assertEquals(max, longest.length());
        assertEquals((max - 1) / 4, stack(longest).length);
        BadInputException e = error("heap_v2/1\n" + COUNT + longest + " \n");
        assertEquals("line longer than " + max + " bytes", e.getMessage());
        assertEquals(3, e.line());
        assertEquals(3, error("heap_v2/1\n" + COUNT + longest + "\r\n").line());
        assertEquals(3, error("heap_v2/1\n" + COUNT + longest + " ").line());
    }

    private static String profile(Random random, boolean crlf) {
        String nl = crlf ? "\r\n" : "\n";
        StringBuilder b = new StringBuilder("heap_v2/524288" + nl + "  t*: 10: 100 [0: 0]" + nl + "  t0: 10: 100 [0: 0]" + nl);
        for (int s = 0; s < 60; s++) {
            b.append('@');
            int frames = random.nextInt(10) == 0 ? 100 + random.nextInt(200) : 1 + random.nextInt(20);
            for (int f = 0; f < frames; f++) {
                long a = random.nextInt(4) == 0 ? random.nextLong() >>> random.nextInt(64) : 0x7f1b2c000000L + random.nextInt(1 << 24);
                b.append(' ').append("0x").append(Long.toHexString(a));
            }
            b.append(nl).append("  t*: ").append(1 + random.nextInt(1000)).append(": ").append(random.nextLong() >>> 1)
                    .append(" [").append(random.nextInt(5)).append(": ").append(random.nextInt(5000)).append(']').append(nl);
            for (int t = random.nextInt(4); t > 0; t--) {
                b.append("  t").append(random.nextInt(300)).append(": 1: ").append(random.nextInt(99999)).append(" [0: 0]").append(nl);
            }
            if (random.nextInt(10) == 0) b.append(nl);
        }
        return b.append(MAP.replace("\n", nl)).toString();
    }

    private static void assertSame(HeapProfile expected, HeapProfile actual) {
        assertEquals(expected.samplePeriodBytes(), actual.samplePeriodBytes());
        assertEquals(expected.mappings(), actual.mappings());
        assertEquals(expected.samples().size(), actual.samples().size());
        List<String> e = new ArrayList<>();
        List<String> a = new ArrayList<>();
        for (int i = 0; i < expected.samples().size(); i++) {
            StackSample x = expected.samples().get(i);
            StackSample y = actual.samples().get(i);
            assertArrayEquals(x.addresses(), y.addresses());
            e.add(x.objects() + " " + x.bytes() + " " + x.accumObjects() + " " + x.accumBytes());
            a.add(y.objects() + " " + y.bytes() + " " + y.accumObjects() + " " + y.accumBytes());
        }
        assertEquals(e, a);
    }

    /** Hands out a few bytes per read. */
    private static final class Drip extends InputStream {
        private final byte[] bytes;
        private final Random random;
        private int at;

        Drip(byte[] bytes, Random random) {
            this.bytes = bytes;
            this.random = random;
        }

        @Override
        public int read() {
            return at < bytes.length ? bytes[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at == bytes.length) return -1;
            int n = Math.min(Math.min(len, 1 + random.nextInt(20)), bytes.length - at);
            System.arraycopy(bytes, at, b, off, n);
            at += n;
            return n;
        }
    }
}
