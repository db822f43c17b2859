package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.profile.Mapping;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Lookups in maps as jjf's perf-map agent writes them (hex without 0x, a method line followed by
 * its inline ranges, events in order), through the same path render takes: ProcessSymbols.
 */
class PerfMapAgentLookupTest {
    private static final Mapping JIT = new Mapping(0x7f0000000000L, 0x7f0000100000L, 0, "rwxp", "");

    private static ProcessSymbols symbols(String map) throws IOException {
        List<String> warnings = new ArrayList<>();
        PerfMap perfMap = PerfMap.parse(map, Path.of("perf-1.map"), warnings::add);
        assertEquals(List.of(), warnings);
        return new Symbolizer(SymbolizerOptions.defaults(), w -> { }).forProcess(List.of(JIT), perfMap);
    }

    /** The frames at a caller's return address, outermost first, each as "name [source]". */
    private static List<String> caller(ProcessSymbols s, long returnAddress) {
        return frames(s.locate(returnAddress, true));
    }

    private static List<String> frames(Location loc) {
        List<String> out = new ArrayList<>();
        for (Line l : loc.lines()) out.add(0, l.function() + " [" + l.source() + "]");
        return out;
    }

    /** One compiled method (0x1000-0x1200) with two inline ranges that meet at a call's return address. */
    private static final String LOOP = """
            7f0000001000 200 demo.Loop.run(long[], int)
            7f0000001040 40 demo.Loop.run(long[], int)->demo.Loop.grab(int)->sun.misc.Unsafe.allocateMemory(long)
            7f0000001080 20 demo.Loop.run(long[], int)->demo.Loop.grab(int)
            """;

    @Test
    void inlineChainExpandsToOneFramePerMethodOutermostCompiled() throws IOException {
        assertEquals(List.of("demo.Loop.run(long[], int) [JAVA]", "demo.Loop.grab(int) [JAVA_INLINED]",
                        "sun.misc.Unsafe.allocateMemory(long) [JAVA_INLINED]"),
                caller(symbols(LOOP), 0x7f0000001060L));
    }

    @Test
    void returnAddressAtTheEndOfAnInlineRangeBelongsToThatRange() throws IOException {
        ProcessSymbols s = symbols(LOOP);
        // A call's return address is where its range ends (and the next begins): addr-1 is the call.
        assertEquals(3, caller(s, 0x7f0000001080L).size());
        assertEquals(List.of("demo.Loop.run(long[], int) [JAVA]", "demo.Loop.grab(int) [JAVA_INLINED]"),
                caller(s, 0x7f00000010a0L));
        assertEquals(List.of("demo.Loop.run(long[], int) [JAVA]"), caller(s, 0x7f00000010a1L));
        assertEquals(List.of("demo.Loop.run(long[], int) [JAVA]"), caller(s, 0x7f0000001040L));
        assertEquals(3, caller(s, 0x7f0000001041L).size());
        // The same address as a leaf (not a return address) is the instruction itself.
        assertEquals(List.of("demo.Loop.run(long[], int) [JAVA]", "demo.Loop.grab(int) [JAVA_INLINED]"),
                frames(s.locate(0x7f0000001080L, false)));
        // The method's last byte and the first one past it.
        assertEquals(List.of("demo.Loop.run(long[], int) [JAVA]"), caller(s, 0x7f0000001200L));
        assertEquals(List.of("[unknown] 0x7f0000001200 [UNRESOLVED]"), caller(s, 0x7f0000001201L));
    }

    @Test
    void codeLoadedLaterAtTheSameAddressReplacesTheOverlappingPartOnly() throws IOException {
        ProcessSymbols s = symbols("""
                7f0000002000 100 old.A.a()
                7f0000002010 20 old.A.a()->old.B.b()
                7f0000002080 40 old.A.a()->old.C.c()
                7f0000002040 100 fresh.N.n()
                7f0000002050 10 fresh.N.n()->fresh.M.m()
                """);
        assertEquals(List.of("old.A.a() [JAVA]", "old.B.b() [JAVA_INLINED]"), caller(s, 0x7f0000002015L));
        assertEquals(List.of("old.A.a() [JAVA]"), caller(s, 0x7f0000002031L));
        // old.A's inline range at 0x2080 lies inside fresh.N: the newer method wins, chain and all.
        assertEquals(List.of("fresh.N.n() [JAVA]"), caller(s, 0x7f0000002091L));
        assertEquals(List.of("fresh.N.n() [JAVA]", "fresh.M.m() [JAVA_INLINED]"), caller(s, 0x7f0000002055L));
        assertEquals(List.of("fresh.N.n() [JAVA]"), caller(s, 0x7f0000002140L));
    }

