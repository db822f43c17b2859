package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerfMapTest {
    private static final Path FILE = Path.of("perf-1.map");

    private static PerfMap parse(String text, List<String> warnings) throws IOException {
        return PerfMap.parse(text, FILE, warnings::add);
    }

    /**
     * The agent names interpreted frames with lines above 2^63 (native/perfmap-agent/README.md):
     * they sort and match as unsigned addresses, next to ordinary code, and read as Java methods.
     */
    @Test
    void interpretedFrameLinesAboveTwoToTheSixtyThreeAreJavaMethods() throws IOException {
        PerfMap map = parse("""
                7f1b196cb000 100 Interpreter
                fa00000001500000 100000 java.util.zip.Deflater.init(int, int, boolean)
                fa00000001600000 100000 Leak.main(java.lang.String[])
                """, new ArrayList<>());
        long deflaterInit = 0xfa00000001500000L;
        // A caller frame at bytecode index 7 is recorded as START + 8 and looked up at START + 7.
        assertEquals(List.of("java.util.zip.Deflater.init(int, int, boolean)"), map.lookup(deflaterInit + 7).javaFrames());
        assertEquals(List.of("java.util.zip.Deflater.init(int, int, boolean)"), map.lookup(deflaterInit + 0xFFFFE).javaFrames());
        assertEquals(List.of("Leak.main(java.lang.String[])"), map.lookup(deflaterInit + 0x100000).javaFrames());
        assertNull(map.lookup(0xfa00000001700000L));
        assertEquals("Interpreter", map.lookup(0x7f1b196cb010L).name());
    }

    /**
     * A compilation the agent announces keeps its names at its own synthetic block (compile id 5 at
     * 0xFB00000005000000), though newer code took its addresses later and names them there.
     */
    @Test
    void compiledFramesRecordedByCompileIdKeepTheirCodesNames() throws IOException {
        List<String> warnings = new ArrayList<>();
        PerfMap map = parse("""
                # jjf-compiled id=5 blob=7f0000001000 lines=2
                7f0000001080 100 Shapes.draw()
                7f00000010a0 20 Shapes.draw()->Circle.paint()
                7f0000001000 400 Other.replaced()
                # jjf-compiled id=6 blob=7f0000001000 lines=1
                7f0000001080 40 Other.replaced()
                7f0000002000 40 NotPartOfAnyUnit.m()
                """, warnings);
        long five = 0xFB00000005000000L;
        assertEquals(List.of("Shapes.draw()"), map.lookup(five + 0x80).javaFrames());
        assertEquals(List.of("Shapes.draw()", "Circle.paint()"), map.lookup(five + 0xa5).javaFrames());
        assertNull(map.lookup(five + 0x180), "beyond the compilation's code");
        assertNull(map.lookup(five + 0x7f), "before it");
        assertEquals(List.of("Other.replaced()"), map.lookup(0xFB00000006000000L + 0x80).javaFrames());
        assertEquals(List.of("Other.replaced()"), map.lookup(0x7f0000001085L).javaFrames(), "the raw address: the newest code");
        assertNull(map.lookup(0xFB00000007000000L + 0x80), "a compile id the map never announced");
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void aMalformedCompiledLineIsSkippedAndReported() throws IOException {
        List<String> warnings = new ArrayList<>();
        PerfMap map = parse("""
                # jjf-compiled id=x blob=7f0000001000 lines=1
                7f0000001000 100 A.a()
                """, warnings);
        assertEquals(List.of("A.a()"), map.lookup(0x7f0000001010L).javaFrames());
        assertNull(map.lookup(0xFB00000000000010L));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("perf-1.map:1:"), warnings.toString());
    }

    @Test
    void readsBothDialectsSideBySide() throws IOException {
        PerfMap map = parse("""
                0x00007f1b196c7180 0x0000000000000078 void java.lang.System.arraycopy(java.lang.Object, int, java.lang.Object, int, int)
                7f1b196c8000 80 Lcom/foo/Bar;::baz
                7f1b196c9000 40 Lcom/foo/Bar;::qux(I[Ljava/lang/String;J)V
                0x00007f1b196ca000 0x0000000000000100 StubRoutines (1)
                0x00007f1b196cb000 0x0000000000000100 Interpreter
                """, new ArrayList<>());
        assertEquals(List.of("java.lang.System.arraycopy(java.lang.Object, int, java.lang.Object, int, int)"),
                map.lookup(0x7f1b196c7180L).javaFrames());
        assertEquals(List.of("com.foo.Bar.baz"), map.lookup(0x7f1b196c807fL).javaFrames());
        assertEquals(List.of("com.foo.Bar.qux(int, java.lang.String[], long)"), map.lookup(0x7f1b196c9000L).javaFrames());
        assertEquals("StubRoutines (1)", map.lookup(0x7f1b196ca010L).name());
        assertTrue(map.lookup(0x7f1b196ca010L).javaFrames().isEmpty());
        assertTrue(map.lookup(0x7f1b196cb000L).javaFrames().isEmpty());
        assertNull(map.lookup(0x7f1b196c7180L + 0x78)); // end is exclusive
        assertNull(map.lookup(0x7f1b196c717fL));
    }

    @Test
    void inlineChainsAreOutermostFirst() throws IOException {
        PerfMap map = parse("7f00 100 Lcom/A;::outer->Lcom/B;::mid->Lcom/C;::leaf\n", new ArrayList<>());
        assertEquals(List.of("com.A.outer", "com.B.mid", "com.C.leaf"), map.lookup(0x7f10).javaFrames());
    }

    @Test
    void laterEntriesReplaceTheOverlappingPartOfEarlierOnes() throws IOException {
        PerfMap map = parse("""
                1000 1000 Lold/A;::a
                1400 100 Lnew/B;::b
                1c00 800 Lnew/C;::c
                """, new ArrayList<>());
        assertEquals("Lold/A;::a", map.lookup(0x13ff).name());
        assertEquals("Lnew/B;::b", map.lookup(0x1400).name());
        assertEquals("Lold/A;::a", map.lookup(0x1500).name()); // the tail of A beyond B survives
        assertEquals("Lnew/C;::c", map.lookup(0x1c00).name());
        assertEquals("Lnew/C;::c", map.lookup(0x23ff).name());
        assertNull(map.lookup(0x2400));
        PerfMap replaced = parse("1000 100 Lold/A;::a\n1000 100 Lnew/A;::a\n", new ArrayList<>());
        assertEquals("Lnew/A;::a", replaced.lookup(0x1050).name());
        assertEquals(1, replaced.size());
    }

    @Test
    void garbageLinesAreSkippedWithOneWarning() throws IOException {
        List<String> warnings = new ArrayList<>();
        PerfMap map = parse("junk\n1000 10 <script>&\"]]>\nzz 10 x\n1000\n", warnings);
        assertEquals("<script>&\"]]>", map.lookup(0x1000).name());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("perf-1.map:1: skipped 3 malformed"), warnings.get(0));
    }

    @Test
    void fileWithoutAnyEntryIsBadInput() {
        BadInputException e = assertThrows(BadInputException.class, () -> parse("hello world\n", new ArrayList<>()));
        assertEquals(1, e.line());
    }

    /**
     * Random maps (unsorted, overlapping, repeated addresses, both dialects, non-ASCII names, odd
     * whitespace, CRLF and blank lines, garbage) against a plain model: lines as BufferedReader
     * splits them, each judged by {@link #modelLine}, and at every address the last entry
     * that covers it.
     */
    @Test
    void agreesWithLineByLineModel() throws IOException {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        String[] names = {"void a.B.c(int)", "La/B;::c", "Lx/Y;::outer->Lx/Z;::inner", "StubRoutines (1)", "void \u00e9t\u00e9.K.m()",
            "  padded name\t", "name\u001f", "\u2003wide space\u2003", "x"};
        String[] breaks = {"\n", "\r\n", "\r", "\n\n", "\n \t\n"};
        for (int round = 0; round < 300; round++) {
            StringBuilder text = new StringBuilder();
            int lines = random.nextInt(1, 40);
            for (int i = 0; i < lines; i++) {
                long start = 0x1000 + random.nextInt(64) * 0x10L;
                long size = random.nextInt(4) == 0 ? 0 : random.nextInt(1, 0x80);
                String line = switch (random.nextInt(10)) {
                    case 0 -> "garbage " + i;
                    case 1 -> Long.toHexString(start) + " " + Long.toHexString(size);
                    case 2 -> "  0x" + Long.toHexString(start).toUpperCase() + "  0X" + Long.toHexString(size) + " " + names[random.nextInt(names.length)];
                    case 3 -> Long.toHexString(start) + " zz " + names[random.nextInt(names.length)];
                    default -> (random.nextBoolean() ? "0x" : "") + Long.toHexString(start) + " " + Long.toHexString(size) + " "
                            + names[random.nextInt(names.length)];
                };
                text.append(line).append(breaks[random.nextInt(breaks.length)]);
            }
            String t = text.toString();
            List<PerfMapEntry> model = new ArrayList<>();
            long bad = 0;
            long firstBad = 0;
            long number = 0;
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.StringReader(t))) {
                for (String line; (line = r.readLine()) != null; ) {
                    number++;
                    if (line.isBlank()) continue;
                    PerfMapEntry e = modelLine(line);
                    if (e != null) model.add(e);
                    else if (bad++ == 0) firstBad = number;
                }
            }
            List<String> warnings = new ArrayList<>();
            PerfMap map;
            try {
                // Half the rounds arrive a few bytes per read, so that lines and "\r\n" pairs straddle reads.
                map = round % 2 == 0 ? parse(t, warnings)
                        : PerfMap.parse(new Trickle(t.getBytes(StandardCharsets.UTF_8), random.nextInt(1, 8)), FILE, warnings::add);
            } catch (BadInputException e) {
                assertTrue(model.isEmpty() && bad > 0, t);
                assertEquals(firstBad, e.line(), t);
                continue;
            }
            assertEquals(bad == 0 ? List.of() : List.of("perf-1.map:" + firstBad + ": skipped " + bad + " malformed perf-map line"
                    + (bad == 1 ? "" : "s")), warnings, t);
            for (long a = 0xff0; a < 0x1500; a++) {
                PerfMapEntry expected = null;
                for (PerfMapEntry e : model) if (covers(e, a)) expected = e;
                assertEquals(expected, map.lookup(a), "0x" + Long.toHexString(a) + " in\n" + t);
            }
        }
    }

    /** Nested, overlapping and repeated ranges above 2^63, where signed comparison would put them below address 0. */
    @Test
    void addressesCompareUnsigned() throws IOException {
        PerfMap map = parse("""
                8000000000001000 1000 Lhigh/A;::a
                8000000000001100 100 Lhigh/A;::a->Lhigh/B;::b
                ffffffffffff0000 ff00 Lhigh/Top;::t
                1000 1000 Llow/L;::l
                7ffffffffffff000 1000 Lmid/M;::m
                ffffffffffff0100 10 Lhigh/Top;::t->Lhigh/In;::i
                """, new ArrayList<>());
        assertEquals("Lhigh/A;::a", map.lookup(0x8000000000001000L).name());
        assertEquals("Lhigh/A;::a->Lhigh/B;::b", map.lookup(0x80000000000011ffL).name());
        assertEquals("Lhigh/A;::a", map.lookup(0x8000000000001200L).name());
        assertNull(map.lookup(0x8000000000002000L));
        assertEquals("Llow/L;::l", map.lookup(0x1fffL).name());
        assertEquals("Lmid/M;::m", map.lookup(0x7fffffffffffffffL).name());
        assertNull(map.lookup(0x8000000000000000L));
        assertEquals("Lhigh/Top;::t->Lhigh/In;::i", map.lookup(0xffffffffffff0105L).name());
        assertEquals("Lhigh/Top;::t", map.lookup(0xfffffffffffffeffL).name());
        assertNull(map.lookup(0xffffffffffffff00L));
        assertNull(map.lookup(-1L));
        assertEquals(8, map.size()); // L, M, A B A, Top In Top
    }

    /**
     * More than the reader's buffer holds, with a line longer than the buffer and "\r\n" pairs at
     * every offset: whatever the reads return, the same entries, warnings and line numbers as the model.
     */
    @Test
    void inputsLongerThanTheBufferAgreeWithTheModel() throws IOException {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        StringBuilder text = new StringBuilder();
        long address = 0x7f0000000000L;
        for (int i = 0; text.length() < 900_000; i++) {
            if (i == 3000) text.append("x".repeat(400_000)).append('\n'); // longer than the 256 KiB buffer
            if (i == 5000) text.append("1000 10 ").append("n".repeat(20_000)).append("\r\n"); // a name too long
            text.append(Long.toHexString(address)).append(' ').append(Integer.toHexString(random.nextInt(1, 0x200)))
                    .append(" Lp/C").append(i).append(";::m->Lp/D;::").append("q".repeat(random.nextInt(0, 90)))
                    .append(random.nextInt(3) == 0 ? "\r\n" : "\n");
            address += random.nextInt(0x10, 0x180);
        }
        String t = text.toString();
        List<PerfMapEntry> model = new ArrayList<>();
        long bad = 0;
        long firstBad = 0;
        long number = 0;
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.StringReader(t))) {
            for (String line; (line = r.readLine()) != null; ) {
                number++;
                PerfMapEntry e = line.length() > 64 * 1024 ? null : modelLine(line);
                if (e != null) model.add(e);
                else if (bad++ == 0) firstBad = number;
            }
        }
        assertEquals(2, bad);
        for (int step : new int[] {1 << 20, 4093, 65_537}) {
            List<String> warnings = new ArrayList<>();
            PerfMap map = PerfMap.parse(new Trickle(t.getBytes(StandardCharsets.UTF_8), step), FILE, warnings::add);
            assertEquals(List.of("perf-1.map:" + firstBad + ": skipped 2 malformed perf-map lines"), warnings);
            for (int k = 0; k < model.size(); k++) {
                // Starts rise through the file and an entry may reach past the next starts: at its own
                // start each entry is the latest that covers it.
                PerfMapEntry e = model.get(k);
                assertEquals(e, map.lookup(e.start()), "step " + step + ", entry " + k);
            }
        }
    }

    /** Returns at most {@code step} bytes per read. */
    private static final class Trickle extends java.io.InputStream {
        private final byte[] bytes;
        private final int step;
        private int pos;

        Trickle(byte[] bytes, int step) {
            this.bytes = bytes;
            this.step = step;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == bytes.length) return -1;
            int n = Math.min(Math.min(len, step), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    static boolean covers(PerfMapEntry e, long address) {
        return Long.compareUnsigned(address, e.start()) >= 0 && Long.compareUnsigned(address, e.end()) < 0;
    }

    /**
     * One line as the reader must judge it, written plainly on a String: {@code START SIZE NAME}
     * after leading blanks, hex with or without 0x (ASCII digits), no zero size, no range past the
     * top of the address space, the name stripped and at most 16 Ki chars; else null.
     */
    static PerfMapEntry modelLine(String line) {
        String[] f = line.replaceFirst("^ +", "").split(" ", 2);
        if (f.length < 2) return null;
        String rest = f[1].replaceFirst("^ +", "");
        int space = rest.indexOf(' ');
        if (space < 0) return null;
        Long start = hex(f[0]);
        Long size = hex(rest.substring(0, space));
        if (start == null || size == null || start == -1 || size == -1 || size == 0) return null;
        if (Long.compareUnsigned(start + size, start) < 0) return null;
        String name = rest.substring(space + 1).strip();
        if (name.isEmpty() || name.length() > 16 * 1024) return null;
        return new PerfMapEntry(start, size, name);
    }

    private static Long hex(String s) {
        String digits = s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X")) ? s.substring(2) : s;
        if (digits.isEmpty() || digits.length() > 16 || !digits.matches("[0-9a-fA-F]+")) return null;
        return Long.parseUnsignedLong(digits, 16);
    }
}
