package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent's compact line tables ("# jjf-lines ...") read as the per-run lines they replace. */
class InterpretedLineTablesTest {
    private static final Path FILE = Path.of("perf-1.map");
    private static final long COLD = 0xfa00000000100000L;

    private static PerfMap parse(String text, List<String> warnings) throws IOException {
        return PerfMap.parse(text, FILE, warnings::add);
    }

    /**
     * The same two methods written both ways: a run per line repeating the name (as the agent
     * wrote them before), and one table line per method; a gap (line 0) and non-ASCII names
     * and files included. Every range and name comes out the same.
     */
    @Test
    void aTableGivesTheEntriesThatOneLinePerRunGave() throws IOException {
        String perRun = """
                # jjf-perfmap pid=1
                7f0000001000 100 demo.Loop.hot()
                fa00000000100000 100000 demo.Loop.cold()
                fa00000000100000 5 demo.Loop.cold() (demo/Loop.java:40)
                fa00000000100005 7 demo.Loop.cold() (demo/Loop.java:41)
                fa0000000010000e 2 demo.Loop.cold() (demo/Loop.java:40)
                fa00000000200000 100000 d\u00e9mo.\u00c9t\u00e9.f\u00eate(int)
                fa00000000200000 3 d\u00e9mo.\u00c9t\u00e9.f\u00eate(int) (d\u00e9mo/\u00c9t\u00e9.java:7)
                fa00000000200003 10 d\u00e9mo.\u00c9t\u00e9.f\u00eate(int) (d\u00e9mo/\u00c9t\u00e9.java:123456789)
                fa00000000300000 100000 demo.Loop.noLines()
                """;
        String tables = """
                # jjf-perfmap pid=1
                7f0000001000 100 demo.Loop.hot()
                fa00000000100000 100000 demo.Loop.cold()
                # jjf-lines fa00000000100000 demo/Loop.java 0:40 5:41 12:0 14:40 16
                fa00000000200000 100000 d\u00e9mo.\u00c9t\u00e9.f\u00eate(int)
                # jjf-lines fa00000000200000 d\u00e9mo/\u00c9t\u00e9.java 0:7 3:123456789 19
                fa00000000300000 100000 demo.Loop.noLines()
                """;
        List<String> warnings = new ArrayList<>();
        PerfMap expected = parse(perRun, warnings);
        PerfMap actual = parse(tables, warnings);
        assertEquals(List.of(), warnings);
        assertEquals(expected.entries(), actual.entries());
        assertEquals(10, actual.entries().size(), actual.entries().toString());
        assertEquals("demo.Loop.cold() (demo/Loop.java:41)", actual.lookup(COLD + 11).name());
        assertEquals("demo.Loop.cold()", actual.lookup(COLD + 12).name()); // the gap
        assertEquals("demo.Loop.cold() (demo/Loop.java:40)", actual.lookup(COLD + 15).name());
        assertEquals("demo.Loop.cold()", actual.lookup(COLD + 16).name());
        assertEquals("demo.Loop.cold()", actual.lookup(COLD + 0xFFFFE).name()); // an unknown bytecode index
    }

    /** What the rest of jjf reads from such a name: the method, its file and line. */
    @Test
    void expandedNamesCarryTheirSourcePositions() throws IOException {
        PerfMap map = parse("""
                fa00000000100000 100000 demo.Loop.cold(java.lang.String[])
                # jjf-lines fa00000000100000 demo/Loop.java 0:40 5:41 12
                """, new ArrayList<>());
        PerfMapEntry e = map.lookup(COLD + 6);
        assertEquals(List.of("demo.Loop.cold(java.lang.String[])"), e.javaFrames());
        SourcePositions p = SourcePositions.of(e.name());
        assertEquals("demo/Loop.java", p.file(0));
        assertEquals(41, p.line(0));
    }

    /**
     * A table that does not follow its own block, or is malformed anywhere, adds nothing (no
     * line may be named after another method) and counts as one skipped line.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "# jjf-lines fa00000000200000 demo/Loop.java 0:40 5", // another block
        "# jjf-lines fa00000000100001 demo/Loop.java 0:40 5", // not a block's start
        "# jjf-lines fa00000000100000 demo/Loop.java 5:40 5", // an empty run
        "# jjf-lines fa00000000100000 demo/Loop.java 5:40 3:41 9", // bytecode indexes go back
        "# jjf-lines fa00000000100000 demo/Loop.java 0:40 1048576", // the end beyond the block
        "# jjf-lines fa00000000100000 demo/Loop.java 0:40 1048575:41 1048576",
        "# jjf-lines fa00000000100000 demo/Loop.java 0:40 5:41", // no end
        "# jjf-lines fa00000000100000 demo/Loop.java 0:40 5 7", // two ends
        "# jjf-lines fa00000000100000 demo/Loop.java 7", // no run
        "# jjf-lines fa00000000100000 demo/Loop.java", // no table
        "# jjf-lines fa00000000100000 demo/Loop.java 0:1234567890 5", // a line of 10 digits
        "# jjf-lines fa00000000100000 demo/Loop.java 0:-4 5",
        "# jjf-lines fa00000000100000 demo/Loop.java 0:x 5",
        "# jjf-lines fa00000000100000 demo/Loop.java 0::4 5",
        "# jjf-lines fa00000000100000 demo/Loop.java  0:4 5",
        "# jjf-lines fa00000000100000 demo/Lo(op.java 0:4 5", // a file SourcePositions could not split off
        "# jjf-lines fa00000000100000  0:4 5", // no file
        "# jjf-lines 0xfa00000000100000 demo/Loop.java 0:4 5",
        "# jjf-lines FA00000000100000 demo/Loop.java 0:4 5",
        "# jjf-lines fa00000000100000000 demo/Loop.java 0:4 5",
    })
    void aBrokenOrStrayTableAddsNothing(String table) throws IOException {
        List<String> warnings = new ArrayList<>();
        PerfMap map = parse("fa00000000100000 100000 demo.Loop.cold()\n" + table + "\n", warnings);
        assertEquals(List.of(new PerfMapEntry(COLD, 0x100000, "demo.Loop.cold()")), map.entries());
        assertEquals(List.of(FILE + ":2: skipped 1 malformed perf-map line"), warnings);
    }

    /** The table binds to the line right before it: a line in between (say, compiled code) breaks the link. */
    @Test
    void aTableAfterAnotherLineIsNotTakenForThatLinesMethod() throws IOException {
        List<String> warnings = new ArrayList<>();
        PerfMap map = parse("""
                fa00000000100000 100000 demo.Loop.cold()
                7f0000001000 100 demo.Loop.hot()
                # jjf-lines fa00000000100000 demo/Loop.java 0:40 5
                """, warnings);
        assertEquals("demo.Loop.cold()", map.lookup(COLD + 1).name());
        assertEquals(1, warnings.size(), warnings.toString());
    }
}