    @Test
    void agentLinesSitSideBySideWithBothOtherDialects() throws IOException {
        ProcessSymbols s = symbols("""
                0x00007f0000003000 0x0000000000000080 void jdk.Dialect.m(int)
                7f0000003100 80 Lagent/Old;::m
                7f0000003180 40 Lagent/Old;::outer->Lagent/Old;::inner
                7f0000003200 80 agent.New.m(java.lang.String[])->agent.New.inner()
                7f0000003300 40 Interpreter
                7f0000003340 40 I2C/C2I adapters(0xbbbeb)
                7f0000003380 40 StubRoutines (1)
                7f00000033c0 40 Lam$$Lambda$14/0x0000000800c03000.run()->Lam.lambda$main$0()
                7f0000003400 40 demo.Ctor.<init>(int)->java.lang.Object.<init>()
                """);
        assertEquals(List.of("jdk.Dialect.m(int) [JAVA]"), caller(s, 0x7f0000003010L));
        assertEquals(List.of("agent.Old.m [JAVA]"), caller(s, 0x7f0000003110L));
        assertEquals(List.of("agent.Old.outer [JAVA]", "agent.Old.inner [JAVA_INLINED]"), caller(s, 0x7f0000003190L));
        assertEquals(List.of("agent.New.m(java.lang.String[]) [JAVA]", "agent.New.inner() [JAVA_INLINED]"),
                caller(s, 0x7f0000003210L));
        assertEquals(List.of("Interpreter [JVM_GENERATED]"), caller(s, 0x7f0000003310L));
        assertEquals(List.of("I2C/C2I adapters(0xbbbeb) [JVM_GENERATED]"), caller(s, 0x7f0000003350L));
        assertEquals(List.of("StubRoutines (1) [JVM_GENERATED]"), caller(s, 0x7f0000003390L));
        assertEquals(List.of("Lam$$Lambda$14/0x0000000800c03000.run() [JAVA]", "Lam.lambda$main$0() [JAVA_INLINED]"),
                caller(s, 0x7f00000033d0L));
        assertEquals(List.of("demo.Ctor.<init>(int) [JAVA]", "java.lang.Object.<init>() [JAVA_INLINED]"),
                caller(s, 0x7f0000003410L));
    }

    @Test
    void aChainWithAPartThatIsNotJavaIsGeneratedCodeNotAHalfChain() throws IOException {
        ProcessSymbols s = symbols("7f0000004000 40 a.B.c()->StubRoutines (1)\n");
        List<String> f = caller(s, 0x7f0000004010L);
        assertEquals(1, f.size());
        assertTrue(f.get(0).endsWith("[JVM_GENERATED]"), f.toString());
    }

    /** The agent's source positions: per method of a chain, and inside an interpreted method's block. */
    @Test
    void sourcePositionsReachTheLinesAndLeaveTheNamesAlone() throws IOException {
        ProcessSymbols s = symbols("""
                7f0000001000 200 demo.Loop.run(long[], int)
                7f0000001040 40 demo.Loop.run(long[], int) (demo/Loop.java:12)->demo.Loop.grab(int) (demo/Loop.java:30)
                fa00000000100000 100000 demo.Loop.cold()
                fa00000000100000 5 demo.Loop.cold() (demo/Loop.java:40)
                fa00000000100005 7 demo.Loop.cold() (demo/Loop.java:41)
                """);
        List<Line> inlined = s.locate(0x7f0000001060L, true).lines();
        assertEquals(List.of("demo.Loop.grab(int)", "demo.Loop.run(long[], int)"), inlined.stream().map(Line::function).toList());
        assertEquals(List.of(30, 12), inlined.stream().map(Line::lineNumber).toList());
        assertEquals(List.of("demo/Loop.java", "demo/Loop.java"), inlined.stream().map(Line::file).toList());
        assertEquals(List.of("demo.Loop.run(long[], int) [JAVA]"), caller(s, 0x7f0000001010L));
        assertEquals(0, s.locate(0x7f0000001010L, true).lines().get(0).lineNumber());
        // The hook records START + bci + 1: bci 5 is the second run, line 41; an unknown bci only names the method.
        Line interpreted = s.locate(0xfa00000000100006L, true).lines().get(0);
        assertEquals("demo.Loop.cold() 41 JAVA", interpreted.function() + " " + interpreted.lineNumber() + " " + interpreted.source());
        Line unknownBci = s.locate(0xfa000000001fffffL, true).lines().get(0);
        assertEquals("demo.Loop.cold() 0", unknownBci.function() + " " + unknownBci.lineNumber());
    }
}
